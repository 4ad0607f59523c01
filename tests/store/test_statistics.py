"""The daemon's ``statistics`` job: ANALYZE on SQLite, nothing on PostgreSQL (autovacuum)."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import Engine, text

from aduan.daemon.jobs import PERIODIC_JOBS
from aduan.store import is_sqlite
from tests.helpers.complaints import insert_complaint


def test_the_statistics_job_analyses_sqlite_and_leaves_postgresql_alone(engine: Engine) -> None:
    for status in ("new", "triaged", "triaged", "resolved"):
        insert_complaint(engine, status=status)
    (job,) = [job for job in PERIODIC_JOBS if job.name == "statistics"]
    assert job.singleton
    did = job.run(SimpleNamespace(engine=engine), lambda: False)  # type: ignore[arg-type]
    if not is_sqlite(engine):
        assert did is False
        return
    assert did is True
    with engine.connect() as conn:
        tables = {row[0] for row in conn.execute(text("SELECT tbl FROM sqlite_stat1"))}
    assert "complaints" in tables
