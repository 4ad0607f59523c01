"""``aduan eval places``: labelled complaints through the extractor, scored per field.

Input: JSON Lines in the format of ``places_dev.jsonl``::

    {"id": "place-002", "channel": "sms", "text": "... kel Pondok Labu rt 05 rw 03 ...",
     "kelurahan": "Pondok Labu", "kecamatan": "Cilandak", "rt": "005", "rw": "003",
     "street": "Gang Langgar"}

Each field is scored on its own: a prediction equal to the label is a true
positive; a prediction that differs from the label (or where the label is
null) a false positive; a label not predicted (or predicted wrong) a false
negative. Names compare case-insensitively, RT/RW as numbers, streets in one
form ("Jalan X" = "Jl. X", "Gang X" = "Gg. X").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aduan.core.errors import AduanError
from aduan.core.jsonl import labelled_rows
from aduan.places.address import canonical_street
from aduan.places.extract import Place, PlaceExtractor, default_extractor
from aduan.places.regions import fold

FIELDS = ("kelurahan", "kecamatan", "rt", "rw", "street")


def _same_name(value: str) -> str:
    return fold(value).replace(" ", "")


def _same_number(value: str) -> str:
    return str(int(value)) if value.strip().isdigit() else value.strip()


_CANONICAL: dict[str, Callable[[str], str]] = {
    "kelurahan": _same_name,
    "kecamatan": _same_name,
    "rt": _same_number,
    "rw": _same_number,
    "street": canonical_street,
}


@dataclass(frozen=True)
class Labelled:
    id: str
    channel: str | None
    text: str
    gold: dict[str, str | None]


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    total: int = 0
    scores: dict[str, Score] = field(default_factory=lambda: {f: Score() for f in FIELDS})
    mistakes: list[tuple[str, str, str | None, str | None]] = field(default_factory=list)

    def add(self, row: Labelled, place: Place) -> None:
        self.total += 1
        for name in FIELDS:
            gold, got = row.gold[name], getattr(place, name)
            norm = _CANONICAL[name]
            score = self.scores[name]
            if got is None and gold is None:
                continue
            if got is not None and gold is not None and norm(got) == norm(gold):
                score.tp += 1
                continue
            if got is not None:
                score.fp += 1
            if gold is not None:
                score.fn += 1
            self.mistakes.append((row.id, name, gold, got))

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            name: {
                "precision": round(s.precision, 4),
                "recall": round(s.recall, 4),
                "f1": round(s.f1, 4),
            }
            for name, s in self.scores.items()
        }
        out["total"] = self.total
        return out

    def table(self) -> str:
        lines = [f"{'field':10}{'precision':>10}{'recall':>8}{'f1':>7}{'tp':>5}{'fp':>4}{'fn':>4}"]
        for name, s in self.scores.items():
            lines.append(
                f"{name:10}{s.precision:10.3f}{s.recall:8.3f}{s.f1:7.3f}{s.tp:5d}{s.fp:4d}{s.fn:4d}"
            )
        lines.append(f"{self.total} labelled complaints")
        return "\n".join(lines)


def read_labelled(path: Path) -> list[Labelled]:
    """Read a labelled JSON-lines file; AduanError names the first bad line."""
    out: list[Labelled] = []
    for n, row in labelled_rows(path):
        gold: dict[str, str | None] = {}
        for name in FIELDS:
            value = row.get(name)
            if value is not None and not isinstance(value, str):
                raise AduanError(f"{path}:{n}: {name!r} must be a string or null")
            gold[name] = value
        out.append(Labelled(str(row.get("id", n)), row.get("channel"), row["text"], gold))
    if not out:
        raise AduanError(f"{path}: no labelled complaints")
    return out


def evaluate(rows: list[Labelled], extractor: PlaceExtractor | None = None) -> Report:
    extractor = extractor or default_extractor()
    report = Report()
    for row in rows:
        report.add(row, extractor.extract(row.text))
    return report
