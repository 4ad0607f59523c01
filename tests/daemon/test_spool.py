"""The webhook spool: durable records, torn tails, corrupt records, drains that replay safely."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from aduan.core.errors import StoreUnavailable
from aduan.core.messages import RawMessage
from aduan.store import make_engine
from aduan.store.models import raw_messages
from aduan.web.spool import Spool, decode, encode
from tests.helpers.daemons import free_port


def raw(n: int) -> RawMessage:
    return RawMessage(
        channel="testpush",
        account="gw",
        external_id=f"m{n}",
        payload=f'{{"id": "m{n}", "text": "Got mampet di Jl. Kenanga {n}"}}'.encode(),
        content_type="application/json",
        received_at=datetime(2026, 11, 29, 8, 0, n % 60, tzinfo=UTC),
        meta={"path": ""},
    )


def rows(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(select(raw_messages.c.external_id)).scalars())


def test_record_round_trip_and_checksum() -> None:
    line = encode([raw(1), raw(2)])
    assert line.endswith(b"\n")
    back = decode(line)
    assert back == [raw(1), raw(2)]
    with pytest.raises(ValueError, match="checksum"):
        decode(line.replace(b"testpush", b"testpusx"))
    with pytest.raises(ValueError, match="torn"):
        decode(line[:-5])


def test_torn_tail_is_cut_and_later_records_survive(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.append([raw(1)])
    with spool.active.open("ab") as handle:  # a crash in the middle of the next append
        handle.write(encode([raw(2)])[:30])
    reopened = Spool(tmp_path)
    assert reopened.records == 1
    reopened.append([raw(3)])
    lines = reopened.active.read_bytes().splitlines(keepends=True)
    assert [r.external_id for line in lines for r in decode(line)] == ["m1", "m3"]


def test_drain_commits_once_and_replay_adds_nothing(engine: Engine, tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    for n in range(1, 6):
        spool.append([raw(n), raw(n + 100)])
    assert spool.records == 5
    assert spool.drain(engine) == 10
    assert spool.records == 0 and not spool.pending()
    assert len(rows(engine)) == 10
    # the same requests spooled again (a crash after commit, before the file was removed)
    for n in range(1, 6):
        spool.append([raw(n), raw(n + 100)])
    assert spool.drain(engine) == 0
    assert len(rows(engine)) == 10


def test_corrupt_record_is_skipped_and_kept_for_operators(engine: Engine, tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.append([raw(1)])
    good = encode([raw(2)])
    with spool.active.open("ab") as handle:
        handle.write(good.replace(b"testpush", b"testpusx"))
    spool.append([raw(3)])
    spool = Spool(tmp_path)  # a restart counts every line, the corrupt one included
    assert spool.records == 3
    spool.drain(engine)
    assert rows(engine) == ["m1", "m3"]
    assert spool.records == 0
    assert (tmp_path / "webhooks.corrupt").read_bytes().count(b"\n") == 1


def test_drain_while_store_down_keeps_everything(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.append([raw(1)])
    down = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none")
    with pytest.raises(StoreUnavailable):
        spool.drain(down)
    down.dispose()
    assert spool.records == 1 and spool.pending()
    spool.append([raw(2)])  # new requests keep arriving during the outage
    again = Spool(tmp_path)  # and a restart counts both files
    assert again.records == 2


def test_drain_after_restart_recovers_both_files(sqlite_engine: Engine, tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.append([raw(1)])
    down = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none")
    with pytest.raises(StoreUnavailable):
        spool.drain(down)
    down.dispose()
    spool.append([raw(2)])
    restarted = Spool(tmp_path)
    assert restarted.drain(sqlite_engine) == 2
    assert rows(sqlite_engine) == ["m1", "m2"]
    assert restarted.records == 0
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(raw_messages)).scalar_one() == 2
