"""Measure the rules, the learned model and their blend side by side, before switching on.

* :func:`cross_validation` — ``aduan eval triage PATH --cv K``: the labelled
  file in K stratified folds; K times the model trains on K-1 folds and the
  three systems are scored on the remaining one; the K test folds are pooled
  into one report per system.
* :func:`train_test` — ``aduan eval triage PATH --train FILE...``: the model
  trains on the given files, the three systems are scored on PATH.

Each system's report is the JSON of ``aduan eval triage`` (:class:`Report`)
plus ``high_priority_precision`` and ``high_priority_predicted``. "rules" is the
engine in force (:func:`aduan.triage.decide`, read-only); "model" is the
model's best category with the :mod:`~aduan.triage.danger` detector's
priority; "blend" is :func:`aduan.triage.blend.blend`. ``danger`` scores the
detector alone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedKFold

from aduan.core.text import matching_form
from aduan.triage import Decision, active, decide
from aduan.triage.blend import DEFAULT_LEVEL, DEFAULT_OVERRIDE, DEFAULT_SECONDED, blend
from aduan.triage.danger import Danger, DangerDetector
from aduan.triage.evaluate import Labelled, Report, read_labelled
from aduan.triage.learned import Example, ModelError, Prediction, rule_examples, train
from aduan.triage.rules import RuleSet

SYSTEMS = ("rules", "model", "blend")


@dataclass
class Scores:
    """A :class:`Report` and the counts behind high-priority precision."""

    report: Report
    high_predicted: int = 0
    high_right: int = 0

    def add(self, row: Labelled, decision: Decision) -> None:
        self.report.add(row, decision)
        if decision.priority == "high":
            self.high_predicted += 1
            self.high_right += row.priority == "high"

    def as_json(self) -> dict[str, Any]:
        out = self.report.as_json()
        precision = self.high_right / self.high_predicted if self.high_predicted else 1.0
        out["high_priority_precision"] = round(precision, 4)
        out["high_priority_predicted"] = self.high_predicted
        return out


def read_examples(path: Path) -> list[Example]:
    """Training labels from a labelled file (``aduan eval triage`` format; ``agency`` optional)."""
    rows = read_labelled(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    out = []
    for row in rows:
        agency = json.loads(lines[row.line - 1]).get("agency")
        out.append(Example(row.text, row.category, agency if isinstance(agency, str) else None))
    return out


def as_examples(rows: Sequence[Labelled]) -> list[Example]:
    return [Example(r.text, r.category) for r in rows]


def model_decision(prediction: Prediction, danger: Danger, ruleset: RuleSet) -> Decision:
    """The model alone: its category, the category's defaults, the detector's priority."""
    category = ruleset.categories[prediction.category]
    high = danger.high or category.priority == "high"
    return Decision(
        category=prediction.category,
        agency=prediction.agency or category.agency,
        priority="high" if high else "normal",
        track="same_day" if high else category.track,
        score=prediction.probability,
        rules=(f"model:{prediction.category}:{prediction.probability:.2f}", *danger.signs),
        source="model",
        needs_review=prediction.category == ruleset.fallback,
    )


class Bench:
    """The three systems' scores, filled fold by fold."""

    def __init__(
        self, level: float, override: float | None = DEFAULT_OVERRIDE, prior: bool = True
    ) -> None:
        self.level = level
        self.override = override
        self.prior = prior
        self.triage = active()
        self.detector = DangerDetector(self.triage)
        self.scores = {name: Scores(Report()) for name in SYSTEMS}
        self.danger = Scores(Report())
        self.review = 0  # blend decisions sent to the human queue

    def score(self, examples: Sequence[Example], rows: Sequence[Labelled]) -> None:
        """Train on ``examples``, score the three systems on ``rows``."""
        prior = rule_examples(self.triage.rules) if self.prior else []
        model = train(examples, prior=prior, cv_folds=0)
        forms = [matching_form(r.text) for r in rows]
        predictions = model.predict(forms)
        ruleset = self.triage.rules
        for row, form, prediction in zip(rows, forms, predictions, strict=True):
            by_rules = decide(form, channel=row.channel)
            danger = self.detector.detect(form, by_rules.rules)
            blended = blend(
                by_rules, prediction, danger, ruleset, level=self.level, override=self.override
            ).decision
            self.review += blended.needs_review
            self.scores["rules"].add(row, by_rules)
            self.scores["model"].add(row, model_decision(prediction, danger, ruleset))
            self.scores["blend"].add(row, blended)
            self.danger.add(
                row, Decision(row.category, None, "high" if danger.high else "normal", "", 0.0)
            )

    def as_json(self, **head: Any) -> dict[str, Any]:
        out: dict[str, Any] = dict(head)
        out["level"] = self.level
        out["override"] = self.override
        out["seconded"] = DEFAULT_SECONDED
        for name in SYSTEMS:
            out[name] = self.scores[name].as_json()
        out["blend"]["human_queue"] = self.review
        d = self.danger.as_json()
        out["danger"] = {
            k: d[k]
            for k in (
                "high_priority_recall",
                "high_priority_precision",
                "high_priority_total",
                "high_priority_predicted",
            )
        }
        return out


def cross_validation(
    rows: Sequence[Labelled],
    folds: int,
    *,
    level: float = DEFAULT_LEVEL,
    override: float | None = DEFAULT_OVERRIDE,
    seed: int = 0,
) -> dict[str, Any]:
    """``--cv K``: pooled scores of K train-on-the-rest, test-on-this-fold rounds."""
    if folds < 2:
        raise ModelError("--cv needs 2 folds or more")
    labels = np.array([r.category for r in rows])
    _, counts = np.unique(labels, return_counts=True)
    if counts.min() < folds:
        raise ModelError(
            f"--cv {folds}: every category needs {folds} labelled complaints or more "
            f"(the rarest has {counts.min()})"
        )
    bench = Bench(level, override)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train_idx, test_idx in splitter.split(np.zeros(len(rows)), labels):
        bench.score(as_examples([rows[i] for i in train_idx]), [rows[i] for i in test_idx])
    return bench.as_json(mode="cv", folds=folds)


def train_test(
    train_files: Sequence[Path],
    rows: Sequence[Labelled],
    *,
    level: float = DEFAULT_LEVEL,
    override: float | None = DEFAULT_OVERRIDE,
) -> dict[str, Any]:
    """``--train FILE...``: the model trained on the files, everything scored on ``rows``."""
    examples: list[Example] = []
    for path in train_files:
        examples.extend(read_examples(path))
    bench = Bench(level, override)
    bench.score(examples, rows)
    return bench.as_json(mode="train", train=[str(p) for p in train_files], trained=len(examples))
