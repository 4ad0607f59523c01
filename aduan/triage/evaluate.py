"""Measure routing quality on a labelled file (``aduan eval triage PATH``).

The file is JSON lines like ``triage_dev.jsonl``: ``text`` and ``category``
required, ``priority`` (``normal``/``high``) and ``channel`` optional. Every
line goes through the production path: :func:`aduan.core.text.matching_form`
then :func:`aduan.triage.decide`. Reported: per-category precision and recall,
overall accuracy, macro recall (mean recall over the categories present in
the file) and the recall of priority ``high``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aduan.core.errors import AduanError
from aduan.core.jsonl import labelled_rows
from aduan.core.text import matching_form
from aduan.triage import CATEGORIES, Decision, decide


@dataclass(frozen=True)
class Labelled:
    line: int
    text: str
    category: str
    priority: str | None
    channel: str | None


@dataclass
class Report:
    total: int = 0
    correct: int = 0
    high_total: int = 0
    high_found: int = 0
    gold: Counter[str] = field(default_factory=Counter)
    predicted: Counter[str] = field(default_factory=Counter)
    hits: Counter[str] = field(default_factory=Counter)
    errors: list[tuple[Labelled, Decision]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def recall(self, category: str) -> float:
        return self.hits[category] / self.gold[category] if self.gold[category] else 0.0

    def precision(self, category: str) -> float:
        n = self.predicted[category]
        return self.hits[category] / n if n else 0.0

    @property
    def macro_recall(self) -> float:
        present = [c for c in self.gold if self.gold[c]]
        return sum(self.recall(c) for c in present) / len(present) if present else 0.0

    def add(self, row: Labelled, decision: Decision) -> None:
        """Count one labelled complaint and the decision made for it."""
        self.total += 1
        self.gold[row.category] += 1
        self.predicted[decision.category] += 1
        if decision.category == row.category:
            self.correct += 1
            self.hits[row.category] += 1
        else:
            self.errors.append((row, decision))
        if row.priority == "high":
            self.high_total += 1
            self.high_found += decision.priority == "high"

    @property
    def high_priority_recall(self) -> float:
        return self.high_found / self.high_total if self.high_total else 1.0

    def as_json(self) -> dict[str, Any]:
        per = {
            c: {
                "precision": round(self.precision(c), 4),
                "recall": round(self.recall(c), 4),
                "support": self.gold[c],
                "predicted": self.predicted[c],
            }
            for c in CATEGORIES
            if self.gold[c] or self.predicted[c]
        }
        return {
            "accuracy": round(self.accuracy, 4),
            "macro_recall": round(self.macro_recall, 4),
            "high_priority_recall": round(self.high_priority_recall, 4),
            "per_category": per,
            "total": self.total,
            "high_priority_total": self.high_total,
        }


def read_labelled(path: Path) -> list[Labelled]:
    """Read a labelled JSON-lines file; AduanError names the first bad line."""
    out: list[Labelled] = []
    for n, row in labelled_rows(path):
        category = row.get("category")
        if category not in CATEGORIES:
            raise AduanError(f"{path}:{n}: unknown category {category!r}")
        priority = row.get("priority")
        if priority not in (None, "normal", "high"):
            raise AduanError(f"{path}:{n}: priority must be normal or high, got {priority!r}")
        channel = row.get("channel")
        out.append(Labelled(n, row["text"], category, priority, channel))
    if not out:
        raise AduanError(f"{path}: no labelled complaints")
    return out


def evaluate(rows: list[Labelled]) -> Report:
    report = Report()
    for row in rows:
        report.add(row, decide(matching_form(row.text), channel=row.channel))
    return report
