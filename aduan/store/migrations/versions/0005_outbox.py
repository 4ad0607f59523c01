"""outbox: the messages aduan sends to citizens, and who may not be written to

Revision ID: 0005_outbox
Revises: 0004_places

``outbox`` holds one row per outbound message (queued in the transaction of the
event that causes it, unique on its idempotency ``key``); the send job claims
due rows through ``ix_outbox_due`` and delivery reports find theirs through
``ix_outbox_provider``. ``contact_preferences`` records opt-outs ("STOP") and
clerks' do-not-contact marks per identity.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import aduan.store.types

revision = "0005_outbox"
down_revision = "0004_places"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _when(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, aduan.store.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("complaint_id", ID, nullable=False),
        sa.Column("event", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=100), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("in_reply_to", sa.Text(), nullable=True),
        sa.Column("references", JSON, nullable=False),
        sa.Column("template", sa.String(length=100), nullable=True),
        _when("last_inbound_at", nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("provider_message_id", sa.String(length=200), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _when("next_attempt_at"),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        _when("claimed_until", nullable=True),
        _when("created_at"),
        _when("sent_at", nullable=True),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_outbox_complaint_id", "outbox", ["complaint_id"])
    op.create_index("ix_outbox_due", "outbox", ["status", "next_attempt_at"])
    op.create_index("ix_outbox_provider", "outbox", ["provider_message_id"])
    op.create_index("ix_outbox_channel_status", "outbox", ["channel", "status"])
    op.create_table(
        "contact_preferences",
        sa.Column("identity", sa.String(length=320), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=100), nullable=False),
        _when("at"),
        sa.PrimaryKeyConstraint("identity"),
    )


def downgrade() -> None:
    op.drop_table("contact_preferences")
    op.drop_index("ix_outbox_channel_status", table_name="outbox")
    op.drop_index("ix_outbox_provider", table_name="outbox")
    op.drop_index("ix_outbox_due", table_name="outbox")
    op.drop_index("ix_outbox_complaint_id", table_name="outbox")
    op.drop_table("outbox")
