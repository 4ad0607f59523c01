"""The daemon's web app: the route groups it serves, listed here and nowhere else.

Desk and Open311 build on :mod:`aduan.web` (its body reading, sink and tracking
helpers), so the list that joins them lives here, above all three.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aduan.desk import cases as desk_cases
from aduan.desk import inbox_web as desk_inbox
from aduan.desk import web as desk_web
from aduan.open311 import api as open311_api
from aduan.web import metrics as web_metrics
from aduan.web import track
from aduan.web.app import RouteGroup, build_app

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from aduan.runtime import Runtime
    from aduan.runtime.health import Health

ROUTE_GROUPS: tuple[RouteGroup, ...] = (
    desk_cases.routes,
    desk_inbox.routes,
    desk_web.routes,
    web_metrics.routes,
    open311_api.routes,
    track.routes,
)


def create_app(runtime: Runtime, health: Health | None = None) -> Starlette:
    """The ASGI app ``aduan run`` serves; ``health`` is the daemon's (a fresh one otherwise)."""
    return build_app(runtime, health, ROUTE_GROUPS)
