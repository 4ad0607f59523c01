"""The web side of the daemon: webhooks, health, and the pages other parts add."""

from aduan.web.app import ROUTE_PROVIDERS, create_app

__all__ = ["ROUTE_PROVIDERS", "create_app"]
