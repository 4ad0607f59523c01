"""desk users in the store, the inbox's indexes, full-text search over complaints

Revision ID: 0006_desk_users
Revises: 0005_outbox

* ``desk_users``: desk users made with ``aduan desk user add`` (username,
  scrypt hash, role, agency, disabled, created/updated); config users still
  log in, as a bootstrap.
* ``ix_complaints_agency_due`` (an officer's inbox, by deadline),
  ``ix_complaints_agency_status`` (an officer's counts, from the index alone),
  ``ix_complaints_due`` (everyone else's) and ``ix_complaints_open_due``, a
  partial index of the open cases by deadline (late, due soon); status
  filters use the existing ``ix_complaints_status_due``.
* Full text: on SQLite the FTS5 table ``complaints_fts`` with its triggers,
  filled from the stored complaints; on PostgreSQL a GIN index on
  ``to_tsvector('indonesian', text)`` (see :mod:`aduan.store.search`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from aduan.store import search
from aduan.store.types import UTCDateTime

revision = "0006_desk_users"
down_revision = "0005_outbox"
branch_labels = None
depends_on = None

OPEN_CASES = "status IN ('new', 'triaged', 'in_progress')"  # as in models.OPEN_CASES


def upgrade() -> None:
    op.create_table(
        "desk_users",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("agency", sa.String(64), nullable=True),
        sa.Column("display_name", sa.Text(), nullable=True),
        sa.Column("desk", sa.String(64), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_complaints_agency_due", "complaints", ["agency", "due_at"])
    op.create_index("ix_complaints_agency_status", "complaints", ["agency", "status", "due_at"])
    op.create_index("ix_complaints_due", "complaints", ["due_at"])
    open_cases = sa.text(OPEN_CASES)
    op.create_index(
        "ix_complaints_open_due",
        "complaints",
        ["due_at"],
        sqlite_where=open_cases,
        postgresql_where=open_cases,
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for sql in search.SQLITE_DDL:
            op.execute(sql)
    elif dialect == "postgresql":
        for sql in search.PG_DDL:
            op.execute(sql)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for sql in search.SQLITE_DROP if dialect == "sqlite" else search.PG_DROP:
        op.execute(sql)
    op.drop_index("ix_complaints_open_due", table_name="complaints")
    op.drop_index("ix_complaints_due", table_name="complaints")
    op.drop_index("ix_complaints_agency_status", table_name="complaints")
    op.drop_index("ix_complaints_agency_due", table_name="complaints")
    op.drop_table("desk_users")
