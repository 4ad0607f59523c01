"""The raw archive on both databases: idempotent batches, cursor with the data, migrations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, func, select

from aduan.core.messages import RawMessage
from aduan.store import raw as raw_module
from aduan.store import read_cursor, save_batch
from aduan.store.migrate import current, head
from aduan.store.models import raw_messages

WIB = timezone(timedelta(hours=7))


def raw(external_id: str, text: str = "lampu mati", **kw: object) -> RawMessage:
    defaults: dict[str, object] = {
        "channel": "sms",
        "account": "main",
        "external_id": external_id,
        "payload": text.encode(),
        "content_type": "text/plain",
        "received_at": datetime(2026, 3, 2, 9, 30, tzinfo=WIB),
    }
    defaults.update(kw)
    return RawMessage(**defaults)  # type: ignore[arg-type]


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(raw_messages)).scalar_one())


def test_migrations_run_from_empty(engine: Engine) -> None:
    assert current(engine) == head()


def test_same_batch_twice_leaves_one_copy(engine: Engine) -> None:
    batch = [raw("a"), raw("b"), raw("c")]
    first = save_batch(engine, batch, ("sms", "main", {"n": 3}))
    second = save_batch(engine, batch, ("sms", "main", {"n": 3}))
    assert sorted(first.new) == ["a", "b", "c"]
    assert second.new == {} and sorted(second.duplicates) == ["a", "b", "c"]
    assert count(engine) == 3


def test_duplicate_inside_one_batch(engine: Engine) -> None:
    result = save_batch(engine, [raw("a"), raw("a", "resend")])
    assert list(result.new) == ["a"]
    assert count(engine) == 1


def test_same_external_id_on_other_account_is_another_message(engine: Engine) -> None:
    save_batch(engine, [raw("a"), raw("a", account="second")])
    assert count(engine) == 2


def test_failure_between_rows_and_cursor_leaves_neither(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*_a: object, **_k: object) -> None:
        raise RuntimeError("crash before the cursor")

    monkeypatch.setattr(raw_module, "write_cursor", explode)
    with pytest.raises(RuntimeError):
        save_batch(engine, [raw("a"), raw("b")], ("sms", "main", {"last": 2}))
    assert count(engine) == 0
    assert read_cursor(engine, "sms", "main") is None


def test_cursor_round_trip_and_update(engine: Engine) -> None:
    save_batch(engine, [raw("a")], ("sms", "main", {"uidvalidity": 7, "last": 1}))
    save_batch(engine, [raw("b")], ("sms", "main", {"uidvalidity": 7, "last": 2}))
    assert read_cursor(engine, "sms", "main") == {"uidvalidity": 7, "last": 2}
    assert read_cursor(engine, "sms", "other") is None


def test_one_bad_row_loses_no_other_row(engine: Engine) -> None:
    bad = raw("bad", account="x" * 200)  # longer than the column allows on PostgreSQL
    bad_sqlite = RawMessage("sms", "main", None, b"no id", "text/plain", datetime.now(UTC))  # type: ignore[arg-type]
    result = save_batch(engine, [raw("a"), bad, bad_sqlite, raw("b")])
    assert {"a", "b"} <= set(result.new)
    assert len(result.rejected) >= 1
    assert all(error for _raw, error in result.rejected)
    assert count(engine) == 2 + (0 if engine.dialect.name == "postgresql" else 1)


def test_timestamps_are_aware_utc_on_both_databases(engine: Engine) -> None:
    save_batch(engine, [raw("a")])
    with engine.connect() as conn:
        received, fetched = conn.execute(
            select(raw_messages.c.received_at, raw_messages.c.fetched_at)
        ).one()
    assert received == datetime(2026, 3, 2, 2, 30, tzinfo=UTC)
    assert received.utcoffset() == timedelta(0)
    assert fetched.tzinfo is not None


def test_payload_kept_byte_for_byte(engine: Engine) -> None:
    payload = "Jalan rusak 😩\r\n".encode("utf-16-be") + b"\x00\xff"
    save_batch(engine, [raw("a", payload=payload)])
    with engine.connect() as conn:
        stored = conn.execute(select(raw_messages.c.payload)).scalar_one()
    assert bytes(stored) == payload
