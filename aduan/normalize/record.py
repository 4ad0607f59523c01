"""The complaint record: one pydantic model for every channel, mirroring ``complaints``.

Fields analysts need are columns (see :class:`aduan.store.models.Complaint`);
:meth:`ComplaintRecord.row` gives the dict the normalizer writes with one
Core ``executemany``. Status values: ``new`` (waiting for a person: triage
found no rule), ``triaged``, ``in_progress``, ``resolved``, ``closed``,
``duplicate``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

Status = Literal["new", "triaged", "in_progress", "resolved", "closed", "duplicate"]


class ComplaintRecord(BaseModel):
    """One complaint, whatever the channel it came by."""

    id: int
    reference: str
    channel: str
    account: str
    reporter_id: int | None = None
    text: str
    original_text: str
    match_text: str = ""
    text_hash: str | None = None
    subject: str | None = None
    language: str | None = None
    lat: float | None = None
    lon: float | None = None
    address: str | None = None
    received_at: datetime
    created_at: datetime
    updated_at: datetime
    category: str | None = None
    agency: str | None = None
    priority: str | None = None
    track: str | None = None
    due_at: datetime | None = None
    triage_source: str | None = None
    status: Status = "new"
    incident_id: int | None = None
    source_count: int = 1
    extra: dict[str, Any] = Field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        return {
            **self.__dict__,
            "overdue": False,
            "kelurahan": None,
            "kecamatan": None,
        }
