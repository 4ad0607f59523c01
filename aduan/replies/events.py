"""Events -> outbox rows, in the caller's transaction (see the table in :mod:`aduan.replies`).

Each hook takes the connection of the transaction that makes the change, so the
message is queued exactly when the change is committed, and never otherwise:

* :func:`on_created` — the normalizer, after it wrote a batch's new complaints;
* :func:`on_triaged` — triage, when the triage job or a human sets an agency;
* :func:`on_status` — :func:`aduan.store.cases.update_status`'s ``after``;
  :func:`change_status` is that function with the hook, for the desk, the CLI
  and the partners' API;
* :func:`on_overdue` — the escalation job;
* :func:`queue_reply` — a clerk's free text.

Texts are rendered by :mod:`.templates` from :class:`~.templates.Facts` the
complaint's own columns give; an SMS is kept within its part limit and
held until the quiet hours end (:mod:`.sms`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, select

from aduan.core.clock import utcnow
from aduan.core.errors import AduanError
from aduan.core.messages import Message
from aduan.core.privacy import mask_text
from aduan.replies import Setup, active
from aduan.replies.dates import wib
from aduan.replies.recipients import Recipient, first_contact, from_message
from aduan.replies.sms import after_quiet, fit
from aduan.replies.templates import Facts
from aduan.store.cases import StatusChange, update_status
from aduan.store.models import complaints
from aduan.store.outbox import Queued, queue_many
from aduan.store.references import check_code, check_key

STATUS_EVENTS = {"in_progress": "in_progress", "resolved": "resolved", "rejected": "rejected"}
"""The statuses a citizen hears about (a reopen is ``in_progress`` again; closing is silent)."""
_COLUMNS = (
    complaints.c.id,
    complaints.c.reference,
    complaints.c.category,
    complaints.c.agency,
    complaints.c.received_at,
    complaints.c.due_at,
)


@dataclass(frozen=True, slots=True)
class Created:
    """A complaint the normalizer just wrote, with the message that made it."""

    complaint: Mapping[str, Any]
    """Its row as written (reference, category, agency, received_at, due_at...)."""
    channel: str
    account: str
    message: Message


def _date(value: datetime | None, setup: Setup) -> str | None:
    return wib(value, setup.zone)


def facts(
    conn: Connection, complaint: Mapping[str, Any], setup: Setup, **more: str | None
) -> Facts:
    """What the templates may say about this complaint: its own columns, nothing else."""
    reference = str(complaint["reference"])
    key = setup.tracking_key(conn) if setup.tracking_key else None
    code = check_code(check_key(key), reference) if key else ""
    tracking = f"{reference}-{code}" if code else reference
    return Facts(
        reference=reference,
        code=code,
        link=f"{setup.base_url}/track/{tracking}",
        category=setup.category_name(complaint.get("category")),
        agency=setup.agency_name(complaint.get("agency")),
        received=_date(complaint.get("received_at"), setup),
        due=_date(complaint.get("due_at"), setup),
        **more,
    )


def render(event: str, recipient: Recipient, found: Facts, setup: Setup) -> str:
    """The message text; an SMS shortened to the part limit, reference and link kept."""
    text = setup.templates.render(event, recipient.kind, found)
    if recipient.kind == "sms":
        keep = tuple(k for k in (found.link, found.reference) if k)
        text = fit(text, setup.settings.sms.max_parts, keep)
    return text


def _subject(recipient: Recipient, reference: str) -> str | None:
    if recipient.kind != "email":
        return None
    subject = (recipient.subject or "").strip()
    if not subject:
        return f"Aduan {reference}"
    return subject if subject.lower().startswith("re:") else f"Re: {subject}"


def outgoing(
    conn: Connection,
    complaint: Mapping[str, Any],
    event: str,
    key: str,
    recipient: Recipient | None,
    *,
    setup: Setup,
    now: datetime | None = None,
    **more: str | None,
) -> Queued | None:
    """The message of ``event`` for the complaint's recipient, to queue under ``key``;
    None when there is no recipient or the event is off."""
    if recipient is None or not setup.settings.event_on(event):
        return None
    found = facts(conn, complaint, setup, **more)
    not_before = None
    if recipient.kind == "sms":
        not_before = after_quiet(now or utcnow(), setup.quiet, setup.zone)
    return Queued(
        complaint_id=int(complaint["id"]),
        event=key,
        channel=recipient.channel,
        recipient=recipient.identity,
        text=render(event, recipient, found, setup),
        subject=_subject(recipient, found.reference),
        in_reply_to=recipient.in_reply_to,
        references=recipient.references,
        template=setup.settings.provider_templates.get(event),
        not_before=not_before,
        last_inbound_at=recipient.last_inbound_at,
    )


def announce(
    conn: Connection,
    complaint: Mapping[str, Any],
    event: str,
    key: str,
    recipient: Recipient | None,
    *,
    setup: Setup | None = None,
    now: datetime | None = None,
    **more: str | None,
) -> bool:
    """Queue ``event`` for the complaint's recipient (if any, and if the event is on);
    True when a row was queued (False: off, no recipient, opted out, or already queued)."""
    setup = setup or active()
    message = outgoing(conn, complaint, event, key, recipient, setup=setup, now=now, **more)
    return message is not None and queue_many(conn, [message]) == 1


def on_created(conn: Connection, created: list[Created], now: datetime | None = None) -> int:
    """``received`` for each new complaint (not for one received longer ago than
    ``received_max_age_hours``: a backlog import greets nobody), queued together
    (:func:`~aduan.store.outbox.queue_many`); how many were queued."""
    setup = active()
    if not setup.settings.event_on("received"):
        return 0
    now = now or utcnow()
    oldest = now - timedelta(hours=setup.settings.received_max_age_hours)
    fresh = [item for item in created if item.complaint["received_at"] >= oldest]
    if not fresh:
        return 0
    if setup.tracking_key is not None:  # read once for the batch
        key = setup.tracking_key(conn)
        setup = replace(setup, tracking_key=lambda _conn: key)
    messages = []
    for item in fresh:
        recipient = from_message(item.channel, item.account, item.message, setup.settings)
        if recipient is not None:
            recipient = replace(recipient, last_inbound_at=item.complaint["received_at"])
        message = outgoing(
            conn, item.complaint, "received", "received", recipient, setup=setup, now=now
        )
        if message is not None:
            messages.append(message)
    return queue_many(conn, messages)


def _complaint(conn: Connection, complaint_id: int) -> Mapping[str, Any] | None:
    row = conn.execute(select(*_COLUMNS).where(complaints.c.id == complaint_id)).first()
    return None if row is None else dict(row._mapping)


def _recipient(conn: Connection, complaint_id: int, setup: Setup) -> Recipient | None:
    return first_contact(conn, complaint_id, setup.settings, setup.reader)


def on_triaged(conn: Connection, complaint_id: int, agency: str | None) -> bool:
    """``triaged`` when an agency is set (once per agency)."""
    setup = active()
    if agency is None or not setup.settings.event_on("triaged"):
        return False
    complaint = _complaint(conn, complaint_id)
    if complaint is None:
        return False
    recipient = _recipient(conn, complaint_id, setup)
    return announce(conn, complaint, "triaged", f"triaged:{agency}", recipient, setup=setup)


def on_status(conn: Connection, change: StatusChange) -> None:
    """The message of a status change (``after`` of :func:`update_status`)."""
    setup = active()
    event = STATUS_EVENTS.get(change.after)
    if event is None or not setup.settings.event_on(event):
        return
    complaint = _complaint(conn, change.complaint_id)
    if complaint is None:
        return
    note = mask_text(change.note) if change.note else None
    other = setup.agency_name(change.agency) if change.agency else None
    announce(
        conn,
        complaint,
        event,
        f"status:{change.event_id}",
        _recipient(conn, change.complaint_id, setup),
        setup=setup,
        note=note,
        other_agency=other,
    )


def on_overdue(conn: Connection, complaint_id: int) -> bool:
    """The apology when the deadline passed (off by default), once per complaint."""
    setup = active()
    if not setup.settings.event_on("overdue_apology"):
        return False
    complaint = _complaint(conn, complaint_id)
    if complaint is None:
        return False
    recipient = _recipient(conn, complaint_id, setup)
    return announce(conn, complaint, "overdue_apology", "overdue", recipient, setup=setup)


def change_status(
    engine: Engine,
    reference: str,
    status: str,
    *,
    actor: str,
    note: str | None = None,
    agency: str | None = None,
    at: datetime | None = None,
) -> StatusChange:
    """:func:`aduan.store.cases.update_status`, the citizen told in the same transaction."""
    return update_status(
        engine, reference, status, actor=actor, note=note, agency=agency, at=at, after=on_status
    )


class NoRecipient(AduanError):
    """The complaint has no one to answer: a walk-in without contact, or a silent channel."""


def queue_reply(conn: Connection, complaint_id: int, text: str) -> str:
    """Queue a clerk's free text to the first contact; its event name (``reply:<uuid>``).
    NoRecipient when there is no one to write to (or they said STOP)."""
    setup = active()
    complaint = _complaint(conn, complaint_id)
    recipient = _recipient(conn, complaint_id, setup)
    if complaint is None or recipient is None:
        raise NoRecipient("pelapor aduan ini tidak dapat dihubungi lewat kanal mana pun")
    event = f"reply:{uuid.uuid4()}"
    if not announce(conn, complaint, "reply", event, recipient, setup=setup, text=text.strip()):
        raise NoRecipient("pelapor tidak ingin dihubungi lagi (STOP) atau balasan dimatikan")
    return event
