"""PostgreSQL for tests: one throw-away database per test session.

PostgreSQL runs at 127.0.0.1:5432 on the developers' and CI's machines
(trust auth on the unix socket). Locally, when none answers, PostgreSQL
tests skip with the reason; with ``CI=true`` they fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Generator

import psycopg
import pytest

CANDIDATES = (
    os.environ.get("ADUAN_TEST_PG_DSN", ""),
    "host=/var/run/postgresql user=postgres dbname=test",
    "host=127.0.0.1 port=5432 user=postgres dbname=test",
    "host=127.0.0.1 port=5432 user=postgres password=postgres dbname=test",
)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def skip_or_fail(reason: str) -> None:
    if in_ci():
        pytest.fail(f"{reason} (CI=true: integration tests may not skip)")
    pytest.skip(reason)


def admin_dsn() -> str | None:
    for dsn in CANDIDATES:
        if not dsn:
            continue
        try:
            with psycopg.connect(dsn, connect_timeout=3):
                return dsn
        except psycopg.Error:
            continue
    return None


def _url(dsn: str, dbname: str) -> str:
    params = dict(part.split("=", 1) for part in dsn.split())
    user = params.get("user", "postgres")
    password = f":{params['password']}" if "password" in params else ""
    host = params.get("host", "127.0.0.1")
    if host.startswith("/"):
        return f"postgresql+psycopg://{user}{password}@/{dbname}?host={host}"
    return f"postgresql+psycopg://{user}{password}@{host}:{params.get('port', '5432')}/{dbname}"


def create_database() -> Generator[str, None, None]:
    """Yield a SQLAlchemy URL of a fresh database, dropped afterwards."""
    dsn = admin_dsn()
    if dsn is None:
        skip_or_fail("no PostgreSQL answers on the local socket or 127.0.0.1:5432")
        return
    name = f"aduan_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _url(dsn, name)
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def reset_schema(url: str) -> None:
    """Empty the public schema of a test database."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
