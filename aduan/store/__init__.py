"""The store: SQLModel tables, engines for SQLite and PostgreSQL, migrations, raw archive.

Public surface: :func:`make_engine`, :func:`open_store` (engine + migrations),
:func:`save_batch` (raw rows and their cursor, atomically), :func:`read_cursor`,
and the table models in :mod:`aduan.store.models`.

The names are loaded on first use, so that importing a module of this package
that needs none of them (the intake's child process, :mod:`.intake_child`)
does not load SQLAlchemy and alembic first.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_HOMES = {
    "is_sqlite": "aduan.store.engine",
    "make_engine": "aduan.store.engine",
    "upgrade": "aduan.store.migrate",
    "SaveResult": "aduan.store.raw",
    "insert_raws": "aduan.store.raw",
    "read_cursor": "aduan.store.raw",
    "save_batch": "aduan.store.raw",
    "set_status": "aduan.store.raw",
    "write_cursor": "aduan.store.raw",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


def open_store(url: str, *, migrate: bool = True) -> Engine:
    """An engine on ``url`` with the schema brought up to date."""
    from aduan.store.engine import make_engine
    from aduan.store.migrate import upgrade

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
