"""The migrations build exactly the tables the models describe, with the indexes hot
queries need."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine
from sqlmodel import SQLModel

from aduan.normalize.replay import Slice, page_query
from aduan.store import open_store
from aduan.store.search import NOT_MODELLED


def _modelled(obj: object, name: str | None, kind: str, reflected: bool, other: object) -> bool:
    return name not in NOT_MODELLED


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": _modelled})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


def test_replay_pages_walk_an_index_not_the_archive(tmp_path: Path) -> None:
    """SQLite only: PostgreSQL's planner scans a small table whatever indexes exist."""
    engine = open_store(f"sqlite:///{tmp_path / 'aduan.db'}")
    after = (datetime(2026, 3, 1, tzinfo=UTC), 5)
    for part in (Slice(), Slice(since=datetime(2026, 2, 1, tzinfo=UTC))):
        query = page_query(part, 2000, after)
        sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
        with engine.connect() as conn:
            plan = " | ".join(str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
        assert "USING INDEX ix_raw_received_id" in plan, plan
        assert "TEMP B-TREE" not in plan, plan
    engine.dispose()
