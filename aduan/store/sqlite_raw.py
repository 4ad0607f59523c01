"""Raw rows into SQLite at the driver level, and WAL checkpoints off the commit path.

For the webhook sink (:mod:`aduan.web.sink`), which commits the rows of many
concurrent requests at once. Three costs matter there:

* CPU. :func:`aduan.store.save_batch` goes through SQLAlchemy Core, about
  90 µs of CPU per row. The writers here run the same insert-or-ignore on a
  ``sqlite3`` connection (:mod:`aduan.store.sqlite_rows`), with the columns
  and encodings of :func:`aduan.store.raw.insert_raws` (datetimes as naive UTC
  text and ``meta`` as JSON, as SQLAlchemy writes them), the same
  rejected-row handling and the same error (:class:`StoreUnavailable` when
  the database cannot be written).
* The server's one CPU. :class:`SqliteRawWriter` commits from a thread of the
  server, sharing the GIL and the CPU with the event loop;
  :class:`ProcessRawWriter` (the default on a SQLite file) has a child process
  do the inserts and the commit, and the thread only hands batches over.
* Stalls. A commit that crosses ``wal_autocheckpoint`` copies the WAL into
  the database file and fsyncs it before it returns (15-20 ms per 1,000
  pages on an idle disk, more on a busy one), and every waiting webhook
  waits too. The writer's connection checkpoints only past
  :data:`WAL_BACKSTOP_PAGES`; :class:`WalCheckpointer` runs PASSIVE
  checkpoints from its own thread and connection instead (they never block
  a writer), at most every ``interval`` seconds after a commit.

Durability is unchanged: every transaction is ``BEGIN IMMEDIATE`` ...
``COMMIT`` with ``synchronous=FULL`` (set by :mod:`aduan.store.engine`, whose
pragmas the child applies too), and a webhook is answered only after its
rows' COMMIT returned.
"""

from __future__ import annotations

import json
import os
import pickle
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import PoolProxiedConnection

from aduan.core.clock import utcnow
from aduan.core.errors import StoreUnavailable
from aduan.core.logs import get_logger
from aduan.core.messages import RawMessage
from aduan.store.engine import is_sqlite, sqlite_path, sqlite_pragmas
from aduan.store.raw import SaveResult
from aduan.store.sqlite_rows import Outcome, Row, commit, first_line
from aduan.store.types import sqlite_text

log = get_logger("aduan.store.sqlite")

WAL_BACKSTOP_PAGES = 10_000
"""The writer's own ``wal_autocheckpoint`` (~40 MB of WAL). The WAL starts again from
its beginning only at a commit after a checkpoint that copied every frame, which a
checkpoint running beside a writer that never pauses does not do: under such a
burst the writer checkpoints the little that is left itself, at this size."""
CHILD_EXIT_SECONDS = 10.0
"""How long a closed intake process may take to finish its batch and exit before it is killed."""


class _Rows:
    """Raw messages as :data:`~aduan.store.sqlite_rows.Row` values, with what repeats
    across a batch converted once: the rows of one request share their ``received_at``
    (and most have no ``meta``)."""

    def __init__(self) -> None:
        self._times: dict[datetime, str] = {}

    def __call__(self, raw: RawMessage) -> Row:
        received = self._times.get(raw.received_at)
        if received is None:
            received = self._times[raw.received_at] = sqlite_text(raw.received_at)
        return (
            raw.channel,
            raw.account,
            raw.external_id,
            received,
            raw.payload,
            raw.content_type,
            json.dumps(dict(raw.meta)) if raw.meta else "{}",
        )


def rows_of(raws: Sequence[RawMessage]) -> tuple[list[Row], list[int], SaveResult]:
    """The rows of ``raws`` that can be encoded, the index in ``raws`` of each, and a result
    holding the ones that cannot (rejected: a ``meta`` that is not JSON, a wrong type)."""
    convert = _Rows()
    rows: list[Row] = []
    where: list[int] = []
    result = SaveResult()
    for i, raw in enumerate(raws):
        try:
            rows.append(convert(raw))
        except (TypeError, ValueError, AttributeError) as exc:
            result.rejected.append((raw, first_line(exc)))
            continue
        where.append(i)
    return rows, where, result


def outcomes_into(
    result: SaveResult, raws: Sequence[RawMessage], where: list[int], outcomes: Sequence[Outcome]
) -> SaveResult:
    """``result`` with what became of each row (``outcomes``, in the order of ``where``)."""
    for i, outcome in zip(where, outcomes, strict=True):
        raw = raws[i]
        if isinstance(outcome, str):
            result.rejected.append((raw, outcome))
        elif outcome:
            result.new[raw.external_id] = outcome
            result.inserted.add((raw.channel, raw.account, raw.external_id))
        else:
            result.duplicates.append(raw.external_id)
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
        rows, where, result = rows_of(raws)
        try:
            conn = self._connection()
            outcomes = commit(conn, rows, sqlite_text(utcnow()))
        except (sqlite3.Error, SQLAlchemyError) as exc:  # the latter: connecting failed
            self.close()  # the next batch starts on a fresh connection
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            raise StoreUnavailable(f"store unavailable: {reason}") from exc
        if self.on_commit is not None:
            self.on_commit.set()
        return outcomes_into(result, raws, where, outcomes)

    def close(self) -> None:
        if self._conn is not None:
            proxied, _ = self._conn
            self._conn = None
            try:
                proxied.close()
            except sqlite3.Error as exc:
                log.warning("sqlite_close_failed", error=str(exc))


def intake_file(engine: Engine) -> Path | None:
    """The SQLite file an intake process would commit to; None for an in-memory database
    or a database server."""
    return sqlite_path(engine.url) if is_sqlite(engine) else None


def _child_environment() -> dict[str, str]:
    """The server's environment without aduan's settings: the child needs no secret."""
    return {k: v for k, v in os.environ.items() if not k.upper().startswith("ADUAN_")}


@dataclass
class Sent:
    """A batch handed to the intake process, waiting for its answer."""

    raws: Sequence[RawMessage]
    where: list[int]
    result: SaveResult
    """The rows rejected before sending; the rest of the answer is added to it."""
    channel: Connection = field(repr=False)


class ProcessRawWriter:
    """:class:`SqliteRawWriter`'s contract, with the inserts and the commit run by a child
    process (:mod:`aduan.store.intake_child`) so that they have a CPU of their own.

    On a machine that gives one process's threads about one CPU between them, the writer
    thread's SQLite work (~13 µs of CPU a row, more a commit) was taken from the event loop
    answering the webhooks. Here the thread only encodes a batch (:func:`rows_of`), sends
    it over a socket pair and reads, without the GIL, the child's answer after its COMMIT.
    :meth:`send` and :meth:`receive` let the sink hand over the next batch while the child
    commits the last; the sink holds the file's write turn (:mod:`aduan.store.turns`)
    while any batch is in flight, so the child writes only when the thread would have.

    A child found stopped by :meth:`send` had not seen the batch, which goes to a new
    child. A child that stops while it holds batches fails them (``StoreUnavailable``: the
    requests are spooled or answered 503; had a COMMIT landed, the provider's retry is a
    duplicate), and the next batch starts a new child.
    """

    def __init__(self, engine: Engine, on_commit: threading.Event | None = None) -> None:
        path = intake_file(engine)
        if path is None:
            raise ValueError("the intake process needs a SQLite file (not in memory, not a server)")
        self.path = path
        self.pragmas = [*sqlite_pragmas(), f"PRAGMA wal_autocheckpoint={WAL_BACKSTOP_PAGES}"]
        self.on_commit = on_commit
        """Set after every commit (the checkpointer waits on it)."""
        self._child: tuple[subprocess.Popen[bytes], Connection] | None = None

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs."""
        return self._child[0].pid if self._child is not None else None

    def open(self) -> None:
        """Start the child now rather than at the first batch."""
        try:
            self._channel()
        except OSError as exc:
            log.warning("intake_process_start_failed", error=str(exc))

    def _channel(self) -> Connection:
        if self._child is None:
            ours, theirs = socket.socketpair()
            with theirs:
                process = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "aduan.store.intake_child",
                        str(theirs.fileno()),
                        str(self.path),
                        *self.pragmas,
                    ],
                    pass_fds=(theirs.fileno(),),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    env=_child_environment(),
                    start_new_session=True,  # a Ctrl-C at the terminal is the server's to handle
                )
            self._child = (process, Connection(ours.detach()))
        return self._child[1]

    def save(self, raws: Sequence[RawMessage]) -> SaveResult:
        """Store ``raws`` in one transaction; ``StoreUnavailable`` when it cannot be written."""
        if not raws:
            return SaveResult()
        return self.receive(self.send(raws))

    def send(self, raws: Sequence[RawMessage]) -> Sent:
        """Hand ``raws`` to the child, to be committed in one transaction after those sent
        before; :meth:`receive` reads what became of them. A child found stopped has not
        seen them: they go to a new one."""
        rows, where, result = rows_of(raws)
        frame = pickle.dumps((sqlite_text(utcnow()), rows), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            channel = self._post(frame)
        except OSError as exc:
            self._stopped(exc)
            try:
                channel = self._post(frame)
            except OSError as again:
                raise self._stopped(again) from again
        return Sent(raws, where, result, channel)

    def _post(self, frame: bytes) -> Connection:
        channel = self._channel()
        channel.send_bytes(frame)
        return channel

    def receive(self, sent: Sent) -> SaveResult:
        """What became of the rows of ``sent`` (the oldest not yet received), once committed;
        ``StoreUnavailable`` when they could not be, or the child stopped first."""
        if self._child is None or self._child[1] is not sent.channel:
            raise StoreUnavailable("store unavailable: the intake process stopped")
        try:
            status, answer = pickle.loads(sent.channel.recv_bytes())  # noqa: S301 - our child's
        except (OSError, EOFError) as exc:
            raise self._stopped(exc) from exc
        if status != "ok":
            raise StoreUnavailable(f"store unavailable: {answer}")
        if self.on_commit is not None:
            self.on_commit.set()
        return outcomes_into(sent.result, sent.raws, sent.where, answer)

    def _stopped(self, exc: Exception) -> StoreUnavailable:
        code = self._end()
        why = f"exit code {code}" if code is not None else type(exc).__name__
        log.warning("intake_process_stopped", reason=why)
        return StoreUnavailable(f"store unavailable: the intake process stopped ({why})")

    def _end(self) -> int | None:
        """Close the socket and reap the child; its exit code (None if it had to be killed)."""
        if self._child is None:
            return None
        process, channel = self._child
        self._child = None
        channel.close()  # the child sees the end of its input and exits
        try:
            return process.wait(timeout=CHILD_EXIT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            return None

    def close(self) -> None:
        code = self._end()
        if code:
            log.warning("intake_process_failed", exit_code=code)


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
