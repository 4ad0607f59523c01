"""The store: SQLModel tables, engines for SQLite and PostgreSQL, migrations, raw archive.

Public surface: :func:`make_engine`, :func:`open_store` (engine + migrations),
:func:`save_batch` (raw rows and their cursor, atomically), :func:`read_cursor`,
and the table models in :mod:`aduan.store.models`.
"""

from __future__ import annotations

from sqlalchemy import Engine

from aduan.store.engine import is_sqlite, make_engine
from aduan.store.migrate import upgrade
from aduan.store.raw import (
    SaveResult,
    insert_raws,
    read_cursor,
    save_batch,
    set_status,
    write_cursor,
)


def open_store(url: str, *, migrate: bool = True) -> Engine:
    """An engine on ``url`` with the schema brought up to date."""
    engine = make_engine(url)
    if migrate:
        upgrade(engine)
    return engine


__all__ = [
    "SaveResult",
    "insert_raws",
    "is_sqlite",
    "make_engine",
    "open_store",
    "read_cursor",
    "save_batch",
    "set_status",
    "upgrade",
    "write_cursor",
]
