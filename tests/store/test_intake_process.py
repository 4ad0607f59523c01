"""The intake process: a child that commits the webhook sink's rows, started, failed and
stopped without losing a batch it did not commit or answering one it did not."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine

from aduan.core.errors import StoreUnavailable
from aduan.store import make_engine, open_store
from aduan.store.engine import sqlite_pragmas
from aduan.store.sqlite_raw import WAL_BACKSTOP_PAGES, ProcessRawWriter
from tests.store.test_raw import count, raw


@pytest.fixture
def writer(sqlite_engine: Engine) -> ProcessRawWriter:
    started = ProcessRawWriter(sqlite_engine)
    started.open()
    yield started  # type: ignore[misc]
    started.close()


def gone(pid: int, seconds: float = 10.0) -> bool:
    """Whether process ``pid`` has exited within ``seconds`` (reaped, or a zombie)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.02)
    return False


def test_the_child_starts_without_the_stores_heavy_imports() -> None:
    """It imports the standard library only (no SQLAlchemy, alembic, pydantic): a server's
    intake is back in tens of milliseconds after its child stops."""
    probe = (
        "import sys, aduan.store.intake_child; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sqlalchemy', 'alembic', 'pydantic', 'structlog', 'sqlmodel'}))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_child_connects_with_the_stores_own_settings(sqlite_engine: Engine) -> None:
    writer = ProcessRawWriter(sqlite_engine)
    assert writer.pragmas[: len(sqlite_pragmas())] == sqlite_pragmas()
    assert "PRAGMA synchronous=FULL" in writer.pragmas
    assert writer.pragmas[-1] == f"PRAGMA wal_autocheckpoint={WAL_BACKSTOP_PAGES}"


def test_an_in_memory_or_server_database_has_no_intake_process(pg_database: str) -> None:
    with pytest.raises(ValueError, match="not in memory"):
        ProcessRawWriter(open_store("sqlite://"))
    with pytest.raises(ValueError, match="not a server"):
        ProcessRawWriter(make_engine(pg_database))


def test_batches_sent_ahead_are_committed_in_order(
    writer: ProcessRawWriter, sqlite_engine: Engine
) -> None:
    first = writer.send([raw("a"), raw("b")])
    second = writer.send([raw("b"), raw("c")])  # sent before the first is answered
    one, two = writer.receive(first), writer.receive(second)
    assert sorted(one.new) == ["a", "b"] and not one.duplicates
    assert list(two.new) == ["c"] and two.duplicates == ["b"]
    assert count(sqlite_engine) == 3


def test_a_killed_child_fails_what_it_held_and_the_next_batch_starts_another(
    writer: ProcessRawWriter, sqlite_engine: Engine
) -> None:
    writer.save([raw("before")])
    first = writer.pid
    assert first is not None
    os.kill(first, signal.SIGSTOP)  # it cannot read, let alone answer, before it dies
    held = writer.send([raw("held")])
    os.kill(first, signal.SIGKILL)
    with pytest.raises(StoreUnavailable, match="intake process stopped"):
        writer.receive(held)
    result = writer.save([raw("after")])
    assert list(result.new) == ["after"]
    assert writer.pid not in (None, first)
    assert count(sqlite_engine) == 2  # "held" was never committed
    assert list(writer.save([raw("held")]).new) == ["held"]  # the provider's retry
    assert list(writer.save([raw("held")]).new) == []  # and a second one is not stored twice
    assert count(sqlite_engine) == 3


def test_a_child_found_dead_on_sending_gets_the_batch_through_a_new_one(
    writer: ProcessRawWriter, sqlite_engine: Engine
) -> None:
    first = writer.pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    assert gone(first)
    result = writer.save([raw(f"r{i}") for i in range(300)])  # more than a socket buffers
    assert len(result.new) == 300
    assert writer.pid not in (None, first)
    assert count(sqlite_engine) == 300


def test_batches_sent_to_a_child_that_stopped_fail_without_waiting(
    writer: ProcessRawWriter,
) -> None:
    first = writer.pid
    assert first is not None
    os.kill(first, signal.SIGSTOP)  # neither batch can be answered before it dies
    one = writer.send([raw("one")])
    two = writer.send([raw("two")])
    os.kill(first, signal.SIGKILL)
    assert gone(first)
    for sent in (one, two):  # the first notices; the second needs no read to fail
        with pytest.raises(StoreUnavailable, match="intake process stopped"):
            writer.receive(sent)


def test_the_child_ignores_sigterm_and_sigint(writer: ProcessRawWriter) -> None:
    """A stopping server (systemd signals the whole group) still commits what it holds
    through its child, which leaves when the server closes its end."""
    writer.save([raw("before-signals")])  # the child is up and has set its handlers
    pid = writer.pid
    assert pid is not None
    os.kill(pid, signal.SIGTERM)
    os.kill(pid, signal.SIGINT)
    time.sleep(0.2)
    assert list(writer.save([raw("after-signals")]).new) == ["after-signals"]
    assert writer.pid == pid
    writer.close()
    assert gone(pid)


def test_a_store_that_refuses_the_batch_fails_it_and_the_child_stays(
    writer: ProcessRawWriter, sqlite_engine: Engine, tmp_path: Path
) -> None:
    pid = writer.pid
    with sqlite3.connect(tmp_path / "aduan.db") as conn:
        conn.execute("ALTER TABLE raw_messages RENAME TO raw_messages_away")
    with pytest.raises(StoreUnavailable, match="no such table: raw_messages"):
        writer.save([raw("refused")])
    with sqlite3.connect(tmp_path / "aduan.db") as conn:
        conn.execute("ALTER TABLE raw_messages_away RENAME TO raw_messages")
    assert list(writer.save([raw("accepted")]).new) == ["accepted"]
    assert writer.pid == pid
    assert count(sqlite_engine) == 1


def test_closing_ends_the_child(sqlite_engine: Engine) -> None:
    writer = ProcessRawWriter(sqlite_engine)
    writer.save([raw("a")])
    pid = writer.pid
    assert pid is not None
    writer.close()
    assert writer.pid is None and gone(pid)


def test_the_child_is_not_given_aduans_settings_or_secrets(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADUAN_CHANNELS__WHATSAPP__MAIN__APP_SECRET", "s3cret-for-the-server")
    monkeypatch.setenv("ADUAN_DATABASE_URL", "sqlite:///elsewhere.db")
    writer = ProcessRawWriter(sqlite_engine)
    writer.save([raw("a")])
    assert writer.pid is not None
    environ = Path(f"/proc/{writer.pid}/environ").read_bytes().split(b"\0")
    writer.close()
    assert not [v for v in environ if v.upper().startswith(b"ADUAN_")]
    assert any(v.startswith(b"PATH=") for v in environ)
