"""The parts that serve pages or APIs, loaded when an app is built.

Each of them imports :mod:`aduan.web.app` to register its routes in
:data:`aduan.web.app.ROUTE_PROVIDERS`, so they are imported here, at call
time, rather than by the ``aduan.web`` package: importing them with the
package made ``import aduan.desk.web`` (or the Open311 API) first a cycle.
"""

from __future__ import annotations


def load() -> None:
    """Import every route provider once; later calls change nothing."""
    import aduan.desk.cases
    import aduan.desk.web
    import aduan.web.metrics  # noqa: F401 - these register themselves on import
    from aduan.open311 import api
    from aduan.web import track
    from aduan.web.app import ROUTE_PROVIDERS

    for provider in (api.routes, track.routes):
        if provider not in ROUTE_PROVIDERS:
            ROUTE_PROVIDERS.append(provider)
