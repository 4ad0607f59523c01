"""outbox: one row per message to a citizen; contact preferences (opt-out)

Revision ID: 0005_outbox
Revises: 0004_places

A minimal stand-in for the outbox of issue 22 (the outbox-core branch owns the
real table and its send job): the rows :mod:`aduan.store.outbox` queues, unique
on their idempotency ``key``, and ``contact_preferences``, one row per identity
that said STOP (or was marked "do not contact" by a clerk) or MULAI again.
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

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _when(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, aduan.store.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", _ID, autoincrement=True, nullable=False, primary_key=True),
        sa.Column("key", sa.String(200), nullable=False, unique=True),
        sa.Column("complaint_id", _ID, sa.ForeignKey("complaints.id"), nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(100), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("in_reply_to", sa.Text(), nullable=True),
        sa.Column("references_", _JSON, nullable=False),
        sa.Column("template", sa.String(100), nullable=True),
        sa.Column("status", sa.String(16), nullable=False, server_default="queued"),
        _when("not_before", nullable=True),
        _when("next_attempt_at"),
        _when("created_at"),
    )
    op.create_index("ix_outbox_complaint", "outbox", ["complaint_id"])
    op.create_index("ix_outbox_status_next", "outbox", ["status", "next_attempt_at"])
    op.create_table(
        "contact_preferences",
        sa.Column("identity", sa.String(320), primary_key=True),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by", sa.String(100), nullable=False),
        _when("at"),
    )


def downgrade() -> None:
    op.drop_table("contact_preferences")
    op.drop_index("ix_outbox_status_next", table_name="outbox")
    op.drop_index("ix_outbox_complaint", table_name="outbox")
    op.drop_table("outbox")
