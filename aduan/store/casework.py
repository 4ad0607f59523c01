"""A clerk's work on a case besides its status: notes, duplicates, splits.

* :func:`add_note` — an internal note (``complaint_events`` kind ``note``), never
  shown to the citizen;
* :func:`mark_duplicate` — the case is the same as another one: its status
  becomes ``duplicate``, ``extra.duplicate_of`` names the kept case, and both
  cases get an event;
* :func:`split_source` — a source message that was wrongly joined to a case
  (another person's message, another problem) becomes its own complaint: the
  source row, its raw message and its attachments move to a new complaint that
  starts ``new`` (to be triaged), with the reference reserved for that source
  at intake or a fresh one. The decision is recorded on both cases and in
  ``audit_log`` with who made it.

Each raises :class:`aduan.store.cases.CaseError` with a ``code`` when refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from aduan.core.clock import utcnow
from aduan.store.cases import CaseError, complaints, events, find_complaint, sources
from aduan.store.models import AttachmentRow, AuditEntry, raw_messages
from aduan.store.references import allocate

attachments = AttachmentRow.__table__  # type: ignore[attr-defined]
audit_log = AuditEntry.__table__  # type: ignore[attr-defined]
MAX_NOTE = 4000


@dataclass(frozen=True)
class Split:
    reference: str
    """The new complaint's reference."""
    complaint_id: int


def _case(conn: Connection, reference: str) -> Any:
    row = find_complaint(conn, reference)
    if row is None:
        raise CaseError(
            f"no complaint with reference {reference}", "not_found", reference=reference
        )
    return row


def _event(
    conn: Connection, row: Any, when: datetime, actor: str, kind: str, **values: Any
) -> None:
    conn.execute(
        events.insert().values(
            complaint_id=row.id,
            at=when,
            actor=actor,
            kind=kind,
            from_status=values.pop("from_status", None),
            to_status=values.pop("to_status", None),
            note=values.pop("note", None),
            details=values.pop("details", {}),
        )
    )


def _audit(
    conn: Connection, when: datetime, actor: str, action: str, subject: str, details: Any
) -> None:
    conn.execute(
        audit_log.insert().values(
            at=when, actor=actor, action=action, subject=subject, details=details
        )
    )


def add_note(engine: Engine, reference: str, note: str, *, actor: str) -> None:
    """An internal note on the case."""
    text = note.strip()
    if not text:
        raise CaseError("a note needs some text", "note_empty")
    if len(text) > MAX_NOTE:
        raise CaseError(
            f"a note is at most {MAX_NOTE} characters", "note_long", limit=str(MAX_NOTE)
        )
    with engine.begin() as conn:
        row = _case(conn, reference)
        _event(conn, row, utcnow(), actor, "note", note=text)


def mark_duplicate(
    engine: Engine, reference: str, original: str, *, actor: str, note: str | None = None
) -> None:
    """Mark ``reference`` as a duplicate of ``original`` (the case that is worked)."""
    when = utcnow()
    with engine.begin() as conn:
        row = _case(conn, reference)
        target = _case(conn, original.strip().upper())
        if target.id == row.id:
            raise CaseError("a case cannot duplicate itself", "duplicate_self")
        if row.status == "duplicate":
            raise CaseError("the complaint is already a duplicate", "is_duplicate")
        if target.status == "duplicate":
            kept = (target.extra or {}).get("duplicate_of", "")
            raise CaseError(
                f"{target.reference} is itself a duplicate (of {kept}); use that one",
                "target_duplicate",
                reference=target.reference,
                original=str(kept),
            )
        extra = {**(row.extra or {}), "duplicate_of": target.reference}
        conn.execute(
            complaints.update()
            .where(complaints.c.id == row.id)
            .values(status="duplicate", extra=extra, updated_at=when, closed_at=when)
        )
        details = {"duplicate_of": target.reference}
        _event(
            conn,
            row,
            when,
            actor,
            "duplicate",
            from_status=row.status,
            to_status="duplicate",
            note=note,
            details=details,
        )
        _event(conn, target, when, actor, "duplicate_joined", details={"duplicate": row.reference})
        _audit(conn, when, actor, "case_duplicate", row.reference, details)


def split_source(engine: Engine, reference: str, source_id: int, *, actor: str) -> Split:
    """Make source ``source_id`` of case ``reference`` a complaint of its own."""
    when = utcnow()
    with engine.begin() as conn:
        row = _case(conn, reference)
        source = conn.execute(
            select(sources).where(sources.c.id == source_id, sources.c.complaint_id == row.id)
        ).first()
        if source is None:
            raise CaseError(
                f"no source {source_id} on {row.reference}", "no_source", reference=row.reference
            )
        if source.role == "first":
            raise CaseError("the first message is the case itself; it cannot split", "split_first")
        if row.status == "duplicate":
            raise CaseError("a duplicate follows the complaint it duplicates", "is_duplicate")
        text = source.text or row.text
        new_ref = source.reference or allocate(conn, "ADU", source.received_at.year)[0]
        values = {
            name: row._mapping[name]
            for name in ("account", "reporter_id", "language", "kelurahan", "kecamatan")
        }
        created = conn.execute(
            complaints.insert().values(
                reference=new_ref,
                channel=source.channel,
                text=text,
                original_text=text,
                match_text=row.match_text if source.text is None else "",
                received_at=source.received_at,
                created_at=when,
                updated_at=when,
                status="new",
                source_count=1,
                extra={"split_from": row.reference, "needs_review": True},
                **values,
            )
        )
        new_id = int(created.inserted_primary_key[0])  # type: ignore[index]
        conn.execute(
            sources.update()
            .where(sources.c.id == source.id)
            .values(complaint_id=new_id, role="first", reference=None)
        )
        conn.execute(
            raw_messages.update()
            .where(raw_messages.c.id == source.raw_message_id)
            .values(complaint_id=new_id)
        )
        conn.execute(
            attachments.update()
            .where(attachments.c.raw_message_id == source.raw_message_id)
            .values(complaint_id=new_id)
        )
        left = conn.execute(
            select(func.count()).select_from(sources).where(sources.c.complaint_id == row.id)
        ).scalar_one()
        conn.execute(
            complaints.update()
            .where(complaints.c.id == row.id)
            .values(source_count=max(1, int(left)), updated_at=when)
        )
        details = {"source": source.id, "raw_message_id": source.raw_message_id}
        _event(conn, row, when, actor, "split", details={**details, "new": new_ref})
        new_row = conn.execute(select(complaints).where(complaints.c.id == new_id)).one()
        _event(conn, new_row, when, actor, "split_from", details={**details, "from": row.reference})
        _audit(conn, when, actor, "case_split", row.reference, {**details, "new": new_ref})
    return Split(new_ref, new_id)
