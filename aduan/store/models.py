"""The tables: raw archive, complaints, reporters, incidents, cursors, triage, audit, outbox.

Stable names for analysts (documented in the README): ``raw_messages``,
``complaints``, ``complaint_sources``, ``reporters``, ``reporter_identities``,
``incidents``, ``triage_decisions``, ``complaint_events``, ``audit_log``,
``outbox``, ``contact_preferences``.
Hot paths (raw ingestion, normalization) write through SQLAlchemy Core on
these tables' ``__table__``; the ORM classes serve migrations and the
low-volume reads and writes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from aduan.core.clock import utcnow
from aduan.store.types import BigID, JSONType, UTCDateTime

OPEN_CASES = "status IN ('new', 'triaged', 'in_progress')"
"""The open cases, as the partial index ``ix_complaints_open_facets`` is written (the
inbox's late and due-soon lists, and their counts per filter value)."""


def _id() -> Any:
    return Field(default=None, sa_column=Column(BigID, primary_key=True, autoincrement=True))


def _when(nullable: bool = False, index: bool = False) -> Any:
    kwargs: dict[str, Any] = {"default": None} if nullable else {"default_factory": utcnow}
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable, index=index), **kwargs)


def _json(nullable: bool = False) -> Any:
    if nullable:
        return Field(default=None, sa_column=Column(JSONType, nullable=True))
    return Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))


def _ref(target: str, index: bool = True, nullable: bool = True) -> Any:
    return Field(
        default=None,
        sa_column=Column(BigID, ForeignKey(target), nullable=nullable, index=index),
    )


class RawMessageRow(SQLModel, table=True):
    """Every message exactly as it arrived; unique on (channel, account, external_id)."""

    __tablename__ = "raw_messages"
    __table_args__ = (
        UniqueConstraint("channel", "account", "external_id", name="uq_raw_source"),
        Index("ix_raw_status_id", "status", "id"),
        Index("ix_raw_channel_received", "channel", "received_at"),
        Index("ix_raw_received_id", "received_at", "id"),
    )

    id: int | None = _id()
    channel: str = Field(sa_column=Column(String(32), nullable=False))
    account: str = Field(sa_column=Column(String(64), nullable=False))
    external_id: str = Field(sa_column=Column(Text, nullable=False))
    received_at: datetime = _when()
    fetched_at: datetime = _when()
    payload: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    content_type: str = Field(sa_column=Column(String(100), nullable=False))
    content_hash: str = Field(sa_column=Column(String(64), nullable=False))
    meta: dict[str, Any] = _json()
    status: str = Field(default="pending", sa_column=Column(String(16), nullable=False))
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    normalized_at: datetime | None = _when(nullable=True)
    complaint_id: int | None = Field(
        default=None, sa_column=Column(BigID, nullable=True, index=True)
    )


class ChannelCursor(SQLModel, table=True):
    """A pull channel's position, written in the same transaction as the rows it covers."""

    __tablename__ = "channel_cursors"

    channel: str = Field(sa_column=Column(String(32), primary_key=True))
    account: str = Field(sa_column=Column(String(64), primary_key=True))
    value: dict[str, Any] = _json()
    updated_at: datetime = _when()


class Reporter(SQLModel, table=True):
    """A person behind one or more identities. ``key`` is the pseudonym analysts see."""

    __tablename__ = "reporters"

    id: int | None = _id()
    key: str = Field(sa_column=Column(String(32), nullable=False, unique=True))
    display_name: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = _when()
    merged_into_id: int | None = _ref("reporters.id")


class ReporterIdentity(SQLModel, table=True):
    """``tel:+62...``, ``mailto:...``, ``telegram:...``, ``nik:<keyed hash>``..."""

    __tablename__ = "reporter_identities"

    id: int | None = _id()
    identity: str = Field(sa_column=Column(String(320), nullable=False, unique=True))
    reporter_id: int = _ref("reporters.id", nullable=False)
    created_at: datetime = _when()
    raw_message_id: int | None = Field(default=None, sa_column=Column(BigID, nullable=True))


class ReporterMerge(SQLModel, table=True):
    """A recorded merge of two reporters, undone by ``aduan reporter split``."""

    __tablename__ = "reporter_merges"

    id: int | None = _id()
    at: datetime = _when()
    kept_id: int = _ref("reporters.id", nullable=False)
    merged_id: int = _ref("reporters.id", nullable=False)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    raw_message_id: int | None = Field(default=None, sa_column=Column(BigID, nullable=True))
    identities: list[str] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    undone_at: datetime | None = _when(nullable=True)
    undone_by: str | None = Field(default=None, sa_column=Column(String(100), nullable=True))


class Incident(SQLModel, table=True):
    """Several reporters' complaints about one problem at one place."""

    __tablename__ = "incidents"

    id: int | None = _id()
    reference: str = Field(sa_column=Column(String(32), nullable=False, unique=True))
    category: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    lat: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    lon: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    address: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    kelurahan: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    kecamatan: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    region_code: str | None = Field(default=None, sa_column=Column(String(16), nullable=True))
    place_name: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    complaint_count: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    first_received_at: datetime = _when()
    last_received_at: datetime = _when()
    created_at: datetime = _when()


class Complaint(SQLModel, table=True):
    """One complaint, whatever the channel; the record analysts count."""

    __tablename__ = "complaints"
    __table_args__ = (
        Index("ix_complaints_status_due", "status", "due_at"),
        Index("ix_complaints_received", "received_at"),
        Index("ix_complaints_kecamatan", "kecamatan"),
        Index("ix_complaints_region", "region_code"),
        Index("ix_complaints_agency_due", "agency", "due_at"),
        Index("ix_complaints_agency_status", "agency", "status", "due_at"),
        Index("ix_complaints_due", "due_at"),
        Index(
            "ix_complaints_open_facets",
            "due_at",
            "id",  # the inbox's order (deadline, then id): a page needs no sort
            "status",
            "agency",
            "category",
            "kecamatan",
            "kelurahan",
            "channel",
            sqlite_where=text(OPEN_CASES),
            postgresql_where=text(OPEN_CASES),
        ),
    )

    id: int | None = _id()
    reference: str = Field(sa_column=Column(String(32), nullable=False, unique=True))
    channel: str = Field(sa_column=Column(String(32), nullable=False, index=True))
    account: str = Field(sa_column=Column(String(64), nullable=False))
    reporter_id: int | None = _ref("reporters.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    original_text: str = Field(sa_column=Column(Text, nullable=False))
    match_text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    text_hash: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    subject: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    language: str | None = Field(default=None, sa_column=Column(String(8), nullable=True))
    lat: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    lon: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    address: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    kelurahan: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    kecamatan: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    region_code: str | None = Field(default=None, sa_column=Column(String(16), nullable=True))
    rt: str | None = Field(default=None, sa_column=Column(String(3), nullable=True))
    rw: str | None = Field(default=None, sa_column=Column(String(3), nullable=True))
    street: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    place_name: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    place_source: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    """Where each place column came from: JSON {column: form|text|channel|coordinates|...}."""
    received_at: datetime = _when()
    created_at: datetime = _when()
    updated_at: datetime = _when()
    category: str | None = Field(
        default=None, sa_column=Column(String(32), nullable=True, index=True)
    )
    agency: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    priority: str | None = Field(default=None, sa_column=Column(String(16), nullable=True))
    track: str | None = Field(default=None, sa_column=Column(String(16), nullable=True))
    due_at: datetime | None = _when(nullable=True)
    triage_source: str | None = Field(default=None, sa_column=Column(String(16), nullable=True))
    status: str = Field(default="new", sa_column=Column(String(16), nullable=False))
    incident_id: int | None = _ref("incidents.id")
    source_count: int = Field(default=1, sa_column=Column(Integer, nullable=False, default=1))
    overdue: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, default=False))
    overdue_at: datetime | None = _when(nullable=True)
    resolved_at: datetime | None = _when(nullable=True)
    closed_at: datetime | None = _when(nullable=True)
    extra: dict[str, Any] = _json()


class ComplaintSource(SQLModel, table=True):
    """Each raw message that fed a complaint: the first, resends, follow-ups, edits."""

    __tablename__ = "complaint_sources"

    id: int | None = _id()
    complaint_id: int = _ref("complaints.id", nullable=False)
    raw_message_id: int = Field(
        sa_column=Column(BigID, ForeignKey("raw_messages.id"), nullable=False, unique=True)
    )
    role: str = Field(sa_column=Column(String(16), nullable=False))
    ref: str | None = Field(default=None, sa_column=Column(Text, nullable=True, index=True))
    reference: str | None = Field(
        default=None, sa_column=Column(String(32), nullable=True, unique=True)
    )
    """A reference reserved at intake for this source when it joined an existing complaint."""
    channel: str = Field(sa_column=Column(String(32), nullable=False))
    received_at: datetime = _when()
    text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    similarity: float | None = Field(default=None, sa_column=Column(Float, nullable=True))


class AttachmentRow(SQLModel, table=True):
    """A file that came with a message; bytes kept content-addressed under data_dir/blobs."""

    __tablename__ = "attachments"

    id: int | None = _id()
    complaint_id: int | None = _ref("complaints.id")
    raw_message_id: int | None = _ref("raw_messages.id")
    filename: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    content_type: str = Field(sa_column=Column(String(100), nullable=False))
    size: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    sha256: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    url: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    stored: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, default=False))


class TriageDecision(SQLModel, table=True):
    """Every routing decision, with the rules and score that made it."""

    __tablename__ = "triage_decisions"

    id: int | None = _id()
    complaint_id: int = _ref("complaints.id", nullable=False)
    at: datetime = _when()
    category: str = Field(sa_column=Column(String(32), nullable=False))
    agency: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    priority: str = Field(sa_column=Column(String(16), nullable=False))
    track: str = Field(sa_column=Column(String(16), nullable=False))
    due_at: datetime | None = _when(nullable=True)
    source: str = Field(sa_column=Column(String(16), nullable=False))
    score: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    rules: list[Any] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    actor: str | None = Field(default=None, sa_column=Column(String(100), nullable=True))
    changes: dict[str, Any] = _json()


class ComplaintEvent(SQLModel, table=True):
    """Status changes, overdue marks, escalations and notes on a complaint."""

    __tablename__ = "complaint_events"

    id: int | None = _id()
    complaint_id: int = _ref("complaints.id", nullable=False)
    at: datetime = _when()
    actor: str | None = Field(default=None, sa_column=Column(String(100), nullable=True))
    kind: str = Field(sa_column=Column(String(32), nullable=False))
    from_status: str | None = Field(default=None, sa_column=Column(String(16), nullable=True))
    to_status: str | None = Field(default=None, sa_column=Column(String(16), nullable=True))
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    details: dict[str, Any] = _json()


class AuditEntry(SQLModel, table=True):
    """Who did what that matters: exports with personal data, merges, splits, manual triage."""

    __tablename__ = "audit_log"

    id: int | None = _id()
    at: datetime = _when(index=True)
    actor: str = Field(sa_column=Column(String(100), nullable=False))
    action: str = Field(sa_column=Column(String(64), nullable=False))
    subject: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    details: dict[str, Any] = _json()


class Counter(SQLModel, table=True):
    """Named counters (reference numbers per year); never decremented, so never reused."""

    __tablename__ = "counters"

    name: str = Field(sa_column=Column(String(64), primary_key=True))
    value: int = Field(default=0, sa_column=Column(BigID, nullable=False, default=0))


class Meta(SQLModel, table=True):
    """Small key/value facts about this store (the generated NIK hash key, ...)."""

    __tablename__ = "meta"

    key: str = Field(sa_column=Column(String(64), primary_key=True))
    value: str = Field(sa_column=Column(Text, nullable=False))


class OutboxMessage(SQLModel, table=True):
    """One message to a citizen: queued in the event's transaction, sent by the outbox job.

    ``key`` (sha256 of complaint, event and recipient) is unique: a replay, a restart or
    a second replica queues it once. ``complaint_id`` is not a foreign key: a replay of
    normalization may rebuild complaints, the record of what was sent stays.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_provider", "provider_message_id"),
        Index("ix_outbox_channel_status", "channel", "status"),
    )

    id: int | None = _id()
    key: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    complaint_id: int = Field(sa_column=Column(BigID, nullable=False, index=True))
    event: str = Field(sa_column=Column(String(100), nullable=False))
    channel: str = Field(sa_column=Column(String(100), nullable=False))
    """The channel instance that sends it, ``<type>/<name>`` (``sms/kannel``)."""
    recipient: str = Field(sa_column=Column(String(320), nullable=False))
    text: str = Field(sa_column=Column(Text, nullable=False))
    subject: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    in_reply_to: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    references: list[str] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    template: str | None = Field(default=None, sa_column=Column(String(100), nullable=True))
    last_inbound_at: datetime | None = _when(nullable=True)
    status: str = Field(default="queued", sa_column=Column(String(16), nullable=False))
    provider_message_id: str | None = Field(
        default=None, sa_column=Column(String(200), nullable=True)
    )
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    next_attempt_at: datetime = _when()
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    claimed_by: str | None = Field(default=None, sa_column=Column(String(100), nullable=True))
    claimed_until: datetime | None = _when(nullable=True)
    created_at: datetime = _when()
    sent_at: datetime | None = _when(nullable=True)
    updated_at: datetime = _when()


class ContactPreference(SQLModel, table=True):
    """Whether aduan may write to an identity: opt-out ("STOP") and clerks' do-not-contact."""

    __tablename__ = "contact_preferences"

    identity: str = Field(sa_column=Column(String(320), primary_key=True))
    allowed: bool = Field(sa_column=Column(Boolean, nullable=False))
    reason: str = Field(sa_column=Column(Text, nullable=False))
    by: str = Field(sa_column=Column(String(100), nullable=False))
    at: datetime = _when()


class DeskUserRow(SQLModel, table=True):
    """A desk user kept in the store (``aduan desk user add``): role, agency, scrypt hash."""

    __tablename__ = "desk_users"

    username: str = Field(sa_column=Column(String(64), primary_key=True))
    password_hash: str = Field(sa_column=Column(Text, nullable=False))
    role: str = Field(sa_column=Column(String(16), nullable=False))
    agency: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    display_name: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    desk: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    disabled: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, default=False))
    created_at: datetime = _when()
    updated_at: datetime = _when()


raw_messages = SQLModel.metadata.tables["raw_messages"]
channel_cursors = SQLModel.metadata.tables["channel_cursors"]
complaints = SQLModel.metadata.tables["complaints"]
complaint_sources = SQLModel.metadata.tables["complaint_sources"]
outbox = SQLModel.metadata.tables["outbox"]
contact_preferences = SQLModel.metadata.tables["contact_preferences"]
desk_users = SQLModel.metadata.tables["desk_users"]
