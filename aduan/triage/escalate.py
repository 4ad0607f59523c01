"""Escalation: complaints past their ``due_at`` become overdue; those nearing it are warned.

Each run (the ``escalate`` job, every ``scheduler.escalate_seconds``):

* a complaint still open (status not in ``triage.escalation.closed_statuses``,
  no ``resolved_at``/``closed_at``) with ``due_at <= now`` gets
  ``overdue = true``, ``overdue_at = now``, a ``complaint_events`` row of kind
  ``overdue``, one log event ``complaint_overdue`` and, when
  ``[replies.events] overdue_apology`` is on, the citizen's apology
  (:func:`aduan.replies.events.on_overdue`, in the same transaction);
* one with ``due_at`` within ``due_soon_hours`` gets (once) a ``due_soon``
  event and the log event ``complaint_due_soon``.

The log events carry only the reference, category, agency, priority and due
time — no personal data — for a notifier to pick up. The overdue flag is set
by ``UPDATE ... WHERE overdue = false``, so two daemons never both escalate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, and_, exists, false, select

from aduan.config.triage import EscalationSettings
from aduan.core.clock import utcnow
from aduan.core.logs import get_logger
from aduan.replies.events import on_overdue
from aduan.store.models import ComplaintEvent, complaints

log = get_logger("aduan.triage.escalate")
complaint_events = ComplaintEvent.__table__  # type: ignore[attr-defined]


@dataclass
class Escalated:
    overdue: int = 0
    due_soon: int = 0


def _open() -> ColumnElement[bool]:
    return and_(
        complaints.c.due_at.is_not(None),
        complaints.c.resolved_at.is_(None),
        complaints.c.closed_at.is_(None),
    )


def escalate(
    engine: Engine, settings: EscalationSettings, *, now: datetime | None = None
) -> Escalated:
    now = now or utcnow()
    result = Escalated()
    base = and_(
        _open(),
        complaints.c.status.not_in(settings.closed_statuses),
        complaints.c.overdue == false(),
    )
    cols = (
        complaints.c.id,
        complaints.c.reference,
        complaints.c.category,
        complaints.c.agency,
        complaints.c.priority,
        complaints.c.due_at,
        complaints.c.status,
    )
    with engine.connect() as conn:
        late = conn.execute(
            select(*cols)
            .where(and_(base, complaints.c.due_at <= now))
            .order_by(complaints.c.due_at)
            .limit(settings.batch)
        ).all()
    for row in late:
        with engine.begin() as conn:
            done = conn.execute(
                complaints.update()
                .where(and_(complaints.c.id == row.id, complaints.c.overdue == false()))
                .values(overdue=True, overdue_at=now, updated_at=now)
            )
            if done.rowcount != 1:
                continue
            _event(conn, row, "overdue", now)
            on_overdue(conn, row.id)
        result.overdue += 1
        _log("complaint_overdue", row, now)
    if settings.due_soon_hours <= 0:
        return result
    warned = exists().where(
        and_(
            complaint_events.c.complaint_id == complaints.c.id,
            complaint_events.c.kind == "due_soon",
        )
    )
    horizon = now + timedelta(hours=settings.due_soon_hours)
    with engine.connect() as conn:
        soon = conn.execute(
            select(*cols)
            .where(and_(base, complaints.c.due_at > now, complaints.c.due_at <= horizon, ~warned))
            .order_by(complaints.c.due_at)
            .limit(settings.batch)
        ).all()
    for row in soon:
        with engine.begin() as conn:
            _event(conn, row, "due_soon", now)
        result.due_soon += 1
        _log("complaint_due_soon", row, now)
    return result


def _event(conn: Connection, row: Any, kind: str, now: datetime) -> None:
    due: datetime = row.due_at
    conn.execute(
        complaint_events.insert().values(
            complaint_id=row.id,
            at=now,
            actor="escalation",
            kind=kind,
            from_status=row.status,
            to_status=row.status,
            note=None,
            details={
                "due_at": due.isoformat(),
                "category": row.category,
                "agency": row.agency,
                "priority": row.priority,
            },
        )
    )


def _log(event: str, row: Any, now: datetime) -> None:
    due: datetime = row.due_at
    log.warning(
        event,
        complaint_id=row.id,
        reference=row.reference,
        category=row.category,
        agency=row.agency,
        priority=row.priority,
        due_at=due.isoformat(),
        late_minutes=int((now - due).total_seconds() // 60),
    )
