"""The humans' decisions as training labels, read from what the store keeps already.

No table of its own: every category a person sets or corrects is a
``triage_decisions`` row with ``source = "manual"`` — who (``actor``: the
clerk's login, ``open311:<partner>``, the OS user of ``aduan triage set``)
and when (``at``) — written by :func:`aduan.triage.apply.set_manual`, the one
path for a human's triage decision. An old system's history imported with
``aduan import --channel walkin --column category=COL [--column agency=COL]``
is kept on each complaint as ``extra["label"]`` (origin ``import``, by whom
the row names, when it was received).

:func:`read_labels` gives the latest label per complaint (a later correction
replaces an earlier one; a desk decision replaces an imported one), with the
complaint's clean text; :func:`count_since` counts the new
ones for the retrain job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, String, cast, func, select

from aduan.store.models import complaints
from aduan.triage import CATEGORIES
from aduan.triage.writer import triage_decisions

LABEL_KEY = "label"  # complaints.extra[LABEL_KEY] = {"category": ..., "agency": ..., "by": ...}


@dataclass(frozen=True)
class Label:
    complaint_id: int
    text: str  # the complaint's clean text (training takes its matching form)
    category: str
    agency: str | None
    actor: str | None
    at: datetime
    origin: str  # "desk" (any person's decision in aduan) or "import"


def _form(row: Any) -> str:
    return str(row.text or row.match_text or "")


def _imported(engine: Engine) -> list[Label]:
    query = select(
        complaints.c.id,
        complaints.c.match_text,
        complaints.c.text,
        complaints.c.received_at,
        complaints.c.extra,
    ).where(cast(complaints.c.extra, String).like(f'%"{LABEL_KEY}"%'))
    out = []
    with engine.connect() as conn:
        for row in conn.execute(query):
            label = (row.extra or {}).get(LABEL_KEY)
            if not isinstance(label, dict) or label.get("category") not in CATEGORIES:
                continue
            out.append(
                Label(
                    row.id,
                    _form(row),
                    label["category"],
                    label.get("agency") or None,
                    label.get("by") or None,
                    row.received_at,
                    "import",
                )
            )
    return out


def _manual(engine: Engine) -> list[Label]:
    d = triage_decisions
    query = (
        select(
            d.c.complaint_id,
            d.c.category,
            d.c.agency,
            d.c.actor,
            d.c.at,
            complaints.c.match_text,
            complaints.c.text,
        )
        .join(complaints, complaints.c.id == d.c.complaint_id)
        .where(d.c.source == "manual")
        .order_by(d.c.id)
    )
    with engine.connect() as conn:
        return [
            Label(r.complaint_id, _form(r), r.category, r.agency, r.actor, r.at, "desk")
            for r in conn.execute(query)
        ]


def read_labels(engine: Engine) -> list[Label]:
    """The latest label of every labelled complaint (imported history first, then decisions)."""
    latest: dict[int, Label] = {}
    for label in [*_imported(engine), *_manual(engine)]:
        latest[label.complaint_id] = label
    return [label for label in latest.values() if label.text.strip()]


def count_since(engine: Engine, since: datetime | None) -> int:
    """Manual decisions recorded after ``since`` (all if None); imported history counts
    while no model was trained."""
    d = triage_decisions
    query = select(func.count()).select_from(d).where(d.c.source == "manual")
    if since is not None:
        query = query.where(d.c.at > since)
    with engine.connect() as conn:
        manual = int(conn.execute(query).scalar_one())
    return manual if since is not None else manual + len(_imported(engine))
