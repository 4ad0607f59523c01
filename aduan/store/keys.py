"""The store's keys: the keyed-hash key for NIK numbers.

A NIK (Indonesian national ID) is never stored; only ``nik:<HMAC>`` made
with this key (see :func:`aduan.core.identity.nik_identity`). The key
comes from ``nik_hash_key`` (environment or secrets file) when set;
otherwise one is generated once and kept in the store's ``meta`` table, so
every process sharing the store (several daemons on one PostgreSQL, the
CLI) hashes the same NIK to the same identity.
"""

from __future__ import annotations

import secrets

from pydantic import SecretStr
from sqlalchemy import Connection, Engine, select

from aduan.store.models import Meta
from aduan.store.raw import upsert_statement

meta_table = Meta.__table__  # type: ignore[attr-defined]
NIK_KEY = "nik_hash_key"


def nik_hash_key(engine: Engine, configured: SecretStr | None = None) -> bytes:
    """The configured key, else the store's generated one (created on first use)."""
    if configured is not None and configured.get_secret_value():
        return configured.get_secret_value().encode()
    with engine.begin() as conn:
        return nik_hash_key_in(conn)


def nik_hash_key_in(conn: Connection, configured: SecretStr | None = None) -> bytes:
    """:func:`nik_hash_key` inside the caller's transaction (a writer already holding
    SQLite's lock cannot wait for a second connection)."""
    if configured is not None and configured.get_secret_value():
        return configured.get_secret_value().encode()
    stmt = upsert_statement(conn, meta_table).values(key=NIK_KEY, value=secrets.token_hex(32))
    conn.execute(stmt.on_conflict_do_nothing(index_elements=["key"]))
    value = conn.execute(select(meta_table.c.value).where(meta_table.c.key == NIK_KEY)).scalar_one()
    return str(value).encode()


def nik_key(engine: Engine, configured: str | None = None) -> bytes:
    """The key of NIK hashes: from settings, else generated once and kept in ``meta``."""
    return nik_hash_key(engine, SecretStr(configured) if configured else None)
