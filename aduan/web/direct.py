"""Webhook requests straight to their endpoint, past Starlette's router.

Every webhook passes through the router's route matching (a regular
expression per route tried), a second ``Request``, the exception middleware
and two wrappers of ``send`` before the endpoint runs: ~10% of the event
loop's CPU for a webhook under ``bench/webhook_load.py``, all of it for
paths whose shape is fixed. :class:`DirectWebhooks` sits in front of them and
hands ``/webhooks/<kind>/<instance>[/<rest>]`` (the methods of
:data:`METHODS`) to the endpoint with the path parameters the router would
have found. Anything else, and a request under a ``root_path``, goes on
through the router as before, so the routes stay the one description of the
app (a wrong method still gets the router's 405).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

METHODS = ("GET", "POST", "PUT")
PREFIX = "/webhooks/"

Dispatch = Callable[[Request], Awaitable[Response]]


def webhook_params(path: str) -> dict[str, str] | None:
    """The path parameters of the routes ``/webhooks/{kind}/{instance}`` and
    ``/webhooks/{kind}/{instance}/{rest:path}`` for ``path``; None when neither matches."""
    if not path.startswith(PREFIX):
        return None
    kind, slash, after = path[len(PREFIX) :].partition("/")
    instance, more, rest = after.partition("/")
    if not kind or not slash or not instance:
        return None
    if more:
        return {"kind": kind, "instance": instance, "rest": rest}
    return {"kind": kind, "instance": instance}


class DirectWebhooks:
    """ASGI middleware: webhook requests to ``dispatch``, everything else to ``app``."""

    def __init__(self, app: ASGIApp, dispatch: Dispatch) -> None:
        self.app = app
        self.dispatch = dispatch

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in METHODS and not scope.get("root_path"):
            params = webhook_params(scope["path"])
            if params is not None:
                scope["path_params"] = params
                response = await self.dispatch(Request(scope, receive))
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
