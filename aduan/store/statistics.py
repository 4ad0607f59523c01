"""The query planner's statistics: kept fresh on SQLite, left to autovacuum on PostgreSQL.

SQLite plans a query from its indexes alone until ``ANALYZE`` has written
``sqlite_stat1``; a store that is never analysed picks poor plans once tables
grow (the desk's inbox filtered to late complaints: 112 ms at 100,000 rows
without statistics, 34 ms with them). :func:`refresh_statistics` analyses every
table with ``analysis_limit`` set, so each index is sampled rather than read in
full and a run stays short at any size; the daemon's ``statistics`` job runs it
at start and every ``scheduler.statistics_seconds``. PostgreSQL's autovacuum
analyses tables as they change, so there it does nothing.
"""

from __future__ import annotations

from sqlalchemy import Engine

from aduan.store.engine import is_sqlite

ANALYSIS_LIMIT = 1000
"""Rows SQLite samples per index (its documentation suggests 100 to 1000)."""


def refresh_statistics(engine: Engine) -> bool:
    """Analyse the store's tables where aduan must; True when it did."""
    if not is_sqlite(engine):
        return False
    with engine.begin() as conn:
        conn.exec_driver_sql(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        conn.exec_driver_sql("ANALYZE")
    return True


__all__ = ["ANALYSIS_LIMIT", "refresh_statistics"]
