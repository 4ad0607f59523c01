"""Training the learned model from the store: the desk's labels, the shipped dev set, the rules.

* :func:`examples` — the store's labels (:mod:`.labels`, latest per
  complaint), plus the dev set shipped with aduan
  (``aduan/triage/data/triage_dev.jsonl``) unless ``[triage.model]
  use_dev_set = false``;
* :func:`retrain` — fits, cross-validates and saves the model in the model
  directory (``save`` writes temporary files and renames them, so a process
  reading it never sees half a model; :func:`aduan.triage.router.current_model`
  picks the new one up by its modification time);
* :func:`due` — whether ``retrain_min_labels`` new labels came since the model
  was trained (the daemon's ``triage-retrain`` job asks it).

scikit-learn is imported only when training.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from aduan.config.triage import TriageSettings
from aduan.triage import CATEGORIES, active
from aduan.triage.labels import count_since, read_labels
from aduan.triage.router import model_directory

if TYPE_CHECKING:
    from aduan.triage.learned import Example, Model

DEV_SET = "triage_dev.jsonl"


def dev_set() -> list[Example]:
    """The labelled dev set shipped as package data."""
    from aduan.triage.learned import Example

    text = resources.files("aduan.triage").joinpath("data", DEV_SET).read_text(encoding="utf-8")
    out = []
    for line in text.splitlines():
        if line.strip():
            row = json.loads(line)
            if row.get("category") in CATEGORIES:
                out.append(Example(row["text"], row["category"], row.get("agency")))
    return out


def examples(engine: Engine, settings: TriageSettings) -> tuple[list[Example], list[str]]:
    """The training labels and where they came from."""
    from aduan.triage.learned import Example

    labels = read_labels(engine)
    out = [Example(lb.text, lb.category, lb.agency) for lb in labels]
    sources = [f"store: {len(labels)} labels"]
    if settings.model.use_dev_set:
        shipped = dev_set()
        out.extend(shipped)
        sources.append(f"dev set: {len(shipped)} labels")
    return out, sources


@dataclass(frozen=True)
class Trained:
    path: Path
    model: Model


def retrain(
    engine: Engine, settings: TriageSettings, data_dir: Path, *, cv_folds: int = 5
) -> Trained:
    """Fit on the store's labels (and the dev set, the rules' terms, as configured); save."""
    from aduan.triage.learned import rule_examples, save, train

    labelled, sources = examples(engine, settings)
    prior = rule_examples(active().rules) if settings.model.rule_terms else []
    model = train(labelled, prior=prior, cv_folds=cv_folds, sources=sources)
    path = save(model, model_directory(settings.model, data_dir))
    return Trained(path, model)


def trained_at(directory: Path) -> datetime | None:
    """When the model in ``directory`` was trained (None: no readable model)."""
    from aduan.triage.learned import ModelError, read_metadata

    try:
        return datetime.fromisoformat(read_metadata(directory).trained_at)
    except (ModelError, ValueError):
        return None


def due(engine: Engine, settings: TriageSettings, data_dir: Path) -> int:
    """New labels since the model was trained when they reach ``retrain_min_labels``, else 0."""
    since = trained_at(model_directory(settings.model, data_dir))
    new = count_since(engine, since)
    return new if new >= settings.model.retrain_min_labels else 0
