"""The web side of the daemon: webhooks, health, and the pages other parts add."""

from aduan.web.app import ROUTE_PROVIDERS, create_app


def _load() -> None:
    # One import per module that serves pages or APIs; each appends to ROUTE_PROVIDERS.
    import aduan.desk.cases
    import aduan.desk.web
    import aduan.web.metrics  # noqa: F401 - both register themselves
    from aduan.open311 import api
    from aduan.web import track

    ROUTE_PROVIDERS.extend([api.routes, track.routes])


_load()

__all__ = ["ROUTE_PROVIDERS", "create_app"]
