"""``/metrics`` (Prometheus text format) and the webhook latency hook; see :mod:`aduan.metrics`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from aduan import metrics
from aduan.web.app import ROUTE_PROVIDERS, WEBHOOK_HOOKS

if TYPE_CHECKING:
    from aduan.runtime import Runtime


def routes(runtime: Runtime) -> list[BaseRoute]:
    async def endpoint(request: Request) -> Response:
        health = getattr(request.app.state, "health", None)
        body = await run_in_threadpool(metrics.render, runtime, health)
        return Response(body, media_type=metrics.CONTENT_TYPE_LATEST)

    return [Route("/metrics", endpoint)]


ROUTE_PROVIDERS.append(routes)
WEBHOOK_HOOKS.append(metrics.observe_webhook)
