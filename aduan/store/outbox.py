"""The outbox: messages to citizens, queued with their cause, sent once, their fate recorded.

A row's life::

    queue() ─▶ queued ─claim_due()─▶ sending ─record_sent()─▶ sent ─receipt─▶ delivered
                  ▲                     │                        └──receipt─▶ failed
                  └─ transient failure ─┤ (backoff; after max attempts: gave_up)
                                        └─ permanent failure ─▶ failed
    queued/failed/gave_up ─cancel()─▶ cancelled;  failed/gave_up/cancelled ─retry()─▶ queued

* :func:`queue` (one message) and :func:`queue_many` (a batch: one look-up of
  contact preferences, one multi-row insert) write in the caller's
  transaction (the event that causes the message commits with it or not at
  all), keyed by :func:`outbox_key` with ``ON CONFLICT DO NOTHING``, so a
  replay, a restart or a second replica queues it once; an identity that
  opted out (:func:`contact_allowed`) gets nothing queued.
* :func:`claim_due` hands due rows to one worker for a lease: PostgreSQL
  ``FOR UPDATE SKIP LOCKED`` (replicas never claim the same row); SQLite takes
  its writer lock at ``BEGIN IMMEDIATE``, so select-then-update is just as
  exclusive. A row whose lease ran out (its worker died) is due again; the
  provider sees the same key (its idempotency header) on the second try.
* Attempts are counted at claim time, so a worker that dies mid-send still
  uses one up.

``channel`` is the instance that sends, ``<type>/<name>`` (``sms/kannel``);
``recipient`` an identity (``tel:+62...``, ``mailto:...``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection, Engine, and_, func, or_, select, update

from aduan.core.clock import utcnow
from aduan.store.models import AuditEntry, contact_preferences, outbox
from aduan.store.raw import upsert_statement

STATUSES: tuple[str, ...] = (
    "queued",
    "sending",
    "sent",
    "delivered",
    "failed",
    "gave_up",
    "cancelled",
)
CANCELLABLE = ("queued", "failed", "gave_up")
RETRYABLE = ("failed", "gave_up", "cancelled")
ERROR_CHARS = 500

c = outbox.c
audit_log = AuditEntry.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How transient failures are retried: delays double from ``base`` up to ``most``."""

    max_attempts: int = 8
    backoff_base_seconds: float = 30.0
    backoff_max_seconds: float = 3600.0

    def delay(self, attempts: int, retry_after: float | None = None) -> float:
        """Seconds to wait after the ``attempts``-th failed try (never less than retry_after)."""
        wait = min(
            self.backoff_max_seconds, self.backoff_base_seconds * 2.0 ** max(0, attempts - 1)
        )
        return max(wait, retry_after or 0.0)


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One outbox row as read back."""

    id: int
    key: str
    complaint_id: int
    event: str
    channel: str
    recipient: str
    text: str
    subject: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    template: str | None
    last_inbound_at: datetime | None
    status: str
    provider_message_id: str | None
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    claimed_by: str | None
    claimed_until: datetime | None
    created_at: datetime
    sent_at: datetime | None
    updated_at: datetime

    @classmethod
    def of(cls, row: Any) -> OutboxRow:
        values = dict(row._mapping)
        values["references"] = tuple(values.get("references") or ())
        return cls(**values)


def outbox_key(complaint_id: int, event: str, recipient: str) -> str:
    """The idempotency key of the message for ``event`` of a complaint to ``recipient``."""
    return hashlib.sha256(f"{complaint_id}\x1f{event}\x1f{recipient}".encode()).hexdigest()


def contact_allowed(conn: Connection, identity: str) -> bool:
    """False when the identity opted out or a clerk marked it do-not-contact."""
    allowed = conn.execute(
        select(contact_preferences.c.allowed).where(contact_preferences.c.identity == identity)
    ).scalar_one_or_none()
    return allowed is None or bool(allowed)


def set_contact(conn: Connection, identity: str, *, allowed: bool, by: str, reason: str) -> None:
    """Record whether aduan may write to ``identity`` (who decided, why); the last word stands."""
    values = {"identity": identity, "allowed": allowed, "by": by, "reason": reason, "at": utcnow()}
    stmt = upsert_statement(conn, contact_preferences).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["identity"],
        set_={k: v for k, v in values.items() if k != "identity"},
    )
    conn.execute(stmt)


@dataclass(frozen=True, slots=True)
class Queued:
    """One message to queue (:func:`queue_many`)."""

    complaint_id: int
    event: str
    channel: str
    recipient: str
    text: str
    subject: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    template: str | None = None
    not_before: datetime | None = None
    last_inbound_at: datetime | None = None


def _blocked(conn: Connection, identities: set[str]) -> set[str]:
    """Those of ``identities`` that may not be contacted, in one query per 500."""
    found: set[str] = set()
    ordered = sorted(identities)
    for start in range(0, len(ordered), 500):
        found.update(
            conn.execute(
                select(contact_preferences.c.identity).where(
                    contact_preferences.c.identity.in_(ordered[start : start + 500]),
                    contact_preferences.c.allowed.is_(False),
                )
            ).scalars()
        )
    return found


def queue_many(conn: Connection, messages: Sequence[Queued]) -> int:
    """Queue messages in the caller's transaction: one look-up of the recipients' contact
    preferences, one multi-row insert; a message queued before (same complaint, event
    and recipient) or to a recipient who may not be contacted is left out. Returns
    how many rows were queued."""
    if not messages:
        return 0
    blocked = _blocked(conn, {m.recipient for m in messages})
    now = utcnow()
    rows: dict[str, dict[str, Any]] = {}
    for m in messages:
        if m.recipient in blocked:
            continue
        key = outbox_key(m.complaint_id, m.event, m.recipient)
        rows.setdefault(
            key,
            {
                "key": key,
                "complaint_id": m.complaint_id,
                "event": m.event,
                "channel": m.channel,
                "recipient": m.recipient,
                "text": m.text,
                "subject": m.subject,
                "in_reply_to": m.in_reply_to,
                "references": list(m.references),
                "template": m.template,
                "last_inbound_at": m.last_inbound_at,
                "status": "queued",
                "attempts": 0,
                "next_attempt_at": max(now, m.not_before) if m.not_before else now,
                "created_at": now,
                "updated_at": now,
            },
        )
    if not rows:
        return 0
    stmt = upsert_statement(conn, outbox).on_conflict_do_nothing(index_elements=["key"])
    # RETURNING makes SQLAlchemy send the rows as one INSERT ... VALUES (...), (...) per
    # page ("insertmanyvalues"), and tells which were new: a conflict returns nothing.
    return len(conn.execute(stmt.returning(c.id), list(rows.values())).all())


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
    last_inbound_at: datetime | None = None,
) -> bool:
    """Queue one message in the caller's transaction; False when it was queued before
    (same complaint, event and recipient) or the recipient may not be contacted."""
    message = Queued(
        complaint_id=complaint_id,
        event=event,
        channel=channel,
        recipient=recipient,
        text=text,
        subject=subject,
        in_reply_to=in_reply_to,
        references=references,
        template=template,
        not_before=not_before,
        last_inbound_at=last_inbound_at,
    )
    return queue_many(conn, [message]) == 1


def _due(now: datetime) -> Any:
    return or_(
        and_(c.status == "queued", c.next_attempt_at <= now),
        and_(c.status == "sending", c.claimed_until < now),
    )


def claim_due(
    engine: Engine, *, worker: str, limit: int, now: datetime, lease: timedelta
) -> list[OutboxRow]:
    """Up to ``limit`` due rows, now ``sending`` and leased to ``worker`` until now + lease."""
    with engine.begin() as conn:
        ids = (
            conn.execute(
                select(c.id)
                .where(_due(now))
                .order_by(c.next_attempt_at, c.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            .scalars()
            .all()
        )
        if not ids:
            return []
        rows = conn.execute(
            update(outbox)
            .where(c.id.in_(ids))
            .values(
                status="sending",
                claimed_by=worker,
                claimed_until=now + lease,
                attempts=c.attempts + 1,
                updated_at=now,
            )
            .returning(*outbox.c)
        ).all()
    return sorted((OutboxRow.of(r) for r in rows), key=lambda r: (r.next_attempt_at, r.id))


def record_sent(
    engine: Engine,
    row_id: int,
    provider_id: str | None,
    now: datetime,
    status: Literal["sent", "delivered"] = "sent",
) -> bool:
    """The provider took the message (``delivered`` when it says so at once)."""
    with engine.begin() as conn:
        done = conn.execute(
            update(outbox)
            .where(c.id == row_id, c.status == "sending")
            .values(
                status=status,
                provider_message_id=provider_id,
                sent_at=now,
                last_error=None,
                claimed_by=None,
                claimed_until=None,
                updated_at=now,
            )
        )
    return done.rowcount == 1


def record_failure(
    engine: Engine,
    row_id: int,
    error: str,
    transient: bool,
    now: datetime,
    policy: RetryPolicy,
    retry_after: float | None = None,
) -> str | None:
    """A failed try: a transient one is retried after a backoff until ``max_attempts``
    (then ``gave_up``), a permanent one is ``failed``. Returns the new status."""
    with engine.begin() as conn:
        attempts = conn.execute(
            select(c.attempts).where(c.id == row_id, c.status == "sending")
        ).scalar_one_or_none()
        if attempts is None:
            return None
        if not transient:
            status, when = "failed", now
        elif attempts >= policy.max_attempts:
            status, when = "gave_up", now
        else:
            status = "queued"
            when = now + timedelta(seconds=policy.delay(attempts, retry_after))
        conn.execute(
            update(outbox)
            .where(c.id == row_id)
            .values(
                status=status,
                next_attempt_at=when,
                last_error=error[:ERROR_CHARS],
                claimed_by=None,
                claimed_until=None,
                updated_at=now,
            )
        )
    return status


def release(engine: Engine, row_ids: list[int], until: datetime, now: datetime) -> None:
    """Hand claimed rows back untried (their provider is down or out of its rate): due
    again at ``until``, the attempt the claim counted given back."""
    if not row_ids:
        return
    with engine.begin() as conn:
        conn.execute(
            update(outbox)
            .where(c.id.in_(row_ids), c.status == "sending")
            .values(
                status="queued",
                next_attempt_at=until,
                attempts=c.attempts - 1,  # a claim counted one (so it is at least 1)
                claimed_by=None,
                claimed_until=None,
                updated_at=now,
            )
        )


RECEIPT_STATUS: Mapping[str, str] = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "failed": "failed",
}
# What a receipt may move a row from: a report never undoes a later one (delivered stays).
RECEIPT_FROM: Mapping[str, tuple[str, ...]] = {
    "sent": ("sending", "sent"),
    "delivered": ("sending", "sent", "failed"),
    "failed": ("sending", "sent"),
}


def record_receipt(
    conn: Connection,
    provider_message_id: str,
    status: str,
    *,
    channel: str | None = None,
    error: str | None = None,
) -> int:
    """A provider's delivery report for a message it took: ``delivered``/``read`` ->
    delivered, ``failed`` -> failed, ``sent`` -> sent. In the caller's transaction;
    returns the rows changed (0: no such message, or a later report already came)."""
    target = RECEIPT_STATUS.get(status)
    if target is None or not provider_message_id:
        return 0
    where = [c.provider_message_id == provider_message_id, c.status.in_(RECEIPT_FROM[target])]
    if channel is not None:
        where.append(c.channel == channel)
    values: dict[str, Any] = {"status": target, "updated_at": utcnow()}
    if target == "failed":
        values["last_error"] = (error or "the provider reported it undelivered")[:ERROR_CHARS]
    return conn.execute(update(outbox).where(*where).values(**values)).rowcount


def _operator_change(
    engine: Engine, row_id: int, now: datetime, actor: str | None, action: str, **values: Any
) -> bool:
    allowed = CANCELLABLE if action == "cancel" else RETRYABLE
    with engine.begin() as conn:
        done = conn.execute(
            update(outbox)
            .where(c.id == row_id, c.status.in_(allowed))
            .values(updated_at=now, **values)
        )
        if done.rowcount == 1 and actor:
            conn.execute(
                audit_log.insert().values(
                    at=now, actor=actor, action=f"outbox.{action}", subject=str(row_id), details={}
                )
            )
    return done.rowcount == 1


def cancel(engine: Engine, row_id: int, now: datetime, actor: str | None = None) -> bool:
    """Stop a message that was not sent (queued, failed or gave up); audited with ``actor``."""
    return _operator_change(engine, row_id, now, actor, "cancel", status="cancelled")


def retry(engine: Engine, row_id: int, now: datetime, actor: str | None = None) -> bool:
    """Queue a failed, given-up or cancelled message again, now, with fresh attempts."""
    return _operator_change(
        engine, row_id, now, actor, "retry", status="queued", attempts=0, next_attempt_at=now
    )


@dataclass(frozen=True, slots=True)
class Filters:
    status: str | None = None
    channel: str | None = None
    complaint_id: int | None = None
    limit: int = 50


def list_rows(engine: Engine, filters: Filters | None = None) -> list[OutboxRow]:
    """Rows newest first, narrowed by ``filters``."""
    filters = filters or Filters()
    query = select(outbox).order_by(c.id.desc()).limit(filters.limit)
    if filters.status:
        query = query.where(c.status == filters.status)
    if filters.channel:
        query = query.where(c.channel == filters.channel)
    if filters.complaint_id is not None:
        query = query.where(c.complaint_id == filters.complaint_id)
    with engine.connect() as conn:
        return [OutboxRow.of(r) for r in conn.execute(query)]


def get_row(engine: Engine, row_id: int) -> OutboxRow | None:
    with engine.connect() as conn:
        row = conn.execute(select(outbox).where(c.id == row_id)).first()
    return OutboxRow.of(row) if row is not None else None


def summary_of(conn: Connection, now: datetime) -> dict[str, Any]:
    """Queued and due counts, the oldest queued message's age, and per channel instance
    the count of messages in each status (what ``/healthz`` and ``/metrics`` show)."""
    per_channel: dict[str, dict[str, int]] = {}
    for channel, status, n in conn.execute(
        select(c.channel, c.status, func.count()).group_by(c.channel, c.status)
    ):
        per_channel.setdefault(channel, {})[status] = int(n)
    queued = sum(counts.get("queued", 0) for counts in per_channel.values())
    due = conn.execute(
        select(func.count(), func.min(c.next_attempt_at)).where(
            c.status == "queued", c.next_attempt_at <= now
        )
    ).one()
    oldest = conn.execute(
        select(func.min(c.created_at)).where(c.status.in_(("queued", "sending")))
    ).scalar()
    return {
        "queued": queued,
        "due": int(due[0]),
        "oldest_queued_seconds": round(max(0.0, (now - oldest).total_seconds()), 3)
        if oldest
        else 0.0,
        "oldest_due_seconds": round(max(0.0, (now - due[1]).total_seconds()), 3) if due[1] else 0.0,
        "channels": dict(sorted(per_channel.items())),
    }


def summary(engine: Engine, now: datetime) -> dict[str, Any]:
    with engine.connect() as conn:
        return summary_of(conn, now)


__all__ = [
    "STATUSES",
    "Filters",
    "OutboxRow",
    "Queued",
    "RetryPolicy",
    "cancel",
    "claim_due",
    "contact_allowed",
    "get_row",
    "list_rows",
    "outbox_key",
    "queue",
    "queue_many",
    "record_failure",
    "record_receipt",
    "record_sent",
    "release",
    "retry",
    "set_contact",
    "summary",
    "summary_of",
]
