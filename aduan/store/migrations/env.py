"""Alembic environment: runs aduan's migrations on the connection it is given."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, engine_from_config, pool
from sqlmodel import SQLModel

import aduan.store.models  # noqa: F401 - registers the tables
from aduan.store.search import NOT_MODELLED

target_metadata = SQLModel.metadata
config = context.config


def include_object(
    obj: object, name: str | None, kind: str, reflected: bool, other: object
) -> bool:
    """Leave out what the migrations make outside the models (full-text search)."""
    return name not in NOT_MODELLED


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,
        compare_type=True,
        include_object=include_object,
        transaction_per_migration=True,
    )
    if sqlite:
        # A batch migration rebuilds a table and renames it into place; SQLite
        # >= 3.26 refuses that rename while a view (v_complaints ...) names the
        # table, unless legacy_alter_table is on.
        connection.exec_driver_sql("PRAGMA legacy_alter_table=ON")
    try:
        with context.begin_transaction():
            context.run_migrations()
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA legacy_alter_table=OFF")


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = engine_from_config(
        config.get_section(config.config_ini_section) or {},
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as conn:
        _run(conn)
