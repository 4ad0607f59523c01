"""The outbox (a minimal stand-in): messages to citizens, queued with the event that causes them.

This module is the store API the replies code (:mod:`aduan.replies`) writes
through; the outbox-core branch owns the real table, its send job and its
operators' commands, with exactly these four functions:

* :func:`outbox_key` — the idempotency key of (complaint, event, recipient);
* :func:`queue` — one row, in the caller's transaction; False when the key is
  already there (a replay) or the recipient may not be contacted;
* :func:`set_contact` / :func:`contact_allowed` — an identity's STOP / MULAI,
  or a clerk's "do not contact".
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    select,
)
from sqlmodel import SQLModel

from aduan.core.clock import utcnow
from aduan.store.raw import upsert_statement
from aduan.store.types import BigID, JSONType, UTCDateTime

outbox = Table(
    "outbox",
    SQLModel.metadata,
    Column("id", BigID, primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False, unique=True),
    Column("complaint_id", BigID, ForeignKey("complaints.id"), nullable=False),
    Column("event", String(64), nullable=False),
    Column("channel", String(100), nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("text", Text, nullable=False),
    Column("subject", Text, nullable=True),
    Column("in_reply_to", Text, nullable=True),
    Column("references_", JSONType, nullable=False),
    Column("template", String(100), nullable=True),
    Column("status", String(16), nullable=False, server_default="queued"),
    Column("not_before", UTCDateTime(), nullable=True),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_outbox_complaint", "complaint_id"),
    Index("ix_outbox_status_next", "status", "next_attempt_at"),
    extend_existing=True,
)

contact_preferences = Table(
    "contact_preferences",
    SQLModel.metadata,
    Column("identity", String(320), primary_key=True),
    Column("allowed", Boolean, nullable=False),
    Column("reason", Text, nullable=False),
    Column("by", String(100), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    extend_existing=True,
)


def outbox_key(complaint_id: int, event: str, recipient: str) -> str:
    """``<complaint>:<event>:<hash of recipient>`` — the same message is never queued twice."""
    digest = hashlib.blake2b(recipient.encode(), digest_size=8).hexdigest()
    return f"{complaint_id}:{event}:{digest}"[:200]


def contact_allowed(conn: Connection, identity: str) -> bool:
    """False when the identity said STOP (or a clerk marked it) and has not said MULAI."""
    found = conn.execute(
        select(contact_preferences.c.allowed).where(contact_preferences.c.identity == identity)
    ).scalar_one_or_none()
    return found is None or bool(found)


def set_contact(conn: Connection, identity: str, *, allowed: bool, by: str, reason: str) -> None:
    """Record whether ``identity`` may be written to, by whom and why (the last word stands)."""
    values = {"allowed": allowed, "by": by[:100], "reason": reason, "at": utcnow()}
    stmt = upsert_statement(conn, contact_preferences).values(identity=identity, **values)
    conn.execute(stmt.on_conflict_do_update(index_elements=["identity"], set_=values))


def queue(
    conn: Connection,
    *,
    complaint_id: int,
    event: str,
    channel: str,
    recipient: str,
    text: str,
    subject: str | None = None,
    in_reply_to: str | None = None,
    references: tuple[str, ...] = (),
    template: str | None = None,
    not_before: datetime | None = None,
) -> bool:
    """Queue one message in the caller's transaction; False if the key existed or the
    recipient may not be contacted."""
    if not contact_allowed(conn, recipient):
        return False
    now = utcnow()
    stmt = upsert_statement(conn, outbox).values(
        key=outbox_key(complaint_id, event, recipient),
        complaint_id=complaint_id,
        event=event,
        channel=channel,
        recipient=recipient,
        text=text,
        subject=subject,
        in_reply_to=in_reply_to,
        references_=list(references),
        template=template,
        status="queued",
        not_before=not_before,
        next_attempt_at=max(now, not_before) if not_before else now,
        created_at=now,
    )
    added = stmt.on_conflict_do_nothing(index_elements=["key"]).returning(outbox.c.id)
    return conn.execute(added).first() is not None
