"""``GET /track/{reference}``: a citizen sees the status of their complaint, in Indonesian.

Every channel's acknowledgement can carry the reference number and this
address. The page shows no personal data: no name, no contact, not the
complaint text; notes are shown with phone numbers, e-mail addresses and NIK
masked.
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
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from aduan.core.logs import scrub
from aduan.store.cases import find_complaint, history
from aduan.store.models import raw_messages

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


def track_context(runtime: Runtime, reference: str) -> dict[str, Any]:
    from aduan.triage.services import agency_name, service

    zone = ZoneInfo(runtime.settings.timezone)
    engine = runtime.engine
    with engine.connect() as conn:
        row = find_complaint(conn, reference)
        raw = None
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
    events = [
        {
            "at": _date(e.at, zone),
            "status": STATUS_ID.get(e.to_status or "", e.kind),
            "note": scrub(e.note) if e.note else None,
        }
        for e in history(engine, row.id)
        if e.to_status
    ]
    return {
        "reference": reference,
        "found": True,
        "status": STATUS_ID.get(row.status, row.status),
        "category": category.name if category else None,
        "agency": agency_name(row.agency),
        "received": _date(row.received_at, zone),
        "due": _date(row.due_at, zone),
        "updated": _date(row.updated_at, zone),
        "history": events,
    }


def routes(runtime: Runtime) -> list[BaseRoute]:
    async def track(request: Request) -> Response:
        reference = request.path_params["reference"].strip().upper()
        context = await asyncio.to_thread(track_context, runtime, reference)
        html = TEMPLATES.get_template("track.html").render(**context)
        return HTMLResponse(html, status_code=200 if context["found"] else 404)

    return [Route("/track/{reference}", track, methods=["GET"])]
