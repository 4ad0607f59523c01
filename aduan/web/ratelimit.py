"""Who is asking (the client address behind trusted proxies) and how often they may ask.

:func:`client_address` is the one place the web app decides a request's
client address: the TCP peer, or, when the peer is one of
``server.trusted_proxies``, the address the proxies recorded in
``X-Forwarded-For`` (walking from the right past the trusted ones, so a
client cannot choose its address by sending the header itself). uvicorn's
own ``proxy_headers`` is off for the same reason.

:class:`RateLimit` is ASGI middleware with a token bucket per client over
the anonymous read surfaces (GET and HEAD under the :data:`LIMITED`
prefixes; Open311 POSTs carry a partner's key): a client that has spent its
burst gets 429 with ``Retry-After``. Webhooks are not limited
here: they are authenticated, and providers send bursts.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

LIMITED = ("/track/", "/open311/", "/healthz", "/metrics")
MAX_CLIENTS = 50_000
"""Buckets kept at most; past this, full (idle) buckets are forgotten first."""
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(items: Iterable[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in items)


def _trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(
    peer: str | None,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    trusted: Sequence[Network],
) -> str:
    """The client's address: ``peer`` unless ``peer`` is a trusted proxy; then the
    rightmost ``X-Forwarded-For`` entry that is not itself a trusted proxy."""
    peer = peer or "unknown"
    if not trusted or not _trusted(peer, trusted):
        return peer
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    forwarded = ",".join(v for k, v in pairs if k.lower() == "x-forwarded-for")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a proxy passed something that is not an address
    return hops[0] if hops else peer


def scope_client(scope: Scope, trusted: Sequence[Network]) -> str:
    """:func:`client_address` of an ASGI request scope."""
    peer = scope.get("client")
    address = peer[0] if peer else "unknown"
    if not trusted or not _trusted(address, trusted):
        return str(address)
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope.get("headers", [])]
    return client_address(address, headers, trusted)


@lru_cache(maxsize=8)
def trusted_networks(items: tuple[str, ...]) -> tuple[Network, ...]:
    """``server.trusted_proxies`` parsed once."""
    return networks(items)


@dataclass
class _Bucket:
    tokens: float
    at: float


class Buckets:
    """Token buckets by key: ``burst`` requests at once, then ``per_minute``."""

    def __init__(self, per_minute: float, burst: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._buckets: dict[str, _Bucket] = {}

    def take(self, key: str, now: float | None = None) -> float:
        """0 when ``key`` may go on (a token is spent), else the seconds to wait."""
        now = time.monotonic() if now is None else now
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= MAX_CLIENTS:
                self._forget(now)
            bucket = self._buckets[key] = _Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate if self.rate > 0 else 3600.0

    def _forget(self, now: float) -> None:
        full = [
            k for k, b in self._buckets.items() if b.tokens + (now - b.at) * self.rate >= self.burst
        ]
        for key in full or list(self._buckets)[: MAX_CLIENTS // 10]:
            del self._buckets[key]


class RateLimit:
    """ASGI middleware: 429 + ``Retry-After`` past a client's budget on :data:`LIMITED`."""

    def __init__(
        self, app: ASGIApp, per_minute: float, burst: int, trusted: Iterable[str] = ()
    ) -> None:
        self.app = app
        self.buckets = Buckets(per_minute, burst)
        self.trusted = trusted_networks(tuple(trusted))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")  # writes need a partner's key
            or not scope["path"].startswith(LIMITED)
        ):
            await self.app(scope, receive, send)
            return
        wait = self.buckets.take(scope_client(scope, self.trusted))
        if not wait:
            await self.app(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"retry-after", str(max(1, math.ceil(wait))).encode()),
        ]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        body: dict[str, Any] = {"type": "http.response.body", "body": b"too many requests"}
        await send(body)
