"""The webhook sink: concurrent requests share commits, each gets its own answer, and a failed
commit fails only its own batch."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import structlog
from sqlalchemy import Engine

from aduan.core.errors import StoreUnavailable
from aduan.core.messages import RawMessage
from aduan.store import SaveResult, make_engine, open_store
from aduan.store.sqlite_raw import ProcessRawWriter, SqliteRawWriter
from aduan.store.turns import turns_for
from aduan.web import sink as sink_module
from aduan.web.sink import BatchWriter, RawSink
from tests.store.test_raw import count, raw


async def submit_all(sink: RawSink, batches: list[list[RawMessage]]) -> list[object]:
    return await asyncio.gather(*(sink.submit(b) for b in batches), return_exceptions=True)


def test_concurrent_requests_share_commits_and_get_their_own_share(engine: Engine) -> None:
    async def main() -> list[object]:
        sink = RawSink(engine)
        await sink.start()
        try:
            await sink.submit([raw("seen")])
            return await submit_all(sink, [[raw(f"r{i}")] for i in range(200)] + [[raw("seen")]])
        finally:
            await sink.stop()

    results = asyncio.run(main())
    assert all(isinstance(r, SaveResult) for r in results)
    shares = [r for r in results if isinstance(r, SaveResult)]
    assert [list(r.new) for r in shares[:200]] == [[f"r{i}"] for i in range(200)]
    assert shares[200].new == {} and shares[200].duplicates == ["seen"]
    assert count(engine) == 201


def test_a_bad_row_fails_only_its_own_request(engine: Engine) -> None:
    too_long = raw("bad", account="x" * 200)  # PostgreSQL refuses it
    no_id = RawMessage("sms", "main", None, b"x", "text/plain", datetime.now(UTC))  # type: ignore[arg-type]
    bad = too_long if engine.dialect.name == "postgresql" else no_id

    async def main() -> list[object]:
        sink = RawSink(engine)
        try:
            return await submit_all(sink, [[raw("a")], [bad], [raw("b"), raw("c")]])
        finally:
            await sink.stop()

    a, b, c = asyncio.run(main())
    assert isinstance(a, SaveResult) and list(a.new) == ["a"] and not a.rejected
    assert isinstance(b, SaveResult) and not b.new and [r for r, _ in b.rejected] == [bad]
    assert isinstance(c, SaveResult) and sorted(c.new) == ["b", "c"]
    assert count(engine) == 3


class FailingOnce:
    """A writer whose first batch fails as if the store were down."""

    def __init__(self, inner: BatchWriter) -> None:
        self.inner = inner
        self.failed = False
        self.threads: set[str] = set()

    def open(self) -> None:
        self.inner.open()

    def save(self, raws: list[RawMessage]) -> SaveResult:
        self.threads.add(threading.current_thread().name)
        if not self.failed:
            self.failed = True
            raise StoreUnavailable("store unavailable: connection refused")
        return self.inner.save(raws)

    def close(self) -> None:
        self.inner.close()


def test_writer_thread_survives_a_failed_commit(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    writers: list[FailingOnce] = []
    make_writer = RawSink.make_writer

    def failing_once(sink: RawSink) -> BatchWriter:
        writers.append(FailingOnce(make_writer(sink)))
        return writers[-1]

    monkeypatch.setattr(RawSink, "make_writer", failing_once)

    async def main() -> tuple[object, object]:
        sink = RawSink(engine)
        await sink.start()
        try:
            with pytest.raises(StoreUnavailable):
                await sink.submit([raw("lost")])
            return await sink.submit([raw("kept")]), sink._thread
        finally:
            await sink.stop()

    result, thread = asyncio.run(main())
    assert isinstance(result, SaveResult) and list(result.new) == ["kept"]
    assert len(writers) == 1 and writers[0].threads == {"raw-sink"}
    assert isinstance(thread, threading.Thread)
    assert count(engine) == 1


def test_stop_commits_what_was_queued(engine: Engine) -> None:
    async def main() -> None:
        sink = RawSink(engine)
        await sink.start()
        pending = [asyncio.ensure_future(sink.submit([raw(f"q{i}")])) for i in range(50)]
        await asyncio.sleep(0)  # every submit has queued its rows
        await sink.stop()
        assert all(isinstance(p.result(), SaveResult) for p in pending)

    asyncio.run(main())
    assert count(engine) == 50


def test_empty_request_commits_nothing(engine: Engine) -> None:
    async def main() -> SaveResult:
        sink = RawSink(engine)
        try:
            return await sink.submit([])
        finally:
            await sink.stop()

    result = asyncio.run(main())
    assert not result.new and not result.duplicates and not result.rejected


def test_commits_are_logged_one_line_a_second_at_most(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sink_module, "LOG_EVERY_SECONDS", 0.3)

    async def main() -> list[dict[str, object]]:
        sink = RawSink(sqlite_engine)
        await sink.start()
        with structlog.testing.capture_logs() as lines:
            await sink.submit([raw("alone")])  # light load: its own line at once
            await asyncio.sleep(0.1)
            assert [line["commits"] for line in lines] == [1]
            for i in range(30):  # a burst: many commits, few lines
                await sink.submit([raw(f"b{i}")])
            await asyncio.sleep(0.6)  # the writer idles: the rest is written then
            await sink.stop()
        return [line for line in lines if line["event"] == "raws_committed"]

    lines = asyncio.run(main())
    assert sum(int(str(line["commits"])) for line in lines) == 31
    assert sum(int(str(line["requests"])) for line in lines) == 31
    assert sum(int(str(line["new"])) for line in lines) == 31
    assert len(lines) < 10
    assert all(line["sources"] == ["sms/main"] for line in lines)
    assert all(float(str(line["ms_max"])) >= float(str(line["ms"])) > 0 for line in lines)


@pytest.mark.timing
def test_a_burst_gathers_into_one_commit_and_a_lone_request_does_not_wait(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sink_module, "GATHER_SECONDS", 1.0)

    async def main() -> tuple[float, list[dict[str, object]]]:
        sink = RawSink(sqlite_engine, process=False)  # the intake process never gathers
        await sink.start()
        with structlog.testing.capture_logs() as lines:
            started = time.monotonic()
            await sink.submit([raw("lone")])
            lone = time.monotonic() - started
            burst = [asyncio.ensure_future(sink.submit([raw(f"b{i}")])) for i in range(3)]
            await asyncio.sleep(0.2)  # inside the window opened by the first three
            late = asyncio.ensure_future(sink.submit([raw("late")]))
            await asyncio.gather(*burst, late)
            await sink.stop()
        return lone, [line for line in lines if line["event"] == "raws_committed"]

    lone, lines = asyncio.run(main())
    assert lone < 0.5
    assert [(line["commits"], line["requests"]) for line in lines] == [(1, 1), (1, 4)]


def intake_children() -> list[int]:
    """This process's running intake processes."""
    found = []
    for task in Path("/proc/self/task").iterdir():
        try:
            children = (task / "children").read_text().split()
        except FileNotFoundError:  # a thread that just ended
            continue
        for child in children:
            try:
                cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            except FileNotFoundError:
                continue
            if b"aduan.store.intake_child" in cmdline:
                found.append(int(child))
    return found


def test_the_writer_is_a_child_process_on_a_sqlite_file_only(
    sqlite_engine: Engine, pg_database: str
) -> None:
    assert isinstance(RawSink(sqlite_engine).make_writer(), ProcessRawWriter)
    assert isinstance(RawSink(sqlite_engine, process=False).make_writer(), SqliteRawWriter)
    memory = open_store("sqlite://")
    assert isinstance(RawSink(memory).make_writer(), SqliteRawWriter)
    server = RawSink(make_engine(pg_database))
    assert not server.process and isinstance(server.make_writer(), sink_module.CoreWriter)


def test_a_stopped_intake_process_costs_no_later_request(sqlite_engine: Engine) -> None:
    async def main() -> list[object]:
        sink = RawSink(sqlite_engine)
        await sink.start()
        try:
            await sink.submit([raw("first")])
            (child,) = intake_children()
            os.kill(child, signal.SIGKILL)
            await asyncio.sleep(0.1)
            results = await submit_all(sink, [[raw(f"after{i}")] for i in range(50)])
            assert intake_children() not in ([], [child])
            return results
        finally:
            await sink.stop()

    results = asyncio.run(main())
    assert all(isinstance(r, SaveResult) and len(r.new) == 1 for r in results)
    assert count(sqlite_engine) == 51
    assert intake_children() == []  # stopping the sink ends its child


@pytest.mark.timing
def test_a_stream_of_webhooks_through_the_intake_process_lets_batch_work_in(
    sqlite_engine: Engine,
) -> None:
    """Batches in flight hold the file's urgent turn; a background writer (the normalize
    job) that waits gets in once they are answered, not after the stream ends."""
    turns = turns_for(sqlite_engine)
    waits: list[float] = []

    def background() -> None:
        for _ in range(5):
            asked = time.monotonic()
            with turns.background():
                waits.append(time.monotonic() - asked)
                time.sleep(0.02)
            time.sleep(0.05)

    async def main() -> int:
        sink = RawSink(sqlite_engine)
        await sink.start()
        worker = threading.Thread(target=background)
        sent = 0
        try:
            started = time.monotonic()
            worker.start()
            while worker.is_alive() and time.monotonic() - started < 20:
                await submit_all(sink, [[raw(f"s{sent + i}")] for i in range(20)])
                sent += 20
        finally:
            await sink.stop()
            worker.join()
        return sent

    sent = asyncio.run(main())
    assert len(waits) == 5 and max(waits) < 1.0
    assert count(sqlite_engine) == sent
