"""Complaints as GeoReport v2 service requests, and the searches partners make.

A request that is stored but not yet normalized (its reference was reserved
at intake) is shown as ``open`` from its raw message, so a partner can read
back what it just posted. What each record shows is decided by the privacy
rule (:mod:`aduan.core.disclosure`): a partner with its key sees its own
requests; a stranger sees one request only with its check code
(``ADU-2026-000123-K7QF``), and searches only the public categories.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, exists, select

from aduan.core.disclosure import STRANGER, Item, PrivacySettings, View, Viewer, view
from aduan.store.cases import CLOSED, find_complaint, latest_note
from aduan.store.models import AttachmentRow, ComplaintSource, Reporter, complaints, raw_messages
from aduan.store.references import check_ok
from aduan.store.types import to_utc
from aduan.triage.services import Service, agency_name

attachments = AttachmentRow.__table__  # type: ignore[attr-defined]
sources = ComplaintSource.__table__  # type: ignore[attr-defined]
reporters = Reporter.__table__  # type: ignore[attr-defined]
CHANNEL = "open311"
MAX_SPAN = timedelta(days=90)
MAX_ROWS = 1000
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


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
        when = to_utc(datetime.fromisoformat(value.strip().replace(" ", "+")))
    except (ValueError, OverflowError):
        raise SearchError(f"{name} must be a W3C datetime such as 2026-01-01T00:00:00Z") from None
    if not EARLIEST <= when <= LATEST:
        raise SearchError(f"{name} must be between {EARLIEST.year} and {LATEST.year}")
    return when


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
    def __init__(
        self,
        engine: Engine,
        services: list[Service],
        timezone: str,
        privacy: PrivacySettings | None = None,
        check_key: bytes = b"",
    ) -> None:
        self.engine = engine
        self.services = {s.code: s for s in services}
        self.zone = ZoneInfo(timezone)
        self.privacy = privacy or PrivacySettings()
        self.check_key = check_key

    def _time(self, value: datetime | None) -> str | None:
        return value.astimezone(self.zone).isoformat(timespec="seconds") if value else None

    def _media(self, conn: Connection, complaint_id: int) -> str | None:
        return conn.execute(
            select(attachments.c.url)
            .where(attachments.c.complaint_id == complaint_id, attachments.c.url.is_not(None))
            .limit(1)
        ).scalar_one_or_none()

    def _names(self, conn: Connection, row: Any) -> list[str]:
        if row.reporter_id is None:
            return []
        name = conn.execute(
            select(reporters.c.display_name).where(reporters.c.id == row.reporter_id)
        ).scalar_one_or_none()
        return [name] if name else []

    def from_complaint(
        self, conn: Connection, row: Any, viewer: Viewer, reference: str | None = None
    ) -> dict[str, Any]:
        service = self.services.get(row.category or "")
        shown = view(viewer, row.category, self.privacy, self._names(conn, row))
        lat, lon = shown.location(row.lat, row.lon)
        return {
            "service_request_id": reference or row.reference,
            "status": "closed" if row.status in CLOSED else "open",
            "status_notes": shown.text(latest_note(conn, row.id)),
            "service_name": service.name if service else None,
            "service_code": row.category,
            "description": shown.text(row.text) if shown.shows(Item.description) else None,
            "agency_responsible": agency_name(row.agency),
            "service_notice": None,
            "requested_datetime": self._time(row.received_at),
            "updated_datetime": self._time(row.updated_at),
            "expected_datetime": self._time(row.due_at),
            "address": shown.keep(Item.address, row.address),
            "address_id": None,
            "zipcode": None,
            "lat": lat,
            "long": lon,
            "media_url": self._media(conn, row.id) if shown.shows(Item.media) else None,
            **_place(row if shown.shows(Item.location) else None),
        }

    def from_raw(self, row: Any, reference: str, viewer: Viewer) -> dict[str, Any]:
        try:
            data = json.loads(row.payload)
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        code = data.get("service_code")
        service = self.services.get(code or "")
        names = [str(data.get(k) or "") for k in ("first_name", "last_name")]
        shown: View = view(viewer, code, self.privacy, [" ".join(names).strip(), *names])
        lat, lon = _number(data.get("lat")), _number(data.get("long"))
        lat, lon = shown.location(lat, lon)
        return {
            "service_request_id": reference,
            "status": "open",
            "status_notes": "Aduan diterima dan sedang diproses",
            "service_name": service.name if service else None,
            "service_code": code,
            "description": shown.text(str(data.get("description", "")))
            if shown.shows(Item.description)
            else None,
            "agency_responsible": service.agency if service else None,
            "service_notice": None,
            "requested_datetime": self._time(row.received_at),
            "updated_datetime": self._time(row.fetched_at),
            "expected_datetime": None,
            "address": shown.keep(Item.address, data.get("address_string")),
            "address_id": None,
            "zipcode": None,
            "lat": lat,
            "long": lon,
            "media_url": shown.keep(Item.media, data.get("media_url")),
            **_place(None),
        }

    def _owns(self, conn: Connection, partner: str | None, complaint_id: int) -> bool:
        if partner is None:
            return False
        query = select(
            exists()
            .where(sources.c.complaint_id == complaint_id)
            .where(raw_messages.c.id == sources.c.raw_message_id)
            .where(raw_messages.c.channel == CHANNEL, raw_messages.c.account == partner)
        )
        return bool(conn.execute(query).scalar())

    def one(
        self, reference: str, viewer: Viewer = STRANGER, code: str | None = None
    ) -> dict[str, Any] | None:
        """The request ``reference`` as ``viewer`` may see it: a partner its own, anyone
        with the check code; None otherwise, exactly as when there is no such request."""
        coded = check_ok(self.check_key, reference, code) if self.check_key else False
        with self.engine.connect() as conn:
            row = find_complaint(conn, reference)
            if row is not None:
                if self._owns(conn, viewer.partner, row.id):
                    return self.from_complaint(conn, row, viewer, reference)
                return self.from_complaint(conn, row, STRANGER, reference) if coded else None
            raw = conn.execute(
                select(raw_messages).where(
                    raw_messages.c.meta["reference"].as_string() == reference
                )
            ).first()
        if raw is None:
            return None
        if viewer.partner is not None and (raw.channel, raw.account) == (CHANNEL, viewer.partner):
            return self.from_raw(raw, reference, viewer)
        return self.from_raw(raw, reference, STRANGER) if coded else None

    def search(self, search: Search, viewer: Viewer = STRANGER) -> list[dict[str, Any]]:
        """A partner searches its own requests; a stranger the public categories."""
        query = (
            select(complaints)
            .where(complaints.c.received_at >= search.start, complaints.c.received_at <= search.end)
            .where(complaints.c.status != "duplicate")
            .order_by(complaints.c.received_at.desc())
            .limit(MAX_ROWS)
        )
        if viewer.partner is None:
            query = query.where(complaints.c.category.in_(self.privacy.public_categories))
        else:
            query = query.where(
                exists()
                .where(sources.c.complaint_id == complaints.c.id)
                .where(raw_messages.c.id == sources.c.raw_message_id)
                .where(raw_messages.c.channel == CHANNEL, raw_messages.c.account == viewer.partner)
            )
        if search.codes:
            query = query.where(complaints.c.category.in_(search.codes))
        if search.statuses == ("open",):
            query = query.where(complaints.c.status.not_in(CLOSED))
        elif search.statuses == ("closed",):
            query = query.where(complaints.c.status.in_(CLOSED))
        with self.engine.connect() as conn:
            return [self.from_complaint(conn, row, viewer) for row in conn.execute(query)]


def _number(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None
