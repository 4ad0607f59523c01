"""The ASGI app served by ``aduan run``: webhooks, ``/healthz``, and the parts' pages.

Webhooks arrive at ``/webhooks/<type>/<instance>[/<rest>]``. The flow for
each request: the instance must exist (404), the body must fit its limit
(413) and the bounds of :mod:`aduan.web.limits` (JSON depth 400, form fields
413), a provider's handshake is answered, the signature or token is checked
(401/403, logged, nothing stored), the body is parsed (400 with a short
reason, also when a parser raises anything else), the raw rows are committed
through the group-commit sink, and only then the provider gets its 2xx. Once
the rows are stored the answer is a 2xx whatever happens composing it. A
repeated delivery answers 2xx and adds nothing. When the store is unreachable
the rows go to the fsynced local spool (:mod:`aduan.web.spool`) instead, and the
provider still gets its 2xx. Other parts (desk, dashboard, Open311, metrics)
contribute route groups: the literal list is :data:`aduan.daemon.app.ROUTE_GROUPS`,
which passes them to :func:`build_app`.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from aduan.channels.base import PushChannel, WebhookRequest, WebhookResponse
from aduan.core import heap
from aduan.core.clock import utcnow
from aduan.core.disclosure import public_health
from aduan.core.errors import (
    BadRequest,
    PayloadTooLarge,
    StoreError,
    StoreUnavailable,
    WebhookRejected,
)
from aduan.core.logs import get_logger
from aduan.runtime import metrics
from aduan.runtime.health import Health
from aduan.runtime.stuck import QueueFacts, queue_facts, reasons
from aduan.store.outbox import summary_of as outbox_summary
from aduan.store.references import with_references
from aduan.web import direct
from aduan.web.limits import check_body
from aduan.web.ratelimit import RateLimit, scope_client, trusted_networks
from aduan.web.sink import RawSink
from aduan.web.spool import Spool, spool_for

if TYPE_CHECKING:
    from aduan.runtime import Runtime

log = get_logger("aduan.web")

RouteGroup = Callable[["Runtime"], list[BaseRoute]]
"""A part that serves pages or APIs: a function returning its routes for a runtime."""

UNKNOWN = "unknown"
"""The metrics label (type and instance) of a webhook path no configured channel answers."""


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused past ``limit`` bytes (declared or sent). Read from the ASGI messages
    themselves: ``request.stream()`` adds an async generator and a ``Headers`` per webhook."""
    for name, value in request.scope["headers"]:
        if name.lower() == b"content-length":
            if value.isdigit() and int(value) > limit:
                raise PayloadTooLarge(f"body over {limit} bytes")
            break
    chunks, size = [], 0
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"body over {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def public_url(runtime: Runtime, request: Request) -> str:
    """``server.base_url`` + the path and query the request came with."""
    # Read from the ASGI scope as Starlette's ``request.url`` would, without building
    # a URL object (host header parsing included) for every webhook.
    scope = request.scope
    path = scope["path"].replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")
    query = scope["query_string"].decode()
    return f"{runtime.settings.server.base_url}{path}" + (f"?{query}" if query else "")


async def to_webhook_request(
    runtime: Runtime, request: Request, rest: str, limit: int
) -> WebhookRequest:
    body = await read_body(request, limit)
    scope = request.scope
    query = scope["query_string"]
    return WebhookRequest(
        method=request.method,
        url=public_url(runtime, request),
        path=rest,
        query=tuple(parse_qsl(query.decode("latin-1"), keep_blank_values=True)) if query else (),
        headers={k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]},
        body=body,
        client=client_of(runtime, request),
    )


def client_of(runtime: Runtime, request: Request) -> str:
    """The request's client address, through ``server.trusted_proxies`` only."""
    return scope_client(
        request.scope, trusted_networks(tuple(runtime.settings.server.trusted_proxies))
    )


def _response(answer: WebhookResponse) -> Response:
    return Response(answer.body, status_code=answer.status, media_type=answer.content_type)


def _answer(channel: PushChannel, raws: list[Any]) -> Response:
    """The provider's 2xx for stored rows; a plain 200 when the channel cannot compose its
    own (its answer re-reads a message that turns out unreadable: the rows are stored, and a
    5xx would only make the provider send them again and again)."""
    try:
        return _response(channel.acknowledge(raws))
    except Exception as exc:
        log.warning(
            "webhook_answer_failed",
            channel=channel.type,
            account=channel.name,
            error=type(exc).__name__,
        )
        return PlainTextResponse("OK", status_code=200)


class WebhookEndpoint:
    def __init__(self, runtime: Runtime, sink: RawSink, health: Health, spool: Spool) -> None:
        self.runtime = runtime
        self.sink = sink
        self.health = health
        self.spool = spool

    async def dispatch(self, request: Request) -> Response:
        kind = request.path_params["kind"]
        instance = request.path_params["instance"]
        started = time.perf_counter()
        response = await self.handle(request, kind, instance)
        # Metrics label by channel: only configured ones, never a name taken from the path.
        if (kind, instance) not in self.runtime.channels:
            kind, instance = UNKNOWN, UNKNOWN
        metrics.observe_webhook(kind, instance, response.status_code, time.perf_counter() - started)
        return response

    async def handle(self, request: Request, kind: str, instance: str) -> Response:
        channel = self.runtime.channels.get((kind, instance))
        if not isinstance(channel, PushChannel):
            return PlainTextResponse("unknown webhook", status_code=404)
        rest = request.path_params.get("rest", "")
        try:
            incoming = await to_webhook_request(
                self.runtime, request, rest, channel.config.max_body_bytes
            )
            check_body(
                incoming.body,
                incoming.headers.get("content-type", ""),
                self.runtime.settings.limits,
                len(incoming.query),
            )
            handshake = channel.handshake(incoming)
            if handshake is not None:
                return _response(handshake)
            channel.verify(incoming)
            raws = channel.parse(incoming)
        except WebhookRejected as exc:
            log.warning(
                "webhook_rejected",
                channel=kind,
                account=instance,
                status=exc.status_code,
                reason=str(exc),
                client=client_of(self.runtime, request),
            )
            reason = str(exc) if isinstance(exc, BadRequest | PayloadTooLarge) else "rejected"
            return PlainTextResponse(reason, status_code=exc.status_code)
        except Exception as exc:  # a parser choking on hostile content: nothing was stored
            log.warning(
                "webhook_unparseable", channel=kind, account=instance, error=type(exc).__name__
            )
            return PlainTextResponse("unreadable request", status_code=400)
        return await self.store(channel, raws)

    async def store(self, channel: PushChannel, raws: list[Any]) -> Response:
        key = f"{channel.type}/{channel.name}"
        if any(channel.wants_reference(raw) for raw in raws):
            # Store down: the raws are spooled below and the receipt goes without a number.
            with contextlib.suppress(SQLAlchemyError):
                raws = await run_in_threadpool(
                    with_references, self.runtime.engine, raws, channel.wants_reference
                )
        try:
            result = await self.sink.submit(raws)
        except StoreUnavailable as exc:
            try:
                if raws:
                    await run_in_threadpool(self.spool.append, raws)
            except OSError as spool_exc:
                log.error("webhook_spool_failed", channel=key, error=str(spool_exc))
                return PlainTextResponse("store unavailable, retry later", status_code=503)
            log.warning("webhook_spooled", channel=key, rows=len(raws), error=str(exc))
            self.health.accepted(key)
            return _answer(channel, raws)
        except StoreError as exc:
            log.error(
                "webhook_store_failed", channel=channel.type, account=channel.name, error=str(exc)
            )
            return PlainTextResponse("store unavailable, retry later", status_code=503)
        if result.rejected:
            # The store is up (that would be StoreUnavailable): the row's own content broke
            # a constraint or the encoding (a lone surrogate, NUL on PostgreSQL). Sending it
            # again cannot help, so the answer is a 4xx, not a 5xx the provider retries.
            for _raw, error in result.rejected:
                log.error("webhook_row_rejected", channel=channel.type, error=error)
            return PlainTextResponse("content the store cannot keep", status_code=400)
        # No log line per request (the sink logs its commits, ``raws_committed``): a line
        # per webhook was ~30% of the handler's time under bench/webhook_load.py.
        metrics.stored(key, len(result.new), len(result.duplicates))
        self.health.accepted(key)
        return _answer(channel, raws)


def build_app(
    runtime: Runtime, health: Health | None, route_groups: Sequence[RouteGroup]
) -> Starlette:
    """The ASGI app for ``runtime`` with the webhooks, ``/healthz`` and ``route_groups``;
    ``health`` is the daemon's (a fresh one otherwise)."""
    sink = RawSink(runtime.engine, process=runtime.settings.server.intake_process)
    health = health or Health()
    spool = spool_for(runtime)
    for kind, name in runtime.push_channels:
        health.get(f"{kind}/{name}", mode="webhook")

    def database_state() -> tuple[str, QueueFacts | None, dict[str, Any] | None]:
        try:
            with runtime.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
                return "ok", queue_facts(conn), outbox_summary(conn, utcnow())
        except Exception as exc:
            return f"unavailable: {type(exc).__name__}", None, None

    async def healthz(_request: Request) -> Response:
        # While the store is down webhooks are spooled and still answered: the daemon
        # is "degraded" but up, so load balancers keep sending (200, not 503).
        database, queue, outbox = await run_in_threadpool(database_state)
        channels = health.snapshot()
        why = reasons(queue, channels, runtime.settings, outbox)
        if database != "ok":
            why.insert(0, f"database {database}")
        body = {
            "status": "degraded" if why else "ok",
            "reasons": why,
            "database": database,
            "queue": queue.as_json() if queue else None,
            "spool": {"records": spool.records},
            "outbox": outbox,  # counts only: queued, due, oldest ages, per channel and status
            "channels": public_health(channels),
        }
        return JSONResponse(body)

    endpoint = WebhookEndpoint(runtime, sink, health, spool)
    methods = list(direct.METHODS)
    routes: list[BaseRoute] = [
        Route("/healthz", healthz),
        Route("/webhooks/{kind}/{instance}", endpoint.dispatch, methods=methods),
        Route("/webhooks/{kind}/{instance}/{rest:path}", endpoint.dispatch, methods=methods),
    ]
    for group in route_groups:
        routes.extend(group(runtime))

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        # What exists at start-up (modules, settings, channels: ~180k objects) lives as
        # long as the process. Frozen, it is left out of the collector's full passes, each
        # of which otherwise stalled every webhook in flight for 50-200 ms under load.
        gc.collect()
        gc.freeze()
        await sink.start()
        try:
            with heap.serving():
                yield
        finally:
            await sink.stop()
            gc.unfreeze()

    server = runtime.settings.server
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            Middleware(direct.DirectWebhooks, dispatch=endpoint.dispatch),  # the routes above
            Middleware(
                RateLimit,
                per_minute=server.rate_limit_per_minute,
                burst=server.rate_limit_burst,
                trusted=server.trusted_proxies,
            ),
        ],
    )
    app.state.runtime = runtime
    app.state.sink = sink
    app.state.health = health
    app.state.spool = spool
    return app
