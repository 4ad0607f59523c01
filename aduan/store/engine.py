"""Engines for SQLite (the embedded default) and PostgreSQL (production).

SQLite runs in WAL mode with foreign keys on, a 30 s busy timeout and
``synchronous=FULL`` (a 2xx means the row survives a power cut); the WAL
file is cut back to :data:`WAL_SIZE_LIMIT` after a burst. Every write
transaction starts with ``BEGIN IMMEDIATE``: a deferred transaction that
upgrades from reading to writing gets "database is locked" at once instead of
waiting, which is what breaks a daemon and a CLI command sharing one file.

Read-only engines (``aduan query``) open SQLite with ``mode=ro`` and
``query_only``, and PostgreSQL with ``default_transaction_read_only``: the
database itself refuses writes.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

SQLITE_BUSY_MS = 30_000
SQLITE_CACHE_KIB = 65_536
"""Page cache per connection (64 MiB, taken only as pages are read): the 2 MiB default
makes every lookup of an inbox or search over 100 000 complaints a read from the OS."""
WAL_SIZE_LIMIT = 32 * 1024 * 1024
"""Bytes the WAL file is cut back to once a checkpoint has emptied it; without a
limit it keeps the size of the largest burst it ever held."""


def advisory_lock_id(name: str) -> int:
    """A stable signed 64-bit PostgreSQL advisory lock id for ``name``."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def normalize_url(url: str) -> URL:
    """Accept ``postgresql://`` and ``postgres://`` for psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def is_sqlite(engine_or_url: Engine | URL | str) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(str(engine_or_url))
    return url.get_backend_name() == "sqlite"


def sqlite_path(url: URL) -> Path | None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def sqlite_pragmas(*, read_only: bool = False) -> list[str]:
    """What every connection to a SQLite store runs first (the intake's child process too)."""
    common = [
        f"PRAGMA busy_timeout={SQLITE_BUSY_MS}",
        "PRAGMA foreign_keys=ON",
        f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}",
    ]
    if read_only:
        return [*common, "PRAGMA query_only=ON"]
    return [
        *common,
        "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=FULL",
        f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}",
    ]


def _sqlite_engine(url: URL, read_only: bool, echo: bool) -> Engine:
    path = sqlite_path(url)
    connect_args: dict[str, Any] = {"timeout": SQLITE_BUSY_MS / 1000, "check_same_thread": False}
    if read_only:
        if path is None:
            raise ValueError("a read-only SQLite store needs a file")
        url = url.set(database=f"file:{path.resolve()}?mode=ro", query={"uri": "true"})
    elif path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args=connect_args, echo=echo)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi: sqlite3.Connection, _record: Any) -> None:
        dbapi.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi.cursor()
        for pragma in sqlite_pragmas(read_only=read_only):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def make_engine(url: str, *, read_only: bool = False, echo: bool = False) -> Engine:
    """An engine for ``url``; ``read_only`` makes the database refuse every write."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, read_only, echo)
    connect_args: dict[str, Any] = {"connect_timeout": 10}
    if read_only:
        connect_args["options"] = "-c default_transaction_read_only=on"
    return create_engine(
        parsed,
        connect_args=connect_args,
        echo=echo,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
    )
