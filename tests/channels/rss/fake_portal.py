"""A fake news portal on 127.0.0.1 serving an RSS 2.0 feed with ETag and Last-Modified.

It answers 304 when ``If-None-Match`` matches the current ETag or
``If-Modified-Since`` is not older than the last change, as real portals do.
``raw_body`` replaces the feed with any bytes (an HTML error page, a huge file).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from xml.sax.saxutils import escape

from tests.channels.local_http import Answer, Fake, Seen

BASE = "https://portal.example.org/berita"


@dataclass
class FakePortal(Fake):
    items: list[tuple[str, str, str]] = field(default_factory=list)
    """(guid, title, description), newest last."""
    raw_body: bytes | None = None
    status: int = 200
    changed: datetime = datetime(2026, 11, 29, 0, 0, tzinfo=UTC)
    not_modified: int = 0
    etags: bool = True
    """False: a portal that only sends Last-Modified."""

    def add(self, title: str, description: str = "", guid: str | None = None) -> str:
        guid = guid or f"{BASE}/{len(self.items) + 1}"
        self.items.append((guid, title, description))
        self.changed += timedelta(minutes=1)
        return guid

    def feed(self) -> bytes:
        if self.raw_body is not None:
            return self.raw_body
        entries = "".join(
            f"<item><title>{escape(t)}</title><link>{escape(g)}</link>"
            f'<guid isPermaLink="true">{escape(g)}</guid>'
            f"<description>{escape(d)}</description>"
            f"<pubDate>{format_datetime(self.changed)}</pubDate></item>"
            for g, t, d in reversed(self.items)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            "<title>Portal Berita Jaksel</title><link>https://portal.example.org/</link>"
            f"<description>Berita warga</description>{entries}</channel></rss>"
        ).encode()

    def handle(self, request: Seen) -> Answer:
        if self.status != 200:
            return self.status, {"Retry-After": "30"}, b"busy"
        body = self.feed()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        modified = format_datetime(self.changed, usegmt=True)
        headers = {"Last-Modified": modified, "Content-Type": "application/rss+xml"}
        if self.etags:
            headers["ETag"] = etag
        if self.etags and request.headers.get("if-none-match") == etag:
            self.not_modified += 1
            return 304, headers, b""
        since = request.headers.get("if-modified-since")
        fresh = since and parsedate_to_datetime(since) >= self.changed.replace(microsecond=0)
        if fresh and "if-none-match" not in request.headers:
            self.not_modified += 1
            return 304, headers, b""
        return 200, headers, body
