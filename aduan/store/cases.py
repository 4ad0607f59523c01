"""Case follow-up: status changes on a complaint, who made them and when.

The statuses a complaint moves through after triage::

    new ─▶ triaged ─▶ in_progress ─▶ resolved ─▶ closed
                 │          │             │
                 └──────────┴─▶ rejected  └─▶ (reopen) ─▶ in_progress

* ``resolved`` needs a note (what was done) and sets ``resolved_at``, which feeds
  the SLA figures; ``rejected`` (not our authority) names the agency it belongs to;
* ``reopen`` takes a resolved, rejected or closed complaint back to ``in_progress``
  and clears ``resolved_at``/``closed_at``; the earlier resolution stays in the history.
  Only ``reopen`` does: ``in_progress`` on a finished complaint is refused, so
  choosing "Sedang ditangani" by mistake never reopens a case.

A refused change raises :class:`CaseError` with an English sentence for the CLI
and a stable ``code`` (with ``params``) that other faces translate — the desk
shows them in Indonesian (:mod:`aduan.desk.messages`).

Every change is a ``complaint_events`` row (actor, time, from, to, note). The CLI
(``aduan complaint update``), the desk UI and partners' API all come here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from aduan.core.clock import utcnow
from aduan.core.errors import AduanError
from aduan.store.models import Complaint, ComplaintEvent, ComplaintSource

complaints = Complaint.__table__  # type: ignore[attr-defined]
events = ComplaintEvent.__table__  # type: ignore[attr-defined]
sources = ComplaintSource.__table__  # type: ignore[attr-defined]

CHANGES = ("in_progress", "resolved", "rejected", "closed", "reopen")
OPEN = ("new", "triaged", "in_progress")
CLOSED = ("resolved", "rejected", "closed", "duplicate")


class CaseError(AduanError):
    """A change that cannot be made (unknown reference, missing note, ...).

    ``code`` names the rule (``not_found``, ``note_required``, ...); ``params`` the
    values a translated message needs.
    """

    def __init__(self, message: str, code: str = "invalid", **params: str) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class StatusChange:
    reference: str
    before: str
    after: str
    at: datetime
    complaint_id: int = 0
    event_id: int = 0
    """The ``complaint_events`` row that records the change."""
    note: str | None = None
    agency: str | None = None


def find_complaint(conn: Connection, reference: str) -> Any:
    """The complaint row for a reference, or for a reference reserved on one of its sources."""
    row = conn.execute(select(complaints).where(complaints.c.reference == reference)).first()
    if row is None:
        alias = conn.execute(
            select(sources.c.complaint_id).where(sources.c.reference == reference)
        ).scalar_one_or_none()
        if alias is not None:
            row = conn.execute(select(complaints).where(complaints.c.id == alias)).first()
    return row


def _check(status: str, current: str, note: str | None, agency: str | None) -> str:
    if status not in CHANGES:
        raise CaseError(
            f"unknown status {status!r}; one of: {', '.join(CHANGES)}", "unknown_status"
        )
    if current == "duplicate":
        raise CaseError(
            "a duplicate follows the complaint it duplicates; update that one", "is_duplicate"
        )
    if status == "reopen":
        if current not in CLOSED:
            raise CaseError(
                f"only a resolved, rejected or closed complaint can reopen ({current})",
                "reopen_open",
                status=current,
            )
        return "in_progress"
    if status == current:
        raise CaseError(f"the complaint is already {current}", "same_status", status=current)
    if status == "in_progress" and current in CLOSED:
        raise CaseError(
            f"the complaint is {current}; reopen it to work on it again (reopen)",
            "closed_use_reopen",
            status=current,
        )
    if status == "resolved" and not (note and note.strip()):
        raise CaseError("a resolution needs a note saying what was done (--note)", "note_required")
    if status == "rejected" and not (agency and agency.strip()):
        raise CaseError(
            "a rejection needs the agency the complaint belongs to (--agency)", "agency_required"
        )
    return status


def update_status(
    engine: Engine,
    reference: str,
    status: str,
    *,
    actor: str,
    note: str | None = None,
    agency: str | None = None,
    at: datetime | None = None,
    after: Callable[[Connection, StatusChange], None] | None = None,
) -> StatusChange:
    """Change a complaint's status and record who did it; CaseError when not allowed.

    ``after`` runs inside the same transaction with the change (the replies queue
    the citizen's message there: :func:`aduan.replies.events.change_status`)."""
    when = at or utcnow()
    with engine.begin() as conn:
        row = find_complaint(conn, reference)
        if row is None:
            raise CaseError(
                f"no complaint with reference {reference}", "not_found", reference=reference
            )
        new = _check(status, row.status, note, agency)
        values: dict[str, Any] = {"status": new, "updated_at": when}
        if new == "resolved":
            values["resolved_at"] = when
        elif new in ("closed", "rejected"):
            values["closed_at"] = when
        if status == "reopen":
            values.update(resolved_at=None, closed_at=None)
        conn.execute(complaints.update().where(complaints.c.id == row.id).values(**values))
        recorded = conn.execute(
            events.insert().values(
                complaint_id=row.id,
                at=when,
                actor=actor,
                kind="reopened" if status == "reopen" else "status",
                from_status=row.status,
                to_status=new,
                note=note,
                details={"agency": agency} if agency else {},
            )
        )
        change = StatusChange(
            row.reference,
            row.status,
            new,
            when,
            complaint_id=row.id,
            event_id=int(recorded.inserted_primary_key[0]),  # type: ignore[index]
            note=note,
            agency=agency,
        )
        if after is not None:
            after(conn, change)
    return change


def history(engine: Engine, complaint_id: int) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(events)
                .where(events.c.complaint_id == complaint_id)
                .order_by(events.c.at, events.c.id)
            )
        )


def latest_note(engine_or_conn: Engine | Connection, complaint_id: int) -> str | None:
    query = (
        select(events.c.note, events.c.to_status, events.c.details)
        .where(events.c.complaint_id == complaint_id, events.c.note.is_not(None))
        .order_by(events.c.at.desc(), events.c.id.desc())
        .limit(1)
    )
    if isinstance(engine_or_conn, Engine):
        with engine_or_conn.connect() as conn:
            found = conn.execute(query).first()
    else:
        found = engine_or_conn.execute(query).first()
    if found is None:
        return None
    note: str = found.note
    agency = (found.details or {}).get("agency")
    if found.to_status == "rejected" and agency:
        note = f"{note} (kewenangan {agency})"
    return note
