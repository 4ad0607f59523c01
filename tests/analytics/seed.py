"""Rows inserted straight into the tables, for the analysts' views, stats and export."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert

from aduan.store.models import (
    AttachmentRow,  # noqa: F401 - keeps every table registered
    Incident,
    Reporter,
    ReporterIdentity,
    complaint_sources,
    complaints,
    raw_messages,
)

reporters = Reporter.__table__  # type: ignore[attr-defined]
identities = ReporterIdentity.__table__  # type: ignore[attr-defined]
incidents = Incident.__table__  # type: ignore[attr-defined]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


NOW = utc("2026-11-29 00:00")


def add_reporter(conn: Connection, key: str, name: str | None = None, *ids: str) -> int:
    rid = conn.execute(
        insert(reporters)
        .values(key=key, display_name=name, created_at=NOW)
        .returning(reporters.c.id)
    ).scalar_one()
    for identity in ids:
        conn.execute(insert(identities).values(identity=identity, reporter_id=rid, created_at=NOW))
    return int(rid)


def add_incident(conn: Connection, reference: str, when: datetime) -> int:
    return int(
        conn.execute(
            insert(incidents)
            .values(
                reference=reference,
                category="lampu",
                complaint_count=2,
                first_received_at=when,
                last_received_at=when,
                created_at=when,
            )
            .returning(incidents.c.id)
        ).scalar_one()
    )


def complaint_values(
    reference: str, channel: str, received_at: datetime, **kw: Any
) -> dict[str, Any]:
    text = kw.pop("text", "Lampu jalan mati di depan sekolah.")
    return {
        "reference": reference,
        "channel": channel,
        "account": kw.pop("account", "main"),
        "text": text,
        "original_text": text,
        "match_text": text.lower(),
        "received_at": received_at,
        "created_at": received_at,
        "updated_at": received_at,
        "status": kw.pop("status", "new"),
        "source_count": kw.pop("source_count", 1),
        "overdue": kw.pop("overdue", False),
        "extra": {},
        **{
            key: kw.pop(key, None)
            for key in (
                "reporter_id",
                "category",
                "agency",
                "priority",
                "track",
                "due_at",
                "resolved_at",
                "closed_at",
                "incident_id",
                "kecamatan",
                "kelurahan",
                "subject",
                "address",
                "lat",
                "lon",
                "triage_source",
            )
        },
        **kw,
    }


def add_complaint(
    conn: Connection, reference: str, channel: str, received_at: datetime, **kw: Any
) -> int:
    values = complaint_values(reference, channel, received_at, **kw)
    return int(
        conn.execute(insert(complaints).values(**values).returning(complaints.c.id)).scalar_one()
    )


def add_source(
    conn: Connection,
    complaint_id: int,
    channel: str,
    external_id: str,
    received_at: datetime,
    role: str = "first",
    status: str = "normalized",
) -> int:
    payload = f"{channel}:{external_id}".encode()
    raw_id = conn.execute(
        insert(raw_messages)
        .values(
            channel=channel,
            account="main",
            external_id=external_id,
            received_at=received_at,
            fetched_at=received_at,
            payload=payload,
            content_type="text/plain",
            content_hash=hashlib.sha256(payload).hexdigest(),
            meta={},
            status=status,
            attempts=0,
            complaint_id=complaint_id,
        )
        .returning(raw_messages.c.id)
    ).scalar_one()
    conn.execute(
        insert(complaint_sources).values(
            complaint_id=complaint_id,
            raw_message_id=raw_id,
            role=role,
            channel=channel,
            received_at=received_at,
        )
    )
    return int(raw_id)
