"""Schema migrations (alembic), applied at start and by ``aduan db upgrade``.

Each migration runs in its own transaction, so one that must build an index
outside any transaction (PostgreSQL's ``CREATE INDEX CONCURRENTLY``, which
does not block writers) can commit what came before it. On PostgreSQL the
whole upgrade holds an advisory lock: replicas starting together take turns,
and the later ones find nothing left to do.

Developers add a revision with
``alembic -c aduan/store/migrations/alembic.ini revision --autogenerate -m "..."``.
"""

from __future__ import annotations

import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from aduan.core.logs import get_logger
from aduan.store.engine import advisory_lock_id

log = get_logger("aduan.store.migrate")

UPGRADE_LOCK = advisory_lock_id("aduan.schema:upgrade")
"""PostgreSQL advisory lock id held for the length of an upgrade."""
LOCK_POLL_SECONDS = 0.2

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config()
    with engine.connect() as conn:
        postgresql = conn.dialect.name == "postgresql"
        if postgresql:
            _wait_for_lock(conn)
        try:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
        finally:
            if postgresql:
                _release_lock(conn)


def _wait_for_lock(conn: Connection) -> None:
    """Take the upgrade lock, polling: a transaction left waiting on the lock would hold
    up the holder's ``CREATE INDEX CONCURRENTLY``, which waits for every open transaction."""
    waited = False
    while True:
        taken = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": UPGRADE_LOCK}).scalar()
        conn.commit()
        if taken:
            return
        if not waited:
            log.info("schema_upgrade_waiting", reason="another process is upgrading the schema")
            waited = True
        time.sleep(LOCK_POLL_SECONDS)


def _release_lock(conn: Connection) -> None:
    """Release the upgrade lock; if the session cannot, close it (its locks die with it)."""
    try:
        conn.rollback()
        conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": UPGRADE_LOCK})
        conn.commit()
    except SQLAlchemyError:
        conn.invalidate()


def current(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
