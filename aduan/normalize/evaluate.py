"""``aduan eval dedup``: labelled pairs through the production normalizer, scored.

Input: JSON Lines, one pair per line (the format of ``dedup_dev.jsonl``)::

    {"id": "pair-001", "label": "same_complaint",
     "a": {"channel": "sms", "sender": "tel:+62812...", "received_at": "2025-02-12T16:04:38+07:00",
           "text": "..."},
     "b": {...}}

Each pair gets a fresh store (a copy of one migrated empty SQLite file):
``a`` is stored and normalized, then ``b``; the pair is ``same_complaint``
when ``b`` joined ``a``'s complaint, ``same_incident`` when their complaints
share an incident, else ``different``. Scores per label, plus the combined
label ``same`` (either kind) against ``different``. The caller hands in
the triage (``aduan eval dedup``: the rules in force): one incident needs the
same problem, and the triage category says which. Several files give one
report each and their sum (:meth:`Report.plus`).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from aduan.config.normalize import NormalizeSettings
from aduan.core.messages import Message, RawMessage
from aduan.normalize.pipeline import Normalizer
from aduan.normalize.readers import MESSAGE_JSON, Readers
from aduan.normalize.reading import load_raws
from aduan.normalize.triaging import TriageFactory
from aduan.store import open_store, save_batch
from aduan.store.models import complaints, raw_messages

LABELS = ("same_complaint", "same_incident", "different")


@dataclass(frozen=True)
class Pair:
    id: str
    a: dict[str, Any]
    b: dict[str, Any]
    label: str


def read_pairs(path: Path) -> Iterator[Pair]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                yield Pair(str(data.get("id", number)), data["a"], data["b"], data["label"])
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: not a labelled pair ({exc})") from None


def _raw(side: dict[str, Any], name: str) -> RawMessage:
    at = datetime.fromisoformat(side["received_at"])
    message = Message(text=side["text"], identities=(side["sender"],), sent_at=at)
    return RawMessage(
        channel=side["channel"],
        account="eval",
        external_id=name,
        payload=message.model_dump_json().encode(),
        content_type=MESSAGE_JSON,
        received_at=at,
    )


def classify(
    pair: Pair,
    template: Path,
    workdir: Path,
    settings: NormalizeSettings,
    triage: TriageFactory | None = None,
) -> str:
    """Run ``a`` then ``b`` through a fresh store; return the predicted label."""
    db = workdir / "pair.db"
    shutil.copyfile(template, db)
    engine = open_store(f"sqlite:///{db}", migrate=False)
    try:
        normalizer = Normalizer(settings, Readers(), triage=triage)
        ids: list[int] = []
        for name, side in (("a", pair.a), ("b", pair.b)):
            result = save_batch(engine, [_raw(side, f"{pair.id}-{name}")])
            ids.extend(result.new.values())
            with engine.begin() as conn:
                normalizer.process(conn, load_raws(conn, [ids[-1]]))
        with engine.connect() as conn:
            found = dict(
                conn.execute(
                    select(raw_messages.c.id, raw_messages.c.complaint_id).where(
                        raw_messages.c.id.in_(ids)
                    )
                ).all()
            )
            ca, cb = found.get(ids[0]), found.get(ids[1])
            if ca is not None and ca == cb:
                return "same_complaint"
            incidents = dict(
                conn.execute(
                    select(complaints.c.id, complaints.c.incident_id).where(
                        complaints.c.id.in_([c for c in (ca, cb) if c is not None])
                    )
                ).all()
            )
            ia, ib = incidents.get(ca), incidents.get(cb)
            if ia is not None and ia == ib:
                return "same_incident"
            return "different"
    finally:
        engine.dispose()


@dataclass
class Report:
    total: int
    confusion: Counter[tuple[str, str]]
    mistakes: list[tuple[str, str, str]]

    def plus(self, other: Report) -> Report:
        """The report of both sets of pairs together."""
        return Report(
            self.total + other.total,
            self.confusion + other.confusion,
            self.mistakes + other.mistakes,
        )

    def _pr(self, positive: set[str]) -> tuple[float, float]:
        tp = sum(v for (g, p), v in self.confusion.items() if g in positive and p in positive)
        predicted = sum(v for (_, p), v in self.confusion.items() if p in positive)
        actual = sum(v for (g, _), v in self.confusion.items() if g in positive)
        return (tp / predicted if predicted else 0.0, tp / actual if actual else 0.0)

    def scores(self) -> dict[str, Any]:
        correct = sum(v for (g, p), v in self.confusion.items() if g == p)
        precision: dict[str, float] = {}
        recall: dict[str, float] = {}
        for label in LABELS:
            precision[label], recall[label] = self._pr({label})
        precision["same"], recall["same"] = self._pr({"same_complaint", "same_incident"})
        return {
            "accuracy": correct / self.total if self.total else 0.0,
            "precision": {k: round(v, 4) for k, v in precision.items()},
            "recall": {k: round(v, 4) for k, v in recall.items()},
            "pairs": self.total,
        }

    def table(self) -> str:
        width = max(len(label) for label in LABELS) + 2
        lines = ["gold \\ predicted".ljust(width + 2) + "".join(p.rjust(width) for p in LABELS)]
        for gold in LABELS:
            cells = "".join(str(self.confusion[(gold, p)]).rjust(width) for p in LABELS)
            lines.append(gold.ljust(width + 2) + cells)
        scores = self.scores()
        lines.append("")
        lines.append(f"{'label':<16}{'precision':>10}{'recall':>10}")
        for label in (*LABELS, "same"):
            lines.append(
                f"{label:<16}{scores['precision'][label]:>10.3f}{scores['recall'][label]:>10.3f}"
            )
        lines.append(f"accuracy {scores['accuracy']:.3f} over {self.total} pairs")
        return "\n".join(lines)


def evaluate(
    path: Path, settings: NormalizeSettings | None = None, triage: TriageFactory | None = None
) -> Report:
    settings = settings or NormalizeSettings()
    confusion: Counter[tuple[str, str]] = Counter()
    mistakes: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="aduan-eval-") as tmp:
        workdir = Path(tmp)
        template = workdir / "template.db"
        open_store(f"sqlite:///{template}").dispose()
        total = 0
        for pair in read_pairs(path):
            predicted = classify(pair, template, workdir, settings, triage)
            confusion[(pair.label, predicted)] += 1
            if predicted != pair.label:
                mistakes.append((pair.id, pair.label, predicted))
            total += 1
    return Report(total, confusion, mistakes)
