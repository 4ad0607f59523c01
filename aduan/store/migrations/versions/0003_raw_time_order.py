"""raw_messages: an index in time order for replay

Revision ID: 0003_raw_time_order
Revises: 0002_views

Replay walks the raw archive in (received_at, id) order, a page at a time.
Without this index every page was a scan of the whole archive and a sort:
at 1,000,000 raws that was a quarter of a replay's time.
"""

from __future__ import annotations

from alembic import op

revision = "0003_raw_time_order"
down_revision = "0002_views"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_raw_received_id", "raw_messages", ["received_at", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_raw_received_id", table_name="raw_messages")
