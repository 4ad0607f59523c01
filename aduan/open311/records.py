"""Complaints as GeoReport v2 service requests, and the searches partners make.

A request that is stored but not yet normalized (its reference was reserved
at intake) is shown as ``open`` from its raw message, so a partner can read
back what it just posted. No personal data leaves through this API: the
description has phone numbers, e-mail addresses and NIK masked, and names,
phones and e-mail addresses are never returned.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, select

from aduan.core.logs import scrub
from aduan.store.cases import CLOSED, find_complaint, latest_note
from aduan.store.models import AttachmentRow, complaints, raw_messages
from aduan.store.types import to_utc
from aduan.triage.services import Service, agency_name

attachments = AttachmentRow.__table__  # type: ignore[attr-defined]
MAX_SPAN = timedelta(days=90)
MAX_ROWS = 1000


class SearchError(ValueError):
    """A search parameter the spec does not allow (400)."""


@dataclass(frozen=True)
class Search:
    start: datetime
    end: datetime
    codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()


_PLACE = ("kelurahan", "kecamatan", "region_code", "street", "place_name")


def _place(row: Any) -> dict[str, Any]:
    """The place fields (an extension of GeoReport v2): official regions, the street
    without house number, the landmark; None until the complaint is normalized."""
    return {name: getattr(row, name) if row is not None else None for name in _PLACE}


def _when(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        return to_utc(datetime.fromisoformat(value.strip().replace(" ", "+")))
    except ValueError:
        raise SearchError(f"{name} must be a W3C datetime such as 2026-01-01T00:00:00Z") from None


def make_search(params: dict[str, str], now: datetime) -> Search:
    start, end = (
        _when(params.get("start_date"), "start_date"),
        _when(params.get("end_date"), "end_date"),
    )
    if start and end and end - start > MAX_SPAN:
        raise SearchError("start_date and end_date may not span more than 90 days")
    if start and end and end < start:
        raise SearchError("end_date is before start_date")
    if start is None and end is None:
        end = now
    if start is None:
        assert end is not None
        start = end - MAX_SPAN
    if end is None:
        end = start + MAX_SPAN
    statuses = tuple(s for s in (params.get("status") or "").split(",") if s)
    if any(s not in ("open", "closed") for s in statuses):
        raise SearchError("status must be open or closed")
    codes = tuple(c for c in (params.get("service_code") or "").split(",") if c)
    return Search(start, end, codes, statuses)


class Records:
    def __init__(self, engine: Engine, services: list[Service], timezone: str) -> None:
        self.engine = engine
        self.services = {s.code: s for s in services}
        self.zone = ZoneInfo(timezone)

    def _time(self, value: datetime | None) -> str | None:
        return value.astimezone(self.zone).isoformat(timespec="seconds") if value else None

    def _media(self, conn: Connection, complaint_id: int) -> str | None:
        return conn.execute(
            select(attachments.c.url)
            .where(attachments.c.complaint_id == complaint_id, attachments.c.url.is_not(None))
            .limit(1)
        ).scalar_one_or_none()

    def from_complaint(
        self, conn: Connection, row: Any, reference: str | None = None
    ) -> dict[str, Any]:
        service = self.services.get(row.category or "")
        return {
            "service_request_id": reference or row.reference,
            "status": "closed" if row.status in CLOSED else "open",
            "status_notes": latest_note(conn, row.id),
            "service_name": service.name if service else None,
            "service_code": row.category,
            "description": scrub(row.text),
            "agency_responsible": agency_name(row.agency),
            "service_notice": None,
            "requested_datetime": self._time(row.received_at),
            "updated_datetime": self._time(row.updated_at),
            "expected_datetime": self._time(row.due_at),
            "address": row.address,
            "address_id": None,
            "zipcode": None,
            "lat": row.lat,
            "long": row.lon,
            "media_url": self._media(conn, row.id),
            **_place(row),
        }

    def from_raw(self, row: Any, reference: str) -> dict[str, Any]:
        try:
            data = json.loads(row.payload)
        except ValueError:
            data = {}
        code = data.get("service_code") if isinstance(data, dict) else None
        service = self.services.get(code or "")
        return {
            "service_request_id": reference,
            "status": "open",
            "status_notes": "Aduan diterima dan sedang diproses",
            "service_name": service.name if service else None,
            "service_code": code,
            "description": scrub(str(data.get("description", "")))
            if isinstance(data, dict)
            else "",
            "agency_responsible": service.agency if service else None,
            "service_notice": None,
            "requested_datetime": self._time(row.received_at),
            "updated_datetime": self._time(row.fetched_at),
            "expected_datetime": None,
            "address": data.get("address_string") if isinstance(data, dict) else None,
            "address_id": None,
            "zipcode": None,
            "lat": data.get("lat") if isinstance(data, dict) else None,
            "long": data.get("long") if isinstance(data, dict) else None,
            "media_url": data.get("media_url") if isinstance(data, dict) else None,
            **_place(None),
        }

    def one(self, reference: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = find_complaint(conn, reference)
            if row is not None:
                return self.from_complaint(conn, row, reference)
            raw = conn.execute(
                select(raw_messages).where(
                    raw_messages.c.meta["reference"].as_string() == reference
                )
            ).first()
        return self.from_raw(raw, reference) if raw is not None else None

    def search(self, search: Search) -> list[dict[str, Any]]:
        query = (
            select(complaints)
            .where(complaints.c.received_at >= search.start, complaints.c.received_at <= search.end)
            .where(complaints.c.status != "duplicate")
            .order_by(complaints.c.received_at.desc())
            .limit(MAX_ROWS)
        )
        if search.codes:
            query = query.where(complaints.c.category.in_(search.codes))
        if search.statuses == ("open",):
            query = query.where(complaints.c.status.not_in(CLOSED))
        elif search.statuses == ("closed",):
            query = query.where(complaints.c.status.in_(CLOSED))
        with self.engine.connect() as conn:
            return [self.from_complaint(conn, row) for row in conn.execute(query)]
