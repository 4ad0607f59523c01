"""The web side of the daemon: webhooks, health, and the pages other parts add."""

from aduan.web.app import ROUTE_PROVIDERS, create_app


def _load() -> None:
    # One import per module that serves pages or APIs; each appends to ROUTE_PROVIDERS.
    from aduan.web import metrics  # noqa: F401


_load()

__all__ = ["ROUTE_PROVIDERS", "create_app"]
