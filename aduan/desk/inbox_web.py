"""``/desk/``: the case inbox; ``/``: the inbox for a logged-in user, tracking for others.

The page lists what :mod:`aduan.desk.inbox` finds for the logged-in user (an
officer: their agency's cases only), most urgent deadline first, each row a
link to ``/desk/aduan/<reference>`` with its deadline state ("Lewat tenggat",
"Segera jatuh tempo") in the city's time zone. The filter form is a GET (it
changes nothing, so it needs no CSRF token); a bad value is named in
Indonesian above the list and left out, never a 500. A user whose role sees
no cases (an admin) gets a 403 page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from aduan.desk.access import Viewer, may
from aduan.desk.accounts import agencies as routing_agencies
from aduan.desk.inbox import (
    OPEN_FILTER,
    STATUSES,
    Clock,
    Counts,
    DeadlineClock,
    InboxFilter,
    Row,
    counts,
    parse_filter,
    rows,
)
from aduan.desk.offices import official_names
from aduan.desk.web import HEADERS, DeskPages
from aduan.triage.services import agency_name, services

if TYPE_CHECKING:
    from aduan.runtime import Runtime

MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
STATUS_LABELS = {
    "new": "Baru",
    "triaged": "Diteruskan ke instansi",
    "in_progress": "Sedang ditangani",
    "resolved": "Selesai",
    "rejected": "Bukan kewenangan",
    "closed": "Ditutup",
    "duplicate": "Digabung",
}
CHANNEL_LABELS = {
    "email": "Email",
    "sms": "SMS",
    "telegram": "Telegram",
    "twitter": "X (Twitter)",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "whatsapp": "WhatsApp",
    "walkin": "Loket",
    "rss": "Media berita",
    "open311": "Mitra (Open311)",
}
ZONES = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA"}
ZONES["Asia/Jayapura"] = "WIT"
STATE_LABELS = {"lewat": "Lewat tenggat", "segera": "Segera jatuh tempo"}
SNIPPET = 140


class InboxPages:
    def __init__(self, pages: DeskPages) -> None:
        self.pages = pages
        self.runtime = pages.runtime
        settings = self.runtime.settings
        self.deadlines = DeadlineClock(settings.triage.calendar, settings.timezone)

    async def home(self, request: Request) -> Response:
        viewer, _ = self.pages.viewer(request)
        target = "/desk/" if viewer is not None else "/track"
        return RedirectResponse(target, status_code=303, headers=HEADERS)

    async def inbox(self, request: Request) -> Response:
        viewer, session = self.pages.viewer(request)
        if viewer is None:
            return self.pages.to_login(request)
        if not may(viewer, "see", viewer.agency):
            return HTMLResponse(
                "<h1>403</h1><p>Peran Anda tidak melihat daftar aduan.</p>",
                status_code=403,
                headers=HEADERS,
            )
        wanted, errors = parse_filter(request.query_params)
        clock = self.deadlines.at()
        found, figures = await run_in_threadpool(self._load, viewer, wanted, clock)
        return self.pages.page(
            "inbox.html",
            session,
            status=400 if errors else 200,
            errors=errors,
            viewer=viewer,
            officer=viewer.role == "officer",
            own_agency=agency_name(viewer.agency),
            f=wanted,
            rows=[self._row(row, clock) for row in found],
            n=figures,
            options=self._options(figures),
            link=lambda **changes: "?" + urlencode(wanted.query(**changes)),
            open_filter=OPEN_FILTER,
        )

    def _load(self, viewer: Viewer, wanted: InboxFilter, clock: Clock) -> tuple[list[Row], Counts]:
        with self.runtime.engine.connect() as conn:
            return rows(conn, viewer, wanted, clock), counts(conn, viewer, wanted, clock)

    def _row(self, row: Row, clock: Clock) -> dict[str, Any]:
        names = _category_names()
        text = " ".join(row.text.split())
        return {
            "reference": row.reference,
            "text": text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…",
            "channel": CHANNEL_LABELS.get(row.channel, row.channel),
            "category": names.get(row.category or "", row.category or "Belum dipilah"),
            "agency": agency_name(row.agency) or "—",
            "place": ", ".join(p for p in (row.kelurahan, row.kecamatan) if p) or "—",
            "status": STATUS_LABELS.get(row.status, row.status),
            "received": _when(row.received_at, clock),
            "due": _when(row.due_at, clock) if row.due_at else "Belum ditetapkan",
            "state": row.state,
            "state_label": STATE_LABELS.get(row.state, ""),
        }

    def _options(self, figures: Counts) -> dict[str, list[tuple[str, str, int | None]]]:
        """Each filter's choices with their counts (``None``: not counted on this page)."""
        names = _category_names()
        places = official_names(self.runtime.settings.places)

        def count(dimension: str, code: str) -> int | None:
            found = figures.by.get(dimension)
            return None if found is None else found.get(code, 0)

        return {
            "status": [(s, STATUS_LABELS[s], figures.status.get(s, 0)) for s in STATUSES],
            "category": sorted(
                ((code, name, count("category", code)) for code, name in names.items()),
                key=lambda item: item[1],
            ),
            "agency": sorted(
                (
                    (code, agency_name(code) or code, count("agency", code))
                    for code in set(routing_agencies())
                ),
                key=lambda item: item[1],
            ),
            "channel": [
                (code, label, count("channel", code)) for code, label in CHANNEL_LABELS.items()
            ],
            "kecamatan": [(name, name, count("kecamatan", name)) for name in places.kecamatan],
            "kelurahan": [
                (name, name, count("kelurahan", name)) for name in sorted(places.kelurahan)
            ],
        }


def _category_names() -> dict[str, str]:
    return {s.code: s.name for s in services()}


def _when(value: Any, clock: Clock) -> str:
    local = value.astimezone(clock.zone)
    zone = ZONES.get(clock.zone.key, clock.zone.key)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year} {local:%H:%M} {zone}"


def routes(runtime: Runtime) -> list[BaseRoute]:
    pages = InboxPages(DeskPages(runtime))
    return [
        Route("/", pages.home, methods=["GET"]),
        Route("/desk/", pages.inbox, methods=["GET"]),
    ]
