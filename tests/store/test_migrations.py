"""Upgrading a store that is in use: migrations one transaction each, PostgreSQL's time
index built without blocking writers, replicas that start together taking turns."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from structlog.testing import capture_logs

from aduan.core.messages import RawMessage
from aduan.store import insert_raws, make_engine
from aduan.store.migrate import UPGRADE_LOCK, current, head, upgrade
from tests.helpers.databases import reset_schema

BEFORE_INDEX = "0002_views"


def _raw(n: int) -> RawMessage:
    return RawMessage(
        channel="sms",
        account="bench",
        external_id=f"m{n}",
        payload=b"{}",
        content_type="application/json",
        received_at=datetime(2026, 3, 1, tzinfo=UTC),
    )


def _index_valid(engine: Engine) -> bool | None:
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                " WHERE c.relname = 'ix_raw_received_id'"
            )
        ).scalar()


@pytest.fixture
def pg_engine(pg_database: str) -> Engine:
    reset_schema(pg_database)
    return make_engine(pg_database)


def test_the_time_index_is_built_while_raws_are_written(pg_engine: Engine) -> None:
    """A plain CREATE INDEX queues for its lock behind an open write and every later
    write queues behind it; CONCURRENTLY lets the later writes through."""
    upgrade(pg_engine, BEFORE_INDEX)
    with pg_engine.begin() as conn:
        insert_raws(conn, [_raw(0)])
    open_write = pg_engine.connect()
    open_write.begin()
    insert_raws(open_write, [_raw(1)])  # uncommitted: the build must wait for it
    errors: list[BaseException] = []

    def upgrade_to_head() -> None:
        try:
            upgrade(pg_engine)
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)

    builder = threading.Thread(target=upgrade_to_head)
    builder.start()
    try:
        with pg_engine.connect() as watch:
            for _ in range(100):  # until the build waits for the open write
                waiting = watch.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE query ILIKE"
                        " 'CREATE INDEX%' AND wait_event_type = 'Lock'"
                    )
                ).scalar()
                watch.rollback()  # pg_stat_activity is read once per transaction
                if waiting:
                    break
                threading.Event().wait(0.1)
            assert waiting, "the index build never started"
        with pg_engine.begin() as later:
            later.execute(text("SET LOCAL lock_timeout = '3s'"))
            assert len(insert_raws(later, [_raw(2)]).new) == 1
    finally:
        open_write.commit()
        open_write.close()
        builder.join(timeout=60)
    assert not errors, errors
    assert current(pg_engine) == head()
    assert _index_valid(pg_engine) is True
    with pg_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM raw_messages")).scalar() == 3
    pg_engine.dispose()


def test_an_interrupted_build_is_built_again(pg_engine: Engine) -> None:
    """A CONCURRENTLY build that fails leaves an invalid index; the upgrade replaces it."""
    upgrade(pg_engine, BEFORE_INDEX)
    with pg_engine.begin() as conn:
        insert_raws(conn, [_raw(0), _raw(1)])
    # A unique index under the same name over two equal values: the build fails, invalid.
    with (
        pg_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn,
        pytest.raises(DBAPIError, match="could not create unique index"),
    ):
        conn.execute(
            text("CREATE UNIQUE INDEX CONCURRENTLY ix_raw_received_id ON raw_messages (account)")
        )
    assert _index_valid(pg_engine) is False
    upgrade(pg_engine)
    assert _index_valid(pg_engine) is True
    with pg_engine.connect() as conn:
        definition = conn.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_raw_received_id'")
        ).scalar()
    assert "(received_at, id)" in str(definition)
    pg_engine.dispose()


def test_replicas_starting_together_upgrade_once(pg_engine: Engine) -> None:
    errors: list[BaseException] = []

    def start() -> None:
        engine = make_engine(str(pg_engine.url.render_as_string(hide_password=False)))
        try:
            upgrade(engine)
        except BaseException as exc:
            errors.append(exc)
        finally:
            engine.dispose()

    replicas = [threading.Thread(target=start) for _ in range(3)]
    for replica in replicas:
        replica.start()
    for replica in replicas:
        replica.join(timeout=120)
    assert not errors, errors
    assert current(pg_engine) == head()
    pg_engine.dispose()


def test_sqlite_upgrades_in_steps(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'aduan.db'}")
    upgrade(engine, BEFORE_INDEX)
    with engine.begin() as conn:
        insert_raws(conn, [_raw(0)])
    upgrade(engine)
    assert current(engine) == head()
    with engine.connect() as conn:
        names = {r[1] for r in conn.exec_driver_sql("PRAGMA index_list(raw_messages)")}
    assert "ix_raw_received_id" in names
    engine.dispose()


def test_an_upgrade_waits_while_another_holds_the_lock(pg_engine: Engine) -> None:
    with pg_engine.connect() as holder:
        holder.execute(text("SELECT pg_advisory_lock(:k)"), {"k": UPGRADE_LOCK})
        holder.commit()
        with capture_logs() as logs:
            waiter = threading.Thread(target=upgrade, args=(pg_engine,))
            waiter.start()
            waiter.join(timeout=2)
            assert waiter.is_alive()  # still waiting: nothing was migrated
            assert current(pg_engine) is None
            holder.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": UPGRADE_LOCK})
            holder.commit()
            waiter.join(timeout=60)
    assert not waiter.is_alive()
    assert current(pg_engine) == head()
    assert [e["event"] for e in logs].count("schema_upgrade_waiting") == 1
    pg_engine.dispose()
