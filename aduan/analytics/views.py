"""The analysts' views as SQLAlchemy tables: their stable names, columns and types.

The views are created by migrations ``0002_views`` and ``0004_places`` with the same SQL on SQLite
and PostgreSQL; these declarations let code select from them with proper
types (UTC-aware datetimes on both databases) and are the one list the README
and the tests check against. Flags (``overdue``, ``resolved_in_time``) are
integers 0/1 on both databases.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text

from aduan.store.types import BigID, UTCDateTime

metadata = MetaData()

v_complaints = Table(
    "v_complaints",
    metadata,
    Column("complaint_id", BigID),
    Column("reference", String),
    Column("channel", String),
    Column("account", String),
    Column("reporter_key", String),
    Column("category", String),
    Column("agency", String),
    Column("priority", String),
    Column("track", String),
    Column("status", String),
    Column("triage_source", String),
    Column("received_at", UTCDateTime()),
    Column("due_at", UTCDateTime()),
    Column("resolved_at", UTCDateTime()),
    Column("closed_at", UTCDateTime()),
    Column("overdue", Integer),
    Column("resolved_in_time", Integer),
    Column("incident_id", BigID),
    Column("incident_reference", String),
    Column("kecamatan", String),
    Column("kelurahan", String),
    Column("source_count", Integer),
    Column("region_code", String),
    Column("rt", String),
    Column("rw", String),
    Column("street", String),
    Column("place_name", String),
)

v_complaint_sources = Table(
    "v_complaint_sources",
    metadata,
    Column("source_id", BigID),
    Column("complaint_id", BigID),
    Column("complaint_reference", String),
    Column("source_reference", String),
    Column("raw_id", BigID),
    Column("channel", String),
    Column("account", String),
    Column("external_id", Text),
    Column("role", String),
    Column("similarity", Float),
    Column("received_at", UTCDateTime()),
    Column("raw_status", String),
)

v_daily_channel = Table(
    "v_daily_channel",
    metadata,
    Column("day", String),
    Column("channel", String),
    Column("complaints", Integer),
    Column("overdue", Integer),
    Column("resolved", Integer),
    Column("resolved_in_time", Integer),
)

VIEWS = (v_complaints, v_complaint_sources, v_daily_channel)
