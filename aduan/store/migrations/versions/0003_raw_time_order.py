"""raw_messages: an index in time order for replay

Revision ID: 0003_raw_time_order
Revises: 0002_views

Replay walks the raw archive in (received_at, id) order, a page at a time.
Without this index every page was a scan of the whole archive and a sort:
at 1,000,000 raws that was a quarter of a replay's time.

On PostgreSQL the index is built ``CONCURRENTLY``, outside a transaction, so
webhooks and polls go on writing raws while it is built (minutes on a large
archive). A build that was interrupted leaves an invalid index behind; it is
dropped and built again.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0003_raw_time_order"
down_revision = "0002_views"
branch_labels = None
depends_on = None

INDEX = "ix_raw_received_id"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.create_index(INDEX, "raw_messages", ["received_at", "id"], unique=False)
        return
    with op.get_context().autocommit_block():
        invalid = op.get_bind().execute(
            text(
                "SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                " WHERE c.relname = :name AND NOT i.indisvalid"
            ),
            {"name": INDEX},
        )
        if invalid.first() is not None:
            op.drop_index(INDEX, table_name="raw_messages", postgresql_concurrently=True)
        op.create_index(
            INDEX,
            "raw_messages",
            ["received_at", "id"],
            unique=False,
            postgresql_concurrently=True,
            if_not_exists=True,
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.drop_index(INDEX, table_name="raw_messages")
        return
    with op.get_context().autocommit_block():
        op.drop_index(INDEX, table_name="raw_messages", postgresql_concurrently=True)
