"""Writing triage decisions to the store: first triage, re-triage, manual decisions.

* :func:`triage_pending` routes complaints still ``new`` without a category
  (created before rules were configured, or when the normalizer skipped it).
* :func:`retriage` applies the rules in force again to existing complaints and
  records, per complaint, what changed (``triage_decisions.changes``:
  ``{"category": {"from": "other", "to": "roads"}, ...}``).
* :func:`set_manual` records a human's decision (source ``manual``, with an
  ``audit_log`` row); rules never overwrite it: every rule-driven update goes
  through :mod:`aduan.triage.writer`, which keeps a ``manual`` decision.

When the triage job or a human gives a complaint an agency, the citizen is
told (:func:`aduan.replies.events.on_triaged`, once per agency) in the same
transaction; a re-triage by changed rules tells no one.

``needs_review`` (the human queue) is kept in ``complaints.extra`` and as the
marker ``needs_review`` at the end of the decision's recorded rules.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, select

from aduan.core.clock import utcnow
from aduan.core.errors import AduanError
from aduan.core.text import matching_form
from aduan.replies.events import on_triaged
from aduan.store.models import AuditEntry, complaints
from aduan.triage import CATEGORIES, Decision, active
from aduan.triage.router import Router
from aduan.triage.rules import PRIORITIES, TRACKS
from aduan.triage.writer import (
    FIELDS,
    NOT_MANUAL,
    diff,
    triage_decisions,
    values_of,
    write_one,
)

audit_log = AuditEntry.__table__  # type: ignore[attr-defined]
_COLUMNS = (
    complaints.c.id,
    complaints.c.reference,
    complaints.c.channel,
    complaints.c.text,
    complaints.c.match_text,
    complaints.c.subject,
    complaints.c.received_at,
    complaints.c.extra,
    *(complaints.c[name] for name in FIELDS),
    complaints.c.triage_source,
)


@dataclass
class Outcome:
    examined: int = 0
    changed: int = 0
    manual_kept: int = 0
    changes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def _decide(router: Router, row: Any) -> tuple[Decision, datetime]:
    text = row.match_text or matching_form(row.text or "")
    hint = (row.extra or {}).get("hint") or row.subject or None
    blended = router.decide(text, channel=row.channel, hint=hint)
    return router.recorded(blended), router.triage.due_at(row.received_at)


def _batches(engine: Engine, where: Any, size: int) -> Iterator[Sequence[Any]]:
    last = 0
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                select(*_COLUMNS)
                .where(and_(where, complaints.c.id > last))
                .order_by(complaints.c.id)
                .limit(size)
            ).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id


def triage_pending(engine: Engine, *, limit: int = 200) -> int:
    """Route up to ``limit`` complaints still ``new`` without a category; how many were."""
    where = and_(complaints.c.status == "new", complaints.c.category.is_(None), NOT_MANUAL)
    done = 0
    with engine.connect() as conn:
        rows = conn.execute(
            select(*_COLUMNS).where(where).order_by(complaints.c.id).limit(limit)
        ).all()
    router = Router()
    for row in rows:
        decision, due = _decide(router, row)
        with engine.begin() as conn:
            if write_one(conn, row, decision, due, {}, first=True):
                done += 1
                on_triaged(conn, row.id, decision.agency)
    return done


def retriage(
    engine: Engine, *, since: datetime | None = None, dry_run: bool = False, batch: int = 500
) -> Outcome:
    """Apply the rules in force to complaints received since ``since`` (all if None)."""
    outcome = Outcome()
    where: Any = complaints.c.received_at >= since if since is not None else complaints.c.id > 0
    router = Router()
    for rows in _batches(engine, where, batch):
        for row in rows:
            outcome.examined += 1
            if row.triage_source == "manual":
                outcome.manual_kept += 1
                continue
            decision, due = _decide(router, row)
            changes = diff(row, values_of(decision, due))
            if not changes:
                continue
            if not dry_run:
                with engine.begin() as conn:
                    if not write_one(conn, row, decision, due, changes):
                        outcome.manual_kept += 1
                        continue
            outcome.changed += 1
            outcome.changes.append((row.reference, changes))
    return outcome


def set_manual(
    engine: Engine,
    reference: str,
    *,
    category: str,
    actor: str,
    priority: str | None = None,
    agency: str | None = None,
    track: str | None = None,
) -> dict[str, Any]:
    """Record a human's decision on complaint ``reference``; returns what changed."""
    rules = active().rules
    if category not in CATEGORIES:
        raise AduanError(f"unknown category {category!r} (known: {', '.join(CATEGORIES)})")
    if priority is not None and priority not in PRIORITIES:
        raise AduanError(f"priority must be one of {', '.join(PRIORITIES)}")
    if track is not None and track not in TRACKS:
        raise AduanError(f"track must be one of {', '.join(TRACKS)}")
    if agency is not None and agency not in rules.agencies:
        raise AduanError(f"unknown agency {agency!r} (known: {', '.join(sorted(rules.agencies))})")
    now = utcnow()
    with engine.begin() as conn:
        row = conn.execute(select(*_COLUMNS).where(complaints.c.reference == reference)).first()
        if row is None:
            raise AduanError(f"no complaint {reference}")
        default = rules.categories[category]
        values = {
            "category": category,
            "agency": agency or default.agency,
            "priority": priority or row.priority or default.priority,
            "track": track or (row.track if category == row.category else None) or default.track,
            "due_at": row.due_at,
        }
        changes = diff(row, values)
        extra = dict(row.extra or {})
        extra["needs_review"] = False
        conn.execute(
            complaints.update()
            .where(complaints.c.id == row.id)
            .values(**values, triage_source="manual", extra=extra, updated_at=now)
        )
        conn.execute(
            triage_decisions.insert().values(
                complaint_id=row.id,
                at=now,
                **values,
                source="manual",
                score=None,
                rules=["manual"],
                actor=actor,
                changes=changes,
            )
        )
        conn.execute(
            audit_log.insert().values(
                at=now, actor=actor, action="triage_set", subject=reference, details=changes
            )
        )
        if "agency" in changes:
            on_triaged(conn, row.id, values["agency"])
    return changes
