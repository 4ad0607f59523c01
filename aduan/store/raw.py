"""Writing the raw archive: batches of raw messages and the cursor that covers them.

:func:`save_batch` is the one way raw rows enter the store. It inserts with
insert-or-ignore on ``(channel, account, external_id)`` and writes the
channel's new cursor in the same transaction, so a crash at any point loses
nothing and duplicates nothing. When some row cannot be written (a constraint
other than the unique key), the batch is retried row by row inside savepoints:
the good rows are kept and the bad ones are reported, never silently dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, OperationalError

from aduan.core.clock import utcnow
from aduan.core.errors import StoreUnavailable
from aduan.core.messages import Cursor, RawMessage
from aduan.store.models import channel_cursors, raw_messages


@dataclass
class SaveResult:
    """What a batch did: new row ids by external id, duplicates, rows that failed."""

    new: dict[str, int] = field(default_factory=dict)
    duplicates: list[str] = field(default_factory=list)
    inserted: set[tuple[str, str, str]] = field(default_factory=set)
    """(channel, account, external_id) of every new row, for batches that mix sources."""
    rejected: list[tuple[RawMessage, str]] = field(default_factory=list)


def upsert_statement(conn: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """The dialect's INSERT, which knows ON CONFLICT on both databases."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _row(raw: RawMessage, fetched_at: datetime) -> dict[str, Any]:
    return {
        "channel": raw.channel,
        "account": raw.account,
        "external_id": raw.external_id,
        "received_at": raw.received_at,
        "fetched_at": fetched_at,
        "payload": raw.payload,
        "content_type": raw.content_type,
        "content_hash": raw.content_hash,
        "meta": dict(raw.meta),
        "status": "pending",
        "attempts": 0,
    }


def insert_raws(conn: Connection, raws: Sequence[RawMessage]) -> SaveResult:
    """Insert-or-ignore ``raws`` inside the caller's transaction."""
    result = SaveResult()
    if not raws:
        return result
    fetched_at = utcnow()
    rows = [_row(raw, fetched_at) for raw in raws]
    stmt = (
        upsert_statement(conn, raw_messages)
        .on_conflict_do_nothing(index_elements=["channel", "account", "external_id"])
        .returning(
            raw_messages.c.id,
            raw_messages.c.channel,
            raw_messages.c.account,
            raw_messages.c.external_id,
        )
    )
    try:
        with conn.begin_nested():
            for row_id, channel, account, external_id in conn.execute(stmt, rows).all():
                result.new[external_id] = row_id
                result.inserted.add((channel, account, external_id))
    except OperationalError:
        raise
    except DBAPIError:
        # One row breaks a constraint: keep every other row, report the bad one.
        result = SaveResult()
        for raw, row in zip(raws, rows, strict=True):
            try:
                with conn.begin_nested():
                    inserted = conn.execute(stmt, [row]).all()
            except OperationalError:
                raise
            except DBAPIError as exc:
                result.rejected.append((raw, str(exc.orig or exc).splitlines()[0]))
                continue
            if inserted:
                result.new[raw.external_id] = inserted[0][0]
                result.inserted.add((raw.channel, raw.account, raw.external_id))
            else:
                result.duplicates.append(raw.external_id)
        return result
    result.duplicates = [
        r.external_id for r in raws if (r.channel, r.account, r.external_id) not in result.inserted
    ]
    return result


def write_cursor(conn: Connection, channel: str, account: str, value: Cursor) -> None:
    """Upsert the cursor of ``channel/account`` inside the caller's transaction."""
    stmt = upsert_statement(conn, channel_cursors).values(
        channel=channel, account=account, value=value, updated_at=utcnow()
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["channel", "account"],
        set_={"value": stmt.excluded.value, "updated_at": stmt.excluded.updated_at},
    )
    conn.execute(stmt)


def set_status(
    conn: Connection, raw_ids: Sequence[int], status: str, error: str | None = None
) -> None:
    """Mark raw rows pending/normalized/quarantined/ignored, with the error when quarantined."""
    if not raw_ids:
        return
    values: dict[str, Any] = {"status": status, "error": error}
    if status != "pending":
        values["normalized_at"] = utcnow()
    conn.execute(raw_messages.update().where(raw_messages.c.id.in_(list(raw_ids))).values(**values))


def read_cursor(engine: Engine, channel: str, account: str) -> Cursor | None:
    with engine.connect() as conn:
        value = conn.execute(
            select(channel_cursors.c.value).where(
                channel_cursors.c.channel == channel, channel_cursors.c.account == account
            )
        ).scalar_one_or_none()
    return dict(value) if value is not None else None


def save_batch(
    engine: Engine,
    raws: Sequence[RawMessage],
    cursor: tuple[str, str, Cursor] | None = None,
) -> SaveResult:
    """Store ``raws`` and, when given, the cursor ``(channel, account, value)``, atomically."""
    try:
        with engine.begin() as conn:
            result = insert_raws(conn, raws)
            if cursor is not None:
                write_cursor(conn, *cursor)
    except OperationalError as exc:
        raise StoreUnavailable(
            f"store unavailable: {str(exc.orig or exc).splitlines()[0]}"
        ) from exc
    return result
