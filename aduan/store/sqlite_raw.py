"""Raw rows into SQLite at the driver level, and WAL checkpoints off the commit path.

For the webhook sink's writer thread (:mod:`aduan.web.sink`), which commits
the rows of many concurrent requests at once. Two costs matter there:

* CPU. :func:`aduan.store.save_batch` goes through SQLAlchemy Core, about
  90 µs of CPU per row; the writer shares the GIL with the event loop, so
  that is time the requests wait for. :class:`SqliteRawWriter` runs the same
  insert-or-ignore on the ``sqlite3`` connection itself, with the columns and
  encodings of :func:`aduan.store.raw.insert_raws` (datetimes as naive UTC
  text and ``meta`` as JSON, as SQLAlchemy writes them), the same
  rejected-row handling and the same error (:class:`StoreUnavailable` when
  the database cannot be written). A batch of new rows goes in with a few
  multi-row INSERTs, each one ``sqlite3_step`` run without the GIL (an
  ``executemany`` steps, and takes the GIL back, once a row: ~15% more of the
  writer's CPU for WhatsApp messages). A batch holding a duplicate or a row
  that breaks a constraint is undone to a savepoint and inserted one statement
  a row, so that the bad row fails alone (SQLite backs out that statement,
  the transaction goes on) and the good rows are kept.
* Stalls. A commit that crosses ``wal_autocheckpoint`` copies the WAL into
  the database file and fsyncs it before it returns (15-20 ms per 1,000
  pages on an idle disk, more on a busy one), and every waiting webhook
  waits too. The writer's connection checkpoints only past
  :data:`WAL_BACKSTOP_PAGES`; :class:`WalCheckpointer` runs PASSIVE
  checkpoints from its own thread and connection instead (they never block
  a writer), at most every ``interval`` seconds after a commit.

Durability is unchanged: every transaction is ``BEGIN IMMEDIATE`` ...
``COMMIT`` with ``synchronous=FULL`` (set by :mod:`aduan.store.engine`).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import PoolProxiedConnection

from aduan.core.clock import utcnow
from aduan.core.errors import StoreUnavailable
from aduan.core.logs import get_logger
from aduan.core.messages import RawMessage
from aduan.store.raw import SaveResult
from aduan.store.types import sqlite_text

log = get_logger("aduan.store.sqlite")

WAL_BACKSTOP_PAGES = 10_000
"""The writer's own ``wal_autocheckpoint`` (~40 MB of WAL). The WAL starts again from
its beginning only at a commit after a checkpoint that copied every frame, which a
checkpoint running beside a writer that never pauses does not do: under such a
burst the writer checkpoints the little that is left itself, at this size."""

COLUMNS = (
    "channel",
    "account",
    "external_id",
    "received_at",
    "fetched_at",
    "payload",
    "content_type",
    "content_hash",
    "meta",
)
_ROW = f"({', '.join('?' * len(COLUMNS))}, 'pending', 0)"
_HEAD = f"INSERT INTO raw_messages ({', '.join(COLUMNS)}, status, attempts) VALUES "
_CONFLICT = " ON CONFLICT (channel, account, external_id) DO NOTHING"
INSERT = _HEAD + _ROW + _CONFLICT
LARGEST_INSERT = 256
"""The most rows one statement of :func:`_insert_all` holds (9 values a row: far below
SQLite's limit on bound values)."""


@lru_cache(maxsize=16)
def insert_rows(rows: int) -> str:
    """One INSERT of ``rows`` rows."""
    return _HEAD + ", ".join([_ROW] * rows) + _CONFLICT


def _chunks(total: int) -> Iterator[tuple[int, int]]:
    """``(start, size)`` pieces of ``total`` rows whose sizes are powers of two, largest
    first: a batch of any size goes in with a few statements of a few distinct texts, each
    prepared once and kept by the driver's statement cache."""
    start, size = 0, LARGEST_INSERT
    while start < total:
        while size > total - start:
            size //= 2
        yield start, size
        start += size


class _Params:
    """The bound values of raw rows, with what repeats across a batch converted once: the
    rows of one request share their ``received_at`` (and most have no ``meta``)."""

    def __init__(self) -> None:
        self.fetched_at = sqlite_text(utcnow())
        self._times: dict[datetime, str] = {}

    def __call__(self, raw: RawMessage) -> tuple[object, ...]:
        received = self._times.get(raw.received_at)
        if received is None:
            received = self._times[raw.received_at] = sqlite_text(raw.received_at)
        return (
            raw.channel,
            raw.account,
            raw.external_id,
            received,
            self.fetched_at,
            raw.payload,
            raw.content_type,
            raw.content_hash,
            json.dumps(dict(raw.meta)) if raw.meta else "{}",
        )


def insert_raws_sqlite(conn: sqlite3.Connection, raws: Sequence[RawMessage]) -> SaveResult:
    """Insert-or-ignore ``raws`` inside the caller's transaction on ``conn``.

    A batch of new, valid rows (the usual webhook batch) goes in with multi-row INSERTs;
    their ids are the ones SQLite hands out in order, which the rowid range confirms.
    A batch with a duplicate or a bad row is undone to a savepoint and inserted row by row.
    """
    params = _Params()
    return _insert_all(conn, raws, params) or _insert_each(conn, raws, params)


def _insert_all(
    conn: sqlite3.Connection, raws: Sequence[RawMessage], params: _Params
) -> SaveResult | None:
    """All of ``raws`` as new rows, or None (and nothing written) when that is not so."""
    values: list[object] = []  # row after row, len(COLUMNS) values a row
    try:
        for raw in raws:
            values.extend(params(raw))
    except (TypeError, ValueError):
        return None  # a value that cannot be bound: the row-by-row path names it
    width = len(COLUMNS)
    conn.execute("SAVEPOINT raws")
    try:
        top = conn.execute("SELECT max(rowid) FROM raw_messages").fetchone()[0] or 0
        inserted = 0
        for start, size in _chunks(len(raws)):
            chunk = values[start * width : (start + size) * width]
            inserted += conn.execute(insert_rows(size), chunk).rowcount
        last = conn.execute("SELECT last_insert_rowid()").fetchone()[0]
    except sqlite3.OperationalError:
        raise
    except (sqlite3.Error, TypeError, ValueError):
        inserted, last = -1, 0
    if inserted != len(raws) or last != top + len(raws):
        conn.execute("ROLLBACK TO raws")
        conn.execute("RELEASE raws")
        return None
    conn.execute("RELEASE raws")
    result = SaveResult()
    for rowid, raw in enumerate(raws, top + 1):
        result.new[raw.external_id] = rowid
        result.inserted.add((raw.channel, raw.account, raw.external_id))
    return result


def _insert_each(
    conn: sqlite3.Connection, raws: Sequence[RawMessage], params: _Params
) -> SaveResult:
    """One statement a row: a row that breaks a constraint fails alone."""
    result = SaveResult()
    cursor = conn.cursor()
    for raw in raws:
        try:
            cursor.execute(INSERT, params(raw))
        except sqlite3.OperationalError:
            raise
        except (sqlite3.Error, TypeError, ValueError) as exc:
            # A constraint (NOT NULL...) or a value the driver cannot bind: SQLite
            # backed out this statement only; the transaction and the other rows stand.
            result.rejected.append((raw, str(exc).splitlines()[0]))
            continue
        key = (raw.channel, raw.account, raw.external_id)
        if cursor.rowcount == 1 and cursor.lastrowid is not None:
            result.new[raw.external_id] = cursor.lastrowid
            result.inserted.add(key)
        else:
            result.duplicates.append(raw.external_id)
    cursor.close()
    return result


def _open(engine: Engine) -> tuple[PoolProxiedConnection, sqlite3.Connection]:
    """A connection of the engine's own (pragmas applied), detached from its pool so that
    the settings changed here never reach another user."""
    proxied = engine.raw_connection()
    dbapi = proxied.driver_connection
    assert isinstance(dbapi, sqlite3.Connection)
    proxied.detach()
    return proxied, dbapi


class SqliteRawWriter:
    """Commits batches of raw rows on one connection, for one thread at a time."""

    def __init__(self, engine: Engine, on_commit: threading.Event | None = None) -> None:
        self.engine = engine
        self.on_commit = on_commit
        """Set after every commit (the checkpointer waits on it)."""
        self._conn: tuple[PoolProxiedConnection, sqlite3.Connection] | None = None

    def open(self) -> None:
        """Connect now rather than at the first batch (a failure waits for that batch)."""
        try:
            self._connection()
        except (sqlite3.Error, SQLAlchemyError) as exc:
            log.warning("sqlite_connect_failed", error=str(exc).splitlines()[0])

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = _open(self.engine)
            self._conn[1].execute(f"PRAGMA wal_autocheckpoint={WAL_BACKSTOP_PAGES}")
        return self._conn[1]

    def save(self, raws: Sequence[RawMessage]) -> SaveResult:
        """Store ``raws`` in one transaction; ``StoreUnavailable`` when it cannot be written."""
        if not raws:
            return SaveResult()
        try:
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = insert_raws_sqlite(conn, raws)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except (sqlite3.Error, SQLAlchemyError) as exc:  # the latter: connecting failed
            self.close()  # the next batch starts on a fresh connection
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            raise StoreUnavailable(f"store unavailable: {reason}") from exc
        if self.on_commit is not None:
            self.on_commit.set()
        return result

    def close(self) -> None:
        if self._conn is not None:
            proxied, _ = self._conn
            self._conn = None
            try:
                proxied.close()
            except sqlite3.Error as exc:
                log.warning("sqlite_close_failed", error=str(exc))


class WalCheckpointer:
    """PASSIVE WAL checkpoints from a thread of their own, after commits, at most every
    ``interval`` seconds. A PASSIVE checkpoint copies what it can without waiting for or
    blocking the writer; the WAL restarts from its beginning at the next commit after a
    checkpoint that caught up."""

    def __init__(self, engine: Engine, interval: float = 0.25) -> None:
        self.engine = engine
        self.interval = interval
        self.dirty = threading.Event()
        """Set by the writer after a commit."""
        self.runs = 0
        """Checkpoints done."""
        self.last: tuple[int, int, int] | None = None
        """The last checkpoint's (busy, frames in the WAL, frames copied)."""
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._stopping.set()
            self.dirty.set()
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        conn: tuple[PoolProxiedConnection, sqlite3.Connection] | None = None
        try:
            while True:
                self.dirty.wait()
                if self._stopping.is_set():
                    return
                self.dirty.clear()
                try:
                    conn = conn or _open(self.engine)
                    busy, frames, copied = (
                        conn[1].execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    )
                except (sqlite3.Error, SQLAlchemyError) as exc:
                    log.warning("wal_checkpoint_failed", error=str(exc).splitlines()[0])
                    if conn is not None:
                        conn[0].close()
                        conn = None
                else:
                    self.last = (busy, frames, copied)
                    self.runs += 1
                self._stopping.wait(self.interval)
        finally:
            if conn is not None:
                conn[0].close()
