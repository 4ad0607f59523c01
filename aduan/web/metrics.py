"""``/metrics`` in the Prometheus text format; see :mod:`aduan.runtime.metrics`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from aduan.runtime import metrics
from aduan.web.spool import spool_for

if TYPE_CHECKING:
    from aduan.runtime import Runtime
    from aduan.runtime.health import Health


def routes(runtime: Runtime) -> list[BaseRoute]:
    async def endpoint(request: Request) -> Response:
        health = getattr(request.app.state, "health", None)
        body = await run_in_threadpool(_render, runtime, health)
        return Response(body, media_type=metrics.CONTENT_TYPE_LATEST)

    return [Route("/metrics", endpoint)]


def _render(runtime: Runtime, health: Health | None) -> bytes:
    return metrics.render(runtime, health, spool_for(runtime).records)
