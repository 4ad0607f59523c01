"""The GeoReport v2 API under ``/open311/v2/``, JSON or XML by the path's extension.

=====================================  ===========================================
``GET  services.{fmt}``                our categories, Indonesian names, agency as group
``GET  services/{code}.{fmt}``         a service definition (its attributes)
``POST requests.{fmt}``                a new request (partner's ``api_key``) -> reference
``GET  requests.{fmt}``                search: service_request_id, service_code,
                                       start_date/end_date (<= 90 days), status; <= 1,000
                                       (with ``api_key``: the partner's own requests;
                                       without: the public categories)
``GET  requests/{id}.{fmt}``           one request: the partner's own (``api_key``), or
                                       anyone's with its check code (``ADU-...-K7QF``)
``POST requests/{id}/status.{fmt}``    aduan's extension: a partner with ``can_update``
                                       records in_progress/resolved/rejected/closed/reopen,
                                       and/or corrects ``service_code`` (a human triage
                                       decision, actor ``open311:<partner>``: a label)
=====================================  ===========================================

A POST goes through the same raw-first path as every channel: the raw message
is committed (with a reference reserved at intake) before the answer; a
retried POST with the same partner id answers the same reference and stores
nothing new. Errors use the spec's format and codes: 400 bad request, 403
invalid api_key, 404 not found. What each answer shows is the privacy rule's
(:mod:`aduan.core.disclosure`).
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import TYPE_CHECKING

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from aduan.channels.base import WebhookRequest
from aduan.channels.open311 import Open311Channel, form_fields
from aduan.core.clock import utcnow
from aduan.core.disclosure import STRANGER, Viewer
from aduan.core.errors import AduanError, StoreError, WebhookRejected
from aduan.core.logs import get_logger
from aduan.core.messages import RawMessage
from aduan.open311.formats import FORMATS, error, render, render_one
from aduan.open311.records import Records, SearchError, make_search
from aduan.replies.events import change_status
from aduan.store.models import raw_messages
from aduan.store.references import (
    check_code,
    check_key,
    parse_tracking,
    reserve_reference,
    tracking_id,
)
from aduan.triage import CATEGORIES
from aduan.triage.apply import set_manual
from aduan.triage.services import services
from aduan.web.app import to_webhook_request
from aduan.web.limits import check_body
from aduan.web.sink import RawSink

if TYPE_CHECKING:
    from aduan.runtime import Runtime

log = get_logger("aduan.open311")
PREFIX = "/open311/v2"
MAX_BODY = 100_000
ATTRIBUTES = [
    {
        "variable": True,
        "code": "partner_id",
        "datatype": "string",
        "required": False,
        "datatype_description": "The partner's own id for this request; a retry with the "
        "same id returns the same service_request_id.",
        "order": 1,
        "description": "ID permintaan di sistem mitra",
    }
]


class Open311Api:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def partner(self, key: str | None) -> Open311Channel | None:
        for channel in self.runtime.channels.values():
            if isinstance(channel, Open311Channel) and channel.key_matches(key):
                return channel
        return None

    def check_key(self) -> bytes:
        assert self.runtime.nik_key is not None
        return check_key(self.runtime.nik_key())

    def records(self) -> Records:
        settings = self.runtime.settings
        return Records(
            self.runtime.engine, services(), settings.timezone, settings.privacy, self.check_key()
        )

    def viewer(self, request: Request) -> Viewer | None:
        """The partner an ``api_key`` names, a stranger without one, None for a wrong key."""
        key = request.query_params.get("api_key")
        if not key:
            return STRANGER
        channel = self.partner(key)
        if channel is None:
            return None
        return Viewer(channel.name, frozenset(channel.settings.grants))

    def find(self, wanted: str, viewer: Viewer) -> dict[str, object] | None:
        parsed = parse_tracking(wanted)
        if parsed is None:
            return None
        reference, code = parsed
        return self.records().one(reference, viewer, code)

    async def list_services(self, request: Request) -> Response:
        fmt = request.path_params["fmt"]
        if fmt not in FORMATS:
            return error("json", 404, f"format {fmt!r} not supported; use json or xml")
        rows = [
            {
                "service_code": s.code,
                "service_name": s.name,
                "description": f"Aduan {s.name.lower()}"
                + (f", ditangani {s.agency}" if s.agency else ""),
                "metadata": True,
                "type": "realtime",
                "keywords": ",".join(s.keywords),
                "group": s.agency or "Lainnya",
            }
            for s in services()
        ]
        return render(fmt, "services", "service", rows)

    async def service_definition(self, request: Request) -> Response:
        fmt, code = request.path_params["fmt"], request.path_params["code"]
        if fmt not in FORMATS:
            return error("json", 404, f"format {fmt!r} not supported; use json or xml")
        if code not in {s.code for s in services()}:
            return error(fmt, 404, f"service_code {code!r} not found")
        return render_one(
            fmt, "service_definition", {"service_code": code, "attributes": ATTRIBUTES}
        )

    async def post_request(self, request: Request) -> Response:
        fmt = request.path_params["fmt"]
        if fmt not in FORMATS:
            return error("json", 404, f"format {fmt!r} not supported; use json or xml")
        try:
            incoming = await self._incoming(request)
            check_body(
                incoming.body,
                incoming.headers.get("content-type", ""),
                self.runtime.settings.limits,
                len(incoming.query),
            )
            params = dict(form_fields(incoming))
            channel = self.partner(params.get("api_key"))
            if channel is None:
                log.warning("open311_rejected", reason="invalid api_key")
                return error(fmt, 403, "invalid api_key")
            raw = channel.parse(incoming)[0]
        except WebhookRejected as exc:
            return error(fmt, exc.status_code, str(exc))
        except Exception as exc:  # a parser choking on hostile content: nothing stored
            log.warning("open311_unparseable", error=type(exc).__name__)
            return error(fmt, 400, "unreadable request")
        try:
            reference = await self._store(raw, request.app.state.sink)
        except StoreError:
            return error(fmt, 503, "store unavailable, retry later")
        tracking = await asyncio.to_thread(lambda: tracking_id(self.check_key(), reference))
        notice = (
            "Aduan diterima; lacak di "
            + f"{self.runtime.settings.server.base_url}/track/{tracking}"
        )
        record = {"service_request_id": reference, "service_notice": notice, "account_id": None}
        return render(fmt, "service_requests", "request", [record])

    async def _incoming(self, request: Request) -> WebhookRequest:
        return await to_webhook_request(self.runtime, request, "", MAX_BODY)

    async def _store(self, raw: RawMessage, sink: RawSink) -> str:
        engine = self.runtime.engine
        existing = await asyncio.to_thread(self._existing_reference, raw)
        if existing:
            return existing
        reference = await asyncio.to_thread(reserve_reference, engine, utcnow())
        raw = dataclasses.replace(raw, meta={**raw.meta, "reference": reference})
        result = await sink.submit([raw])
        if result.rejected:
            raise StoreError(result.rejected[0][1])
        if not result.new:  # a concurrent retry won the race: answer its reference
            return await asyncio.to_thread(self._existing_reference, raw) or reference
        log.info("open311_request_stored", partner=raw.account, reference=reference)
        return reference

    def _existing_reference(self, raw: RawMessage) -> str | None:
        with self.runtime.engine.connect() as conn:
            meta = conn.execute(
                select(raw_messages.c.meta).where(
                    raw_messages.c.channel == raw.channel,
                    raw_messages.c.account == raw.account,
                    raw_messages.c.external_id == raw.external_id,
                )
            ).scalar_one_or_none()
        return str(meta["reference"]) if meta and meta.get("reference") else None

    async def search_requests(self, request: Request) -> Response:
        fmt = request.path_params["fmt"]
        if fmt not in FORMATS:
            return error("json", 404, f"format {fmt!r} not supported; use json or xml")
        params = dict(request.query_params)
        viewer = self.viewer(request)
        if viewer is None:
            return error(fmt, 403, "invalid api_key")
        if params.get("service_request_id"):
            ids = [i.strip() for i in params["service_request_id"].split(",") if i.strip()][:100]
            found = await asyncio.to_thread(lambda: [r for i in ids if (r := self.find(i, viewer))])
            return render(fmt, "service_requests", "request", found)
        try:
            search = make_search(params, utcnow())
        except SearchError as exc:
            return error(fmt, 400, str(exc))
        rows = await asyncio.to_thread(self.records().search, search, viewer)
        return render(fmt, "service_requests", "request", rows)

    async def get_request(self, request: Request) -> Response:
        fmt, reference = request.path_params["fmt"], request.path_params["id"]
        if fmt not in FORMATS:
            return error("json", 404, f"format {fmt!r} not supported; use json or xml")
        viewer = self.viewer(request)
        if viewer is None:
            return error(fmt, 403, "invalid api_key")
        record = await asyncio.to_thread(self.find, reference, viewer)
        if record is None:
            return error(fmt, 404, "service_request_id not found")
        return render(fmt, "service_requests", "request", [record])

    async def update_request(self, request: Request) -> Response:
        fmt, reference = request.path_params["fmt"], request.path_params["id"]
        if fmt not in FORMATS:
            return error("json", 404, f"format {fmt!r} not supported; use json or xml")
        incoming = await self._incoming(request)
        params = dict(form_fields(incoming))
        channel = self.partner(params.get("api_key"))
        if channel is None or not channel.settings.can_update:
            return error(fmt, 403, "invalid api_key or this partner may not update requests")
        code, actor = params.get("service_code"), f"open311:{channel.name}"
        if code and code not in CATEGORIES:
            return error(fmt, 400, f"unknown service_code {code!r}")
        try:
            if params.get("status") or not code:
                await asyncio.to_thread(
                    change_status,
                    self.runtime.engine,
                    reference,
                    params.get("status", ""),
                    actor=actor,
                    note=params.get("status_notes") or params.get("note"),
                    agency=params.get("agency"),
                )
            if code:
                await asyncio.to_thread(
                    set_manual, self.runtime.engine, reference, category=code, actor=actor
                )
        except AduanError as exc:
            status = 404 if str(exc).startswith("no complaint") else 400
            return error(fmt, status, str(exc))
        # The partner may change this request, so it reads back the stranger's view of it
        # even when it is not its own (as if it held the check code).
        partner = Viewer(channel.name, frozenset(channel.settings.grants))
        code = check_code(self.check_key(), reference)
        record = await asyncio.to_thread(self.records().one, reference, partner, code)
        return render(fmt, "service_requests", "request", [record] if record else [])


def routes(runtime: Runtime) -> list[BaseRoute]:
    api = Open311Api(runtime)
    return [
        Route(f"{PREFIX}/services.{{fmt}}", api.list_services, methods=["GET"]),
        Route(f"{PREFIX}/services/{{code}}.{{fmt}}", api.service_definition, methods=["GET"]),
        Route(f"{PREFIX}/requests.{{fmt}}", api.post_request, methods=["POST"]),
        Route(f"{PREFIX}/requests.{{fmt}}", api.search_requests, methods=["GET"]),
        Route(f"{PREFIX}/requests/{{id}}/status.{{fmt}}", api.update_request, methods=["POST"]),
        Route(f"{PREFIX}/requests/{{id}}.{{fmt}}", api.get_request, methods=["GET"]),
    ]
