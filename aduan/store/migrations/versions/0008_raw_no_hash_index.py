"""raw_messages: no index on content_hash

Revision ID: 0008_raw_no_hash_index
Revises: 0007_inbox_facets

Nothing looks raws up by ``content_hash`` (an unkeyed raw is deduplicated by its
``external_id``, which holds the hash, under ``uq_raw_source``), but the index
was kept up to date on every insert. A SHA-256 is a random key: each new row
dirtied a random leaf of that index, so a webhook commit of ~170 raws wrote
~170 extra pages to the WAL and fsynced them. On SQLite (WAL,
``synchronous=FULL``) such a commit took 11 ms with the index and 6 ms without
at 20,000 raws, 17 ms and 6 ms at 100,000: the index's cost grew with the
archive, the rest did not. The column stays (analysts read it); only its index goes.

On PostgreSQL the index is dropped and rebuilt ``CONCURRENTLY``, outside a
transaction, as :mod:`0003_raw_time_order` builds its own.
"""

from __future__ import annotations

from alembic import op

revision = "0008_raw_no_hash_index"
down_revision = "0007_inbox_facets"
branch_labels = None
depends_on = None

INDEX = "ix_raw_messages_content_hash"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.drop_index(INDEX, table_name="raw_messages")
        return
    with op.get_context().autocommit_block():
        op.drop_index(
            INDEX, table_name="raw_messages", postgresql_concurrently=True, if_exists=True
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.create_index(INDEX, "raw_messages", ["content_hash"], unique=False)
        return
    with op.get_context().autocommit_block():
        op.create_index(
            INDEX,
            "raw_messages",
            ["content_hash"],
            unique=False,
            postgresql_concurrently=True,
            if_not_exists=True,
        )
