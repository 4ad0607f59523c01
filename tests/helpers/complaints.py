"""Complaint rows written directly, for tests of what reads complaints (API, pages, cases)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from aduan.store.models import complaints

_counter = iter(range(1, 10_000_000))


def insert_complaint(engine: Engine, **fields: Any) -> int:
    number = next(_counter)
    received = fields.pop("received_at", datetime.now(UTC) - timedelta(days=1))
    row: dict[str, Any] = {
        "reference": f"ADU-{received.year}-{900000 + number:06d}",
        "channel": "sms",
        "account": "main",
        "text": "Lampu jalan mati di Jl. Kemang Raya",
        "original_text": "Lampu jalan mati di Jl. Kemang Raya",
        "match_text": "lampu jalan mati di jalan kemang raya",
        "received_at": received,
        "created_at": received,
        "updated_at": received,
        "category": "street_lighting",
        "agency": "Suku Dinas Bina Marga",
        "priority": "normal",
        "track": "same_day",
        "due_at": received + timedelta(days=3),
        "status": "triaged",
        "source_count": 1,
        "overdue": False,
        "extra": {},
    }
    row.update(fields)
    with engine.begin() as conn:
        return int(conn.execute(complaints.insert().values(**row)).inserted_primary_key[0])


def tracking(runtime: Any, reference: str) -> str:
    """``reference`` with its check code, as the citizen's receipt shows it."""
    from aduan.store.references import check_key, tracking_id

    return tracking_id(check_key(runtime.nik_key()), reference)
