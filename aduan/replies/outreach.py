"""What a clerk does about writing to a citizen: answer them, or stop (and resume) writing.

* :func:`reply` — a free text to the complaint's first contact, through the
  outbox (event ``reply:<uuid>``), audited;
* :func:`contact_reporter` — "do not contact" for the complaint's first contact
  (or its undoing), the same record a citizen's STOP makes, audited;
* :func:`set_identity` — the same for an identity typed in
  (``aduan reporter contact --off tel:+62...``).
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine

from aduan.core.clock import utcnow
from aduan.core.errors import AduanError
from aduan.core.identity import email_identity, phone_identity
from aduan.core.privacy import mask_identity
from aduan.replies import active
from aduan.replies.events import NoRecipient, queue_reply
from aduan.replies.recipients import first_contact
from aduan.store.cases import find_complaint
from aduan.store.models import AuditEntry
from aduan.store.outbox import set_contact

audit_log = AuditEntry.__table__  # type: ignore[attr-defined]
MAX_REPLY = 1000


def reply(engine: Engine, reference: str, text: str, *, actor: str) -> str:
    """Queue ``text`` to the reporter of complaint ``reference``; the outbox event name."""
    text = text.strip()
    if not text:
        raise AduanError("tulis balasan untuk pelapor")
    if len(text) > MAX_REPLY:
        raise AduanError(f"balasan terlalu panjang (maksimal {MAX_REPLY} karakter)")
    with engine.begin() as conn:
        row = find_complaint(conn, reference)
        if row is None:
            raise AduanError(f"no complaint with reference {reference}")
        event = queue_reply(conn, row.id, text)
        conn.execute(
            audit_log.insert().values(
                at=utcnow(), actor=actor, action="reply", subject=row.reference, details={}
            )
        )
    return event


def contact_reporter(engine: Engine, reference: str, *, allowed: bool, actor: str) -> str:
    """Mark the first contact of complaint ``reference`` (not) to be written to; the
    identity, masked."""
    setup = active()
    with engine.begin() as conn:
        row = find_complaint(conn, reference)
        if row is None:
            raise AduanError(f"no complaint with reference {reference}")
        recipient = first_contact(conn, row.id, setup.settings, setup.reader)
        if recipient is None:
            raise NoRecipient("pelapor aduan ini tidak punya kontak untuk dikabari")
        _record(conn, recipient.identity, allowed, actor, f"clerk on {row.reference}")
    return mask_identity(recipient.identity)


def identity_of(text: str) -> str:
    """``tel:+62...``/``mailto:...`` as given, or built from a phone number or address."""
    text = text.strip()
    if ":" in text and not text.startswith("+"):
        return text
    if "@" in text:
        return email_identity(text)
    phone = phone_identity(text)
    if not phone.valid:
        raise AduanError("not an identity, a phone number or an e-mail address")
    return phone.identity


def set_identity(engine: Engine, identity: str, *, allowed: bool, actor: str, reason: str) -> str:
    """Record whether ``identity`` may be written to; the identity, masked."""
    with engine.begin() as conn:
        _record(conn, identity, allowed, actor, reason)
    return mask_identity(identity)


def _record(conn: Connection, identity: str, allowed: bool, actor: str, reason: str) -> None:
    set_contact(conn, identity, allowed=allowed, by=actor, reason=reason)
    conn.execute(
        audit_log.insert().values(
            at=utcnow(),
            actor=actor,
            action="contact_on" if allowed else "contact_off",
            subject=mask_identity(identity),
            details={"reason": reason},
        )
    )
