"""Everything the case page shows about one complaint, read in one connection.

The complaint's full text; every source message in order (the first, resends,
follow-ups, edits, the same complaint from another channel) with channel and
time; the attachments (served by ``/desk/lampiran/{id}``); the reporter as
masked identities (:func:`aduan.core.privacy.show_identity`) with their other
complaints; the incident with its category, place and sibling complaints; the
latest triage decision with the rules that made it; the deadline's state
(:mod:`aduan.triage.deadline`) and the history, escalation named as such.
Lists of other complaints keep to what the viewer may see (:func:`access.scope`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, or_, select

from aduan.core.privacy import show_identity
from aduan.desk.access import Viewer, scope
from aduan.desk.dashboard import incident_place
from aduan.desk.labels import category_name, channel_name
from aduan.store.cases import events, find_complaint, sources
from aduan.store.models import (
    AttachmentRow,
    Incident,
    ReporterIdentity,
    TriageDecision,
    complaints,
    raw_messages,
)
from aduan.triage.calendar import OfficeCalendar
from aduan.triage.deadline import deadline_state, local_time
from aduan.triage.services import agency_name
from aduan.web.track import STATUS_ID, event_label

attachments = AttachmentRow.__table__  # type: ignore[attr-defined]
incidents = Incident.__table__  # type: ignore[attr-defined]
identities = ReporterIdentity.__table__  # type: ignore[attr-defined]
decisions = TriageDecision.__table__  # type: ignore[attr-defined]

ROLES = {
    "first": "Pesan pertama",
    "resend": "Dikirim ulang",
    "followup": "Tindak lanjut",
    "edit": "Suntingan",
}
SOURCES = {
    "rules": "Aturan kata kunci",
    "model": "Model terlatih",
    "blend": "Aturan dan model",
    "manual": "Keputusan petugas",
    "fallback": "Antrean petugas (tidak cocok aturan)",
}
EVENT_KINDS = {
    "note": "Catatan internal",
    "duplicate": "Ditandai duplikat",
    "duplicate_joined": "Aduan lain digabung ke sini",
    "split": "Pesan dipisah menjadi aduan baru",
    "split_from": "Dipisah dari aduan lain",
}


def _brief(row: Any, calendar: OfficeCalendar, now: datetime) -> dict[str, Any]:
    deadline = deadline_state(row.due_at, row.status, now, calendar)
    return {
        "reference": row.reference,
        "status": STATUS_ID.get(row.status, row.status),
        "category": category_name(row.category),
        "received": local_time(row.received_at, calendar.tz),
        "deadline": deadline,
    }


def _others(conn: Connection, viewer: Viewer, where: Any, own: int) -> list[Any]:
    c = complaints.c
    return list(
        conn.execute(
            select(c.reference, c.status, c.category, c.received_at, c.due_at)
            .where(where, c.id != own, scope(viewer, c.agency))
            .order_by(c.received_at.desc())
            .limit(20)
        )
    )


def _event_text(event: Any) -> str:
    if event.kind in EVENT_KINDS:
        return EVENT_KINDS[event.kind]
    return event_label(event.kind, event.to_status)


def _event_details(event: Any) -> str | None:
    details = event.details or {}
    for key, label in (
        ("duplicate_of", "duplikat dari"),
        ("duplicate", "duplikat:"),
        ("new", "aduan baru"),
        ("from", "dari aduan"),
    ):
        if details.get(key):
            return f"{label} {details[key]}"
    if event.kind == "status" and event.to_status == "rejected" and details.get("agency"):
        return f"berwenang: {agency_name(details['agency'])}"
    return None


def case_file(
    conn: Connection, reference: str, viewer: Viewer, calendar: OfficeCalendar, now: datetime
) -> dict[str, Any] | None:
    """The page's context for ``reference``, or None when there is no such complaint."""
    row = find_complaint(conn, reference)
    if row is None:
        return None
    zone = calendar.tz
    c = complaints.c
    source_rows = conn.execute(
        select(sources, raw_messages.c.account)
        .join(raw_messages, raw_messages.c.id == sources.c.raw_message_id)
        .where(sources.c.complaint_id == row.id)
        .order_by(sources.c.received_at, sources.c.id)
    ).all()
    raw_ids = [s.raw_message_id for s in source_rows]
    files = conn.execute(
        select(attachments)
        .where(or_(attachments.c.complaint_id == row.id, attachments.c.raw_message_id.in_(raw_ids)))
        .order_by(attachments.c.id)
    ).all()
    reporter: dict[str, Any] | None = None
    if row.reporter_id is not None:
        found = conn.execute(
            select(identities.c.identity)
            .where(identities.c.reporter_id == row.reporter_id)
            .order_by(identities.c.id)
        ).scalars()
        reporter = {
            "identities": [show_identity(i) for i in found],
            "others": [
                _brief(o, calendar, now)
                for o in _others(conn, viewer, c.reporter_id == row.reporter_id, row.id)
            ],
        }
    incident: dict[str, Any] | None = None
    if row.incident_id is not None:
        inc = conn.execute(select(incidents).where(incidents.c.id == row.incident_id)).first()
        if inc is not None:
            incident = {
                "reference": inc.reference,
                "category": category_name(inc.category),
                "place": incident_place(inc) or inc.address,
                "count": inc.complaint_count,
                "siblings": [
                    _brief(o, calendar, now)
                    for o in _others(conn, viewer, c.incident_id == row.incident_id, row.id)
                ],
            }
    decision = conn.execute(
        select(decisions)
        .where(decisions.c.complaint_id == row.id)
        .order_by(decisions.c.at.desc(), decisions.c.id.desc())
        .limit(1)
    ).first()
    triage = None
    if decision is not None:
        triage = {
            "source": SOURCES.get(decision.source, decision.source),
            "score": decision.score,
            "rules": [str(r) for r in (decision.rules or [])][:12],
            "actor": decision.actor,
            "at": local_time(decision.at, zone),
        }
    history = conn.execute(
        select(events).where(events.c.complaint_id == row.id).order_by(events.c.at, events.c.id)
    ).all()
    finished = row.resolved_at is not None or row.closed_at is not None
    extra = row.extra or {}
    return {
        "id": row.id,
        "reference": row.reference,
        "status_code": row.status,
        "state": STATUS_ID.get(row.status, row.status),
        "text": row.original_text or row.text,
        "subject": row.subject,
        "hint": category_name(extra.get("hint")),
        "duplicate_of": extra.get("duplicate_of"),
        "split_from": extra.get("split_from"),
        "channel": channel_name(row.channel),
        "category": category_name(row.category),
        "category_code": row.category,
        "agency": agency_name(row.agency),
        "agency_code": row.agency,
        "priority": row.priority,
        "place": ", ".join(
            p
            for p in (
                row.address,
                f"Kel. {row.kelurahan}" if row.kelurahan else None,
                f"Kec. {row.kecamatan}" if row.kecamatan else None,
            )
            if p
        ),
        "received": local_time(row.received_at, zone),
        "due": local_time(row.due_at, zone),
        "deadline": deadline_state(row.due_at, row.status, now, calendar, finished=finished),
        "sources": [
            {
                "id": s.id,
                "role": ROLES.get(s.role, s.role),
                "first": s.role == "first",
                "channel": channel_name(s.channel),
                "account": s.account,
                "at": local_time(s.received_at, zone),
                "text": s.text if s.role != "first" else None,
                "reference": s.reference,
            }
            for s in source_rows
        ],
        "attachments": [
            {
                "id": f.id,
                "name": f.filename or "lampiran",
                "type": f.content_type,
                "size": f.size,
                "image": f.stored and f.content_type.startswith("image/"),
                "stored": f.stored,
                "url": f.url,
            }
            for f in files
        ],
        "reporter": reporter,
        "incident": incident,
        "triage": triage,
        "history": [
            {
                "at": local_time(e.at, zone),
                "actor": "sistem (tenggat)" if e.actor == "escalation" else e.actor,
                "kind": e.kind,
                "text": _event_text(e),
                "late": e.kind == "overdue",
                "note": e.note,
                "details": _event_details(e),
            }
            for e in history
        ],
    }
