"""``GET /track/{reference}-{code}``: a citizen sees the status of their complaint, in Indonesian.

Every receipt carries the reference number with its check code
(``ADU-2026-000123-K7QF``, see :mod:`aduan.store.references`) and this
address; ``?kode=K7QF`` works too. Without the right code the page is the
same "not found" as for a number that does not exist, so references cannot
be enumerated. What the page shows is the privacy rule's
(:mod:`aduan.core.disclosure`): status, category, agency, dates and the status
notes masked; no name, no contact, not the complaint text.

The deadline is shown as :func:`aduan.triage.deadline.deadline_state` says
("Melewati target penyelesaian 2 Des 2026" once it has passed), and an
escalation as what it is (:data:`~aduan.triage.deadline.ESCALATED`), never as
progress. The page carries the city's name, logo, contact line and office
hours (``[city]``); ``/kota/logo`` serves a configured logo file.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from aduan.config.city import LOGO_TYPES
from aduan.core.clock import utcnow
from aduan.core.disclosure import STRANGER, view
from aduan.store.cases import find_complaint, history
from aduan.store.models import Reporter, raw_messages
from aduan.store.references import check_key, check_ok, parse_tracking

if TYPE_CHECKING:
    from aduan.runtime import Runtime

STATUS_ID = {
    "new": "Diterima, menunggu pemeriksaan petugas",
    "triaged": "Diteruskan ke instansi terkait",
    "in_progress": "Sedang ditangani",
    "resolved": "Selesai ditangani",
    "rejected": "Bukan kewenangan kami, diteruskan ke instansi yang berwenang",
    "closed": "Ditutup",
    "duplicate": "Digabung dengan aduan lain yang sama",
}
SHOWN_KINDS = ("status", "reopened", "overdue", "duplicate")
"""The events a citizen sees: status changes and the escalation; not internal notes."""
MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)


def _date(value: datetime | None, zone: ZoneInfo) -> str | None:
    if value is None:
        return None
    local = value.astimezone(zone)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year} {local:%H:%M} WIB"


reporters = Reporter.__table__  # type: ignore[attr-defined]


def event_label(kind: str, to_status: str | None) -> str:
    """An event as a line of history: an escalation is never shown as a status."""
    from aduan.triage.deadline import ESCALATED, WARNED

    if kind == "overdue":
        return ESCALATED
    if kind == "due_soon":
        return WARNED
    if kind == "reopened":
        return "Dibuka kembali, sedang ditangani"
    return STATUS_ID.get(to_status or "", kind)


def track_context(runtime: Runtime, wanted: str, code: str | None = None) -> dict[str, Any]:
    from aduan.triage import active
    from aduan.triage.deadline import deadline_state
    from aduan.triage.services import agency_name, service

    parsed = parse_tracking(wanted)
    reference, code = (parsed[0], parsed[1] or code) if parsed else (wanted[:40], None)
    assert runtime.nik_key is not None
    if parsed is None or not check_ok(check_key(runtime.nik_key()), reference, code):
        return {"reference": reference, "found": False}
    zone = ZoneInfo(runtime.settings.timezone)
    engine = runtime.engine
    names: list[str] = []
    with engine.connect() as conn:
        row = find_complaint(conn, reference)
        raw = None
        if row is not None and row.reporter_id is not None:
            name = conn.execute(
                select(reporters.c.display_name).where(reporters.c.id == row.reporter_id)
            ).scalar_one_or_none()
            names = [name] if name else []
        if row is None:
            raw = conn.execute(
                select(raw_messages.c.received_at).where(
                    raw_messages.c.meta["reference"].as_string() == reference
                )
            ).first()
    if row is None and raw is None:
        return {"reference": reference, "found": False}
    if row is None:
        return {
            "reference": reference,
            "found": True,
            "status": "Diterima, sedang diproses",
            "received": _date(raw.received_at, zone),  # type: ignore[union-attr]
            "updated": _date(raw.received_at, zone),  # type: ignore[union-attr]
            "history": [],
        }
    category = service(row.category) if row.category else None
    shown = view(STRANGER, row.category, runtime.settings.privacy, names)
    events = [
        {
            "at": _date(e.at, zone),
            "status": event_label(e.kind, e.to_status),
            "late": e.kind == "overdue",
            "note": shown.text(e.note),
        }
        for e in history(engine, row.id)
        if e.kind in SHOWN_KINDS
    ]
    finished = row.resolved_at is not None or row.closed_at is not None
    deadline = deadline_state(
        row.due_at, row.status, utcnow(), active().calendar, finished=finished
    )
    return {
        "reference": reference,
        "found": True,
        "status": STATUS_ID.get(row.status, row.status),
        "category": category.name if category else None,
        "agency": agency_name(row.agency),
        "received": _date(row.received_at, zone),
        "due": _date(row.due_at, zone),
        "deadline": deadline,
        "updated": _date(row.updated_at, zone),
        "history": events,
    }


def routes(runtime: Runtime) -> list[BaseRoute]:
    async def track(request: Request) -> Response:
        wanted = request.path_params["reference"].strip().upper()[:64]
        code = (request.query_params.get("kode") or "").strip().upper()[:8] or None
        context = await asyncio.to_thread(track_context, runtime, wanted, code)
        html = TEMPLATES.get_template("track.html").render(city=runtime.settings.city, **context)
        return HTMLResponse(html, status_code=200 if context["found"] else 404)

    async def logo(request: Request) -> Response:
        path = runtime.settings.city.logo
        if path is None or "://" in path:
            return HTMLResponse("<h1>404</h1>", status_code=404)
        kind = LOGO_TYPES[Path(path).suffix.lower()]
        headers = {"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"}
        if kind == "image/svg+xml":
            headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
        return FileResponse(path, media_type=kind, headers=headers)

    return [
        Route("/track/{reference}", track, methods=["GET"]),
        Route("/kota/logo", logo, methods=["GET"]),
    ]
