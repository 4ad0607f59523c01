"""the inbox's open cases with their filter columns, so its counts read one index

Revision ID: 0007_inbox_facets
Revises: 0006_desk_users

``ix_complaints_open_facets`` replaces ``ix_complaints_open_due``: the open
cases (a partial index, as before) by deadline then id — the inbox's order,
so a late or due-soon page is still an index walk with no sort — now also
holding status, agency, category, kecamatan, kelurahan and channel. The inbox's counts per
filter value over open, late or due-soon cases (``aduan.desk.inbox.counts``)
are then read from the index alone instead of a row per case (at 100 000
complaints on SQLite: about 28 ms a dimension before, 9–13 ms after).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_inbox_facets"
down_revision = "0006_desk_users"
branch_labels = None
depends_on = None

OPEN_CASES = "status IN ('new', 'triaged', 'in_progress')"  # as in models.OPEN_CASES
COLUMNS = ["due_at", "id", "status", "agency", "category", "kecamatan", "kelurahan", "channel"]


def _open_cases_index(name: str, columns: list[str]) -> None:
    where = sa.text(OPEN_CASES)
    op.create_index(name, "complaints", columns, sqlite_where=where, postgresql_where=where)


def upgrade() -> None:
    _open_cases_index("ix_complaints_open_facets", COLUMNS)
    op.drop_index("ix_complaints_open_due", table_name="complaints")


def downgrade() -> None:
    _open_cases_index("ix_complaints_open_due", ["due_at"])
    op.drop_index("ix_complaints_open_facets", table_name="complaints")
