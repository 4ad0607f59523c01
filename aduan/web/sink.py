"""Durable intake for webhooks: group commit of concurrent requests.

A webhook may answer 2xx only after its raw rows are committed. One commit
per request caps a single writer at a few thousand requests per second, so
concurrent requests share commits: each request queues its rows and awaits a
future, while one long-lived writer thread takes everything queued so far
(in a burst, also what comes in the next :data:`GATHER_SECONDS`), commits it
in one transaction and hands each request its share of the result
back on the event loop (one ``call_soon_threadsafe`` per commit). Under light
load a batch holds one request and nothing waits.

On SQLite the writer commits through the driver
(:class:`~aduan.store.sqlite_raw.SqliteRawWriter`) and a second thread
checkpoints the WAL (:class:`~aduan.store.sqlite_raw.WalCheckpointer`), so
that no commit waits for a checkpoint; elsewhere it calls
:func:`~aduan.store.save_batch`. On SQLite each commit takes the file's urgent
turn (:mod:`aduan.store.turns`): it waits behind one normalize batch at most,
and takes with it what was queued while it waited. A failed commit fails only the requests of
its batch (they answer from the spool or 503); the thread goes on with the
next batch. Commits are logged as ``raws_committed`` lines (commits,
requests, new/duplicate/rejected rows, mean and longest commit in ms), one
line for at most :data:`LOG_EVERY_SECONDS` of commits.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import Engine

from aduan.core.logs import get_logger
from aduan.core.messages import RawMessage
from aduan.store import SaveResult, is_sqlite, save_batch
from aduan.store.sqlite_raw import (
    ProcessRawWriter,
    Sent,
    SqliteRawWriter,
    WalCheckpointer,
    intake_file,
)
from aduan.store.turns import turns_for

log = get_logger("aduan.web.sink")

MAX_ROWS_PER_COMMIT = 500
GATHER_SECONDS = 0.002
"""When several requests were waiting (a burst), the writer waits this long for more before
committing. A commit costs ~0.4 ms of CPU whatever its size, most of it under the GIL the
event loop needs: under bench/webhook_load.py batches grow from ~20 to ~30 requests, and
CPU per request drops 5-10%, for at most 2 ms more per request. A lone request never waits."""
PIPELINE_DEPTH = 2
"""Batches the intake process may hold at once: the next one is sent while it commits
the last, so that it never waits for the thread between two commits."""
LOG_EVERY_SECONDS = 1.0
"""One ``raws_committed`` line covers the commits of up to this long: one line per commit
under light load, one a second under a burst (a line per commit cost the writer ~100 µs
of the GIL each, hundreds of times a second)."""


class BatchWriter(Protocol):
    def open(self) -> None: ...

    def save(self, raws: list[RawMessage]) -> SaveResult: ...

    def close(self) -> None: ...


@dataclass
class CoreWriter:
    """Any database through SQLAlchemy Core (a pooled connection per batch)."""

    engine: Engine

    def open(self) -> None:
        pass

    def save(self, raws: list[RawMessage]) -> SaveResult:
        return save_batch(self.engine, raws)

    def close(self) -> None:
        pass


@dataclass
class _Item:
    raws: list[RawMessage]
    future: asyncio.Future[SaveResult] = field(repr=False)
    loop: asyncio.AbstractEventLoop = field(repr=False)


_STOP = None
"""Queued by :meth:`RawSink.stop`: the writer finishes what came before it, then exits."""


class RawSink:
    def __init__(self, engine: Engine, *, process: bool = True) -> None:
        self.engine = engine
        self.process = process and intake_file(engine) is not None
        """Commit through a child process (:class:`ProcessRawWriter`): on a SQLite file,
        unless ``server.intake_process`` is off."""
        self.checkpointer = WalCheckpointer(engine) if is_sqlite(engine) else None
        self.turns = turns_for(engine)
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    async def start(self) -> None:
        self._start()

    def _start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                if self.checkpointer is not None:
                    self.checkpointer.start()
                self._thread = threading.Thread(
                    target=self._run, args=(self.make_writer(),), name="raw-sink", daemon=True
                )
                self._thread.start()

    def make_writer(self) -> BatchWriter:
        """A writer for one thread's lifetime (its own connection on SQLite)."""
        if self.checkpointer is None:
            return CoreWriter(self.engine)
        if self.process:
            return ProcessRawWriter(self.engine, self.checkpointer.dirty)
        return SqliteRawWriter(self.engine, self.checkpointer.dirty)

    async def stop(self) -> None:
        """Commit everything queued so far, then stop the threads."""
        with self._lock:
            thread, self._thread = self._thread, None
            if thread is not None:
                self._queue.put(_STOP)
        if thread is not None:
            await asyncio.to_thread(thread.join)
        if self.checkpointer is not None:
            await asyncio.to_thread(self.checkpointer.stop)

    async def submit(self, raws: list[RawMessage]) -> SaveResult:
        """Commit ``raws``; returns what was new for these rows only."""
        if not raws:
            return SaveResult()
        if self._thread is None:
            self._start()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[SaveResult] = loop.create_future()
        self._queue.put(_Item(raws, future, loop))
        return await future

    def _run(self, writer: BatchWriter) -> None:
        pipelined = isinstance(writer, ProcessRawWriter)
        depth = PIPELINE_DEPTH if pipelined else 1
        commits = _Commits()
        inflight: deque[_Batch] = deque()
        turn = contextlib.ExitStack()  # this file's urgent turn, held while batches are in flight
        stop = False
        try:
            writer.open()
            while not stop or inflight:
                items: list[_Item] = []
                idle = False  # waited a whole LOG_EVERY_SECONDS for nothing
                if not stop and len(inflight) < depth:
                    if not inflight:
                        timeout = LOG_EVERY_SECONDS if commits.count else None
                        items, stop = self._take(timeout, gather=not pipelined)
                        idle = not items
                    elif not self.turns.waiting("background"):  # else: drain, let it in
                        stop = self._fill(items, gather=False)
                if items:
                    if not inflight:
                        turn.enter_context(self.turns.urgent())  # behind one normalize batch
                        stop = self._top_up(items) or stop
                    inflight.append(_send(writer, items))
                if inflight and (len(inflight) >= depth or not items):
                    _finish(writer, inflight.popleft(), commits)
                    if not inflight:
                        turn.close()
                if commits.count and (stop or idle or commits.due()):
                    commits.log()
                    commits = _Commits(since=time.monotonic())
        finally:
            turn.close()
            writer.close()

    def _take(self, timeout: float | None, *, gather: bool) -> tuple[list[_Item], bool]:
        """Everything queued now, up to :data:`MAX_ROWS_PER_COMMIT` rows; waits for one
        (nothing after ``timeout`` seconds), and with ``gather``, when several were waiting,
        for what comes in the next :data:`GATHER_SECONDS` too."""
        try:
            first = self._queue.get(timeout=timeout)
        except queue.Empty:
            return [], False
        if first is _STOP:
            return [], True
        items = [first]
        return items, self._fill(items, gather=gather)

    def _top_up(self, items: list[_Item]) -> bool:
        """Add to ``items`` what was queued while the writer waited for its turn (up to
        :data:`MAX_ROWS_PER_COMMIT` rows); True when the stop came with it."""
        return self._fill(items, gather=False)

    def _fill(self, items: list[_Item], *, gather: bool) -> bool:
        """Add to ``items`` what is queued now, up to :data:`MAX_ROWS_PER_COMMIT` rows; with
        ``gather``, when several were waiting (a burst: the next requests are a moment away),
        also what comes in the next :data:`GATHER_SECONDS`. True when the stop came."""
        rows = sum(len(item.raws) for item in items)
        gathered = not gather
        while rows < MAX_ROWS_PER_COMMIT:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                if gathered or len(items) < 2:
                    break
                gathered = True
                try:
                    item = self._queue.get(timeout=GATHER_SECONDS)
                except queue.Empty:
                    break
            if item is _STOP:
                return True
            items.append(item)
            rows += len(item.raws)
        return False


@dataclass
class _Commits:
    """The commits since the last ``raws_committed`` line, written at ``since``."""

    since: float = 0.0
    count: int = 0
    requests: int = 0
    new: int = 0
    duplicates: int = 0
    rejected: int = 0
    ms_total: float = 0.0
    ms_max: float = 0.0
    sources: set[str] = field(default_factory=set)

    def add(self, items: list[_Item], result: SaveResult, ms: float) -> None:
        self.count += 1
        self.requests += len(items)
        self.new += len(result.inserted)
        self.duplicates += len(result.duplicates)
        self.rejected += len(result.rejected)
        self.ms_total += ms
        self.ms_max = max(self.ms_max, ms)
        self.sources.update(f"{raw.channel}/{raw.account}" for item in items for raw in item.raws)

    def due(self) -> bool:
        return time.monotonic() - self.since >= LOG_EVERY_SECONDS

    def log(self) -> None:
        log.info(
            "raws_committed",
            sources=sorted(self.sources),
            commits=self.count,
            requests=self.requests,
            new=self.new,
            duplicates=self.duplicates,
            rejected=self.rejected,
            ms=round(self.ms_total / self.count, 1),
            ms_max=round(self.ms_max, 1),
        )


@dataclass
class _Batch:
    """A batch handed to the writer: settled at once by a writer of this thread, or
    ``sent`` to the intake process and settled when its answer is read."""

    items: list[_Item]
    started: float
    sent: Sent | None = None
    outcome: SaveResult | Exception | None = None


def _send(writer: BatchWriter, items: list[_Item]) -> _Batch:
    raws = [raw for item in items for raw in item.raws]
    batch = _Batch(items, time.perf_counter())
    try:
        if isinstance(writer, ProcessRawWriter):
            batch.sent = writer.send(raws)
        else:
            batch.outcome = writer.save(raws)
    except Exception as exc:  # the store's or ours: these requests fail, the thread goes on
        batch.outcome = exc
    return batch


def _finish(writer: BatchWriter, batch: _Batch, commits: _Commits) -> None:
    """Hand each request of ``batch`` its share of the result, or the error."""
    items = batch.items
    try:
        if batch.sent is not None:
            assert isinstance(writer, ProcessRawWriter)
            batch.outcome = writer.receive(batch.sent)
        result = batch.outcome
        if isinstance(result, Exception):
            raise result
        assert result is not None
        shares: list[SaveResult | Exception] = [_share(item.raws, result) for item in items]
    except Exception as exc:
        _deliver(items, [exc] * len(items))
        return
    ms = 1000 * (time.perf_counter() - batch.started)
    _deliver(items, shares)
    commits.add(items, result, ms)


def _deliver(items: list[_Item], outcomes: list[SaveResult | Exception]) -> None:
    """Resolve each item's future on its own loop, one callback per loop."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[_Item, SaveResult | Exception]]] = {}
    for item, outcome in zip(items, outcomes, strict=True):
        by_loop.setdefault(item.loop, []).append((item, outcome))
    for loop, pairs in by_loop.items():
        with contextlib.suppress(RuntimeError):  # that loop is closed: nobody waits any more
            loop.call_soon_threadsafe(_resolve, pairs)


def _resolve(pairs: list[tuple[_Item, SaveResult | Exception]]) -> None:
    for item, outcome in pairs:
        if item.future.done():  # the request was cancelled (client gone)
            continue
        if isinstance(outcome, Exception):
            item.future.set_exception(outcome)
        else:
            item.future.set_result(outcome)


def _share(raws: list[RawMessage], result: SaveResult) -> SaveResult:
    mine = SaveResult()
    bad = {id(raw): error for raw, error in result.rejected}
    for raw in raws:
        key = (raw.channel, raw.account, raw.external_id)
        if id(raw) in bad:
            mine.rejected.append((raw, bad[id(raw)]))
        elif key in result.inserted:
            mine.inserted.add(key)
            mine.new[raw.external_id] = result.new[raw.external_id]
        else:
            mine.duplicates.append(raw.external_id)
    return mine
