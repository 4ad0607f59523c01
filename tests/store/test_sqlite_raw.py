"""The driver-level SQLite writer stores what Core stores, and the WAL checkpoints run beside it."""

from __future__ import annotations

import shutil
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from aduan.core.errors import StoreUnavailable
from aduan.core.messages import RawMessage
from aduan.store import make_engine, open_store, save_batch
from aduan.store.models import raw_messages
from aduan.store.sqlite_raw import (
    WAL_BACKSTOP_PAGES,
    ProcessRawWriter,
    SqliteRawWriter,
    WalCheckpointer,
)
from tests.store.test_raw import count, raw

Writer = type[SqliteRawWriter] | type[ProcessRawWriter]


@pytest.fixture(params=[SqliteRawWriter, ProcessRawWriter], ids=["thread", "process"])
def writer_class(request: pytest.FixtureRequest) -> Writer:
    """Each behaviour holds for the writer thread's own connection and the intake process."""
    return request.param  # type: ignore[no-any-return]


def stored_rows(engine: Engine) -> dict[str, dict[str, object]]:
    """Every column but the id and fetched_at, by external id, read back through Core."""
    with engine.connect() as conn:
        rows = conn.execute(select(raw_messages).order_by(raw_messages.c.id)).mappings().all()
    skip = {"id", "fetched_at"}
    return {row["external_id"]: {k: v for k, v in row.items() if k not in skip} for row in rows}


def test_rows_read_back_exactly_as_core_writes_them(tmp_path: Path, writer_class: Writer) -> None:
    batch = [
        raw("a", meta={"gateway": "twilio", "path": "/x", "n": 1}),
        raw("b", payload="Jalan rusak 😩".encode("utf-16-be") + b"\x00\xff"),
        raw("c", received_at=datetime(2026, 3, 2, 2, 30, 0, 123456, tzinfo=UTC)),
    ]
    core = open_store(f"sqlite:///{tmp_path / 'core.db'}")
    driver = open_store(f"sqlite:///{tmp_path / 'driver.db'}")
    save_batch(core, batch)
    writer = writer_class(driver)
    result = writer.save(batch)
    writer.close()
    assert sorted(result.new) == ["a", "b", "c"]
    assert stored_rows(driver) == stored_rows(core)
    with driver.connect() as conn:
        ids = dict(conn.execute(select(raw_messages.c.external_id, raw_messages.c.id)).all())
        fetched = conn.execute(select(raw_messages.c.fetched_at)).scalars().all()
    assert result.new == ids
    assert all(at.tzinfo is not None for at in fetched)
    core.dispose()
    driver.dispose()


def test_duplicates_across_and_inside_batches(sqlite_engine: Engine, writer_class: Writer) -> None:
    writer = writer_class(sqlite_engine)
    first = writer.save([raw("a"), raw("b"), raw("a", "resend")])
    second = writer.save([raw("b"), raw("c"), raw("b", account="second")])
    writer.close()
    assert sorted(first.new) == ["a", "b"] and first.duplicates == ["a"]
    assert sorted(second.new) == ["b", "c"] and second.duplicates == ["b"]
    assert second.inserted == {("sms", "main", "c"), ("sms", "second", "b")}
    assert count(sqlite_engine) == 4


def stored_ids(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(select(raw_messages.c.external_id, raw_messages.c.id)).all())


def test_ids_reported_are_the_stored_ones_after_gaps_and_mixed_batches(
    sqlite_engine: Engine, writer_class: Writer
) -> None:
    """New rows' ids, whether the batch went in at once or row by row (a duplicate or a
    bad row in it), and after rows were deleted (the newest one: SQLite hands its id out again)."""
    bad = RawMessage("sms", "main", None, b"no id", "text/plain", datetime.now(UTC))  # type: ignore[arg-type]
    writer = writer_class(sqlite_engine)
    reported: dict[str, int] = {}
    reported |= writer.save([raw(f"a{i}") for i in range(5)]).new
    with sqlite_engine.begin() as conn:
        conn.execute(raw_messages.delete().where(raw_messages.c.external_id.in_(["a1", "a4"])))
    del reported["a1"], reported["a4"]
    reported |= writer.save([raw("b0"), raw("b1"), raw("a0")]).new  # a duplicate
    reported |= writer.save([raw("c0"), bad, raw("c1")]).new  # a bad row
    reported |= writer.save([raw(f"d{i}", received_at=datetime.now(UTC)) for i in range(3)]).new
    writer.close()
    assert reported == stored_ids(sqlite_engine)
    assert sorted(reported) == ["a0", "a2", "a3", "b0", "b1", "c0", "c1", "d0", "d1", "d2"]


@pytest.mark.parametrize("size", [1, 3, 255, 256, 257, 300, 500])
def test_batches_of_any_size_report_each_rows_own_id(
    sqlite_engine: Engine, size: int, writer_class: Writer
) -> None:
    """A batch goes in as several multi-row statements (256, 128, ... rows): every row,
    whichever statement carried it, is reported with the id it was stored under, and a
    duplicate or bad row at the end of a large batch still fails alone."""
    writer = writer_class(sqlite_engine)
    reported = writer.save([raw(f"x{i}", payload=f"pesan {i}".encode()) for i in range(size)]).new
    bad = RawMessage("sms", "main", None, b"no id", "text/plain", datetime.now(UTC))  # type: ignore[arg-type]
    mixed = writer.save([*(raw(f"y{i}") for i in range(size)), raw("x0"), bad])
    writer.close()
    assert len(reported) == size
    assert reported | mixed.new == stored_ids(sqlite_engine)
    assert mixed.duplicates == ["x0"] and [r for r, _ in mixed.rejected] == [bad]
    with sqlite_engine.connect() as conn:
        payloads = dict(conn.execute(select(raw_messages.c.id, raw_messages.c.payload)).all())
    assert all(payloads[reported[f"x{i}"]] == f"pesan {i}".encode() for i in range(size))


def test_one_bad_row_is_reported_and_the_others_committed(
    sqlite_engine: Engine, writer_class: Writer
) -> None:
    bad = RawMessage("sms", "main", None, b"no id", "text/plain", datetime.now(UTC))  # type: ignore[arg-type]
    writer = writer_class(sqlite_engine)
    result = writer.save([raw("a"), bad, raw("b")])
    writer.close()
    assert sorted(result.new) == ["a", "b"]
    assert [r for r, _error in result.rejected] == [bad]
    assert "NOT NULL" in result.rejected[0][1]
    assert count(sqlite_engine) == 2


def test_unwritable_store_raises_unavailable_then_recovers(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'aduan.db'}")
    writer = SqliteRawWriter(engine)
    writer.save([raw("a")])
    blocker = sqlite3.connect(tmp_path / "aduan.db", timeout=0)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock for longer than we wait
    writer._connection().execute("PRAGMA busy_timeout=50")
    with pytest.raises(StoreUnavailable, match="locked"):
        writer.save([raw("b")])
    blocker.rollback()
    blocker.close()
    assert sorted(writer.save([raw("b"), raw("c")]).new) == ["b", "c"]  # a fresh connection
    writer.close()
    assert count(engine) == 3
    engine.dispose()


def test_store_that_cannot_be_opened_is_unavailable(tmp_path: Path, writer_class: Writer) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'gone' / 'aduan.db'}")
    shutil.rmtree(tmp_path / "gone")
    writer = writer_class(engine)
    writer.open()  # logged, not raised: the first batch tries again
    with pytest.raises(StoreUnavailable, match="unable to open"):
        writer.save([raw("a")])
    engine.dispose()


def test_writer_connection_leaves_checkpoints_to_the_checkpointer(sqlite_engine: Engine) -> None:
    writer = SqliteRawWriter(sqlite_engine)
    conn = writer._connection()
    assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == WAL_BACKSTOP_PAGES
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    writer.close()
    with sqlite_engine.connect() as other:  # the pool's connections keep SQLite's default
        dbapi = other.connection.driver_connection
        assert dbapi is not None
        assert dbapi.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000


def file_rows(path: Path) -> int | None:
    """Rows in a copy of the database file alone (its WAL left behind)."""
    copy = path.with_name("copy.db")
    shutil.copyfile(path, copy)
    try:
        with sqlite3.connect(copy) as alone:
            return int(alone.execute("SELECT count(*) FROM raw_messages").fetchone()[0])
    except sqlite3.DatabaseError:  # copied in the middle of a checkpoint
        return None
    finally:
        copy.unlink()


def test_background_checkpoint_moves_commits_into_the_database_file(
    tmp_path: Path, writer_class: Writer
) -> None:
    path = tmp_path / "aduan.db"
    engine = open_store(f"sqlite:///{path}")
    checkpointer = WalCheckpointer(engine, interval=0.01)
    checkpointer.start()
    writer = writer_class(engine, checkpointer.dirty)
    try:
        for i in range(20):
            writer.save([raw(f"{i}-{j}") for j in range(10)])
        # The database file alone, without its WAL, comes to hold every committed row.
        deadline = time.monotonic() + 10
        while file_rows(path) != 200 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert file_rows(path) == 200
        assert checkpointer.runs >= 1
        assert checkpointer.last is not None and checkpointer.last[1] == checkpointer.last[2]
    finally:
        writer.close()
        checkpointer.stop()
        engine.dispose()


def test_checkpointer_idles_without_commits(sqlite_engine: Engine) -> None:
    checkpointer = WalCheckpointer(sqlite_engine, interval=0.01)
    checkpointer.start()
    time.sleep(0.1)
    checkpointer.stop()
    assert checkpointer.runs == 0
