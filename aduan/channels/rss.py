"""News feeds (RSS/Atom through feedparser over httpx): items that report citizens' complaints.

No authentication. Each configured feed is fetched with ``If-None-Match`` /
``If-Modified-Since`` from the cursor (``{"feeds": {url: {"etag", "modified"}}}``);
a 304 costs nothing. Each item is a raw message keyed by its GUID (or link),
its payload the item as JSON. ``read`` makes a complaint only of items whose
title or summary contains one of the configured words (place names,
"keluhan", "warga mengeluh", ...), compared in the matching form of
:mod:`aduan.core.text`; the others are kept raw and ignored.

A response that is not a feed is kept whole (unkeyed) and quarantined by
``read``, so an operator sees it. Sample raw payload::

    {"feed": "https://portal.example.org/rss", "id": "https://portal.example.org/b/123",
     "link": "https://portal.example.org/b/123", "title": "Warga mengeluh banjir di Cilandak",
     "summary": "<p>Genangan 40 cm ...</p>", "published": "Sun, 29 Nov 2026 07:00:00 +0700"}
"""

from __future__ import annotations

import calendar
import html
import json
import re
from datetime import UTC, datetime
from typing import Any, ClassVar

import feedparser
import httpx
from pydantic import Field

from aduan.channels.base import ChannelConfig, PullChannel
from aduan.core.clock import utcnow
from aduan.core.errors import BadPayload, FatalChannelError, TransientError
from aduan.core.messages import Batch, Cursor, Disposition, Message, RawMessage
from aduan.core.text import clean_text, matching_form

ITEM_FIELDS = ("id", "link", "title", "summary", "published", "author")
DEFAULT_WORDS = [
    "keluhan",
    "mengeluh",
    "warga mengeluh",
    "warga mengeluhkan",
    "aduan warga",
    "dikeluhkan warga",
]
_TAGS = re.compile(r"<[^>]+>")


class RssConfig(ChannelConfig):
    feeds: list[str] = Field(default_factory=list, description="RSS/Atom URLs to pull.")
    words: list[str] = Field(
        default_factory=lambda: list(DEFAULT_WORDS),
        description="Words or phrases (and place names) that make an item a complaint.",
    )
    max_feed_bytes: int = Field(5_000_000, gt=0, description="Largest feed document read.")
    timeout_seconds: float = Field(30.0, gt=0, description="HTTP timeout per feed.")
    user_agent: str = Field("aduan-feed-reader/1.0", description="User-Agent sent to portals.")
    required_secrets: ClassVar[tuple[str, ...]] = ()


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def item_json(feed_url: str, entry: Any) -> dict[str, Any]:
    """The parts of a feedparser entry worth keeping, JSON-safe."""
    item: dict[str, Any] = {"feed": feed_url}
    for key in ITEM_FIELDS:
        if entry.get(key):
            item[key] = str(entry[key])
    contents = [c.get("value", "") for c in entry.get("content") or [] if c.get("value")]
    if contents:
        item["content"] = contents
    tags = [t.get("term") for t in entry.get("tags") or [] if t.get("term")]
    if tags:
        item["tags"] = tags
    # .get("updated_parsed") falls back to published with a warning; "in" does not.
    when = entry.get("published_parsed")
    if not when and "updated_parsed" in entry:
        when = entry["updated_parsed"]
    if when:
        item["published_at"] = datetime.fromtimestamp(calendar.timegm(when), UTC).isoformat()
    return item


class RssChannel(PullChannel):
    type = "rss"
    Config = RssConfig
    config: RssConfig

    def _raw(self, item: Any, **meta: Any) -> RawMessage:
        key = item.get("id") or item.get("link") if isinstance(item, dict) else None
        payload = _dumps(item)
        if not key:
            return self.unkeyed(payload, "application/json", **meta)
        return RawMessage(
            self.type, self.name, str(key), payload, "application/json", utcnow(), meta=meta
        )

    def _get(
        self, client: httpx.Client, url: str, state: dict[str, Any]
    ) -> tuple[int, httpx.Headers, bytes]:
        """Status, headers and body (read up to ``max_feed_bytes``) of a conditional GET."""
        headers = {"User-Agent": self.config.user_agent}
        if state.get("etag"):
            headers["If-None-Match"] = state["etag"]
        if state.get("modified"):
            headers["If-Modified-Since"] = state["modified"]
        limit = self.config.max_feed_bytes
        try:
            with client.stream("GET", url, headers=headers) as response:
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise FatalChannelError(f"rss/{self.name}: {url} is over {limit} bytes")
                body = b""
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > limit:
                        raise FatalChannelError(f"rss/{self.name}: {url} is over {limit} bytes")
        except httpx.HTTPError as exc:
            raise TransientError(f"rss/{self.name}: {url}: {type(exc).__name__}") from exc
        status = response.status_code
        if status == 429 or status >= 500:
            retry = response.headers.get("retry-after", "")
            wait = float(retry) if retry.isdigit() else None
            raise TransientError(f"rss/{self.name}: {url} answered {status}", retry_after=wait)
        if status >= 400:
            raise FatalChannelError(f"rss/{self.name}: {url} answered {status}")
        return status, response.headers, body

    def fetch(self, cursor: Cursor | None, limit: int) -> Batch:
        states: dict[str, dict[str, Any]] = dict((cursor or {}).get("feeds", {}))
        raws: list[RawMessage] = []
        timeout = httpx.Timeout(self.config.timeout_seconds)
        with httpx.Client(timeout=timeout, follow_redirects=True) as client:
            for url in self.config.feeds:
                state = dict(states.get(url, {}))
                status, headers, body = self._get(client, url, state)
                if status == 304:
                    continue
                parsed = feedparser.parse(body, response_headers=dict(headers))
                if not parsed.entries and (parsed.bozo or not parsed.version):
                    kind = headers.get("content-type", "application/octet-stream")
                    raws.append(self.unkeyed(body, kind, feed=url, not_a_feed=True))
                else:
                    raws += [self._raw(item_json(url, e), feed=url) for e in parsed.entries]
                states[url] = {
                    "etag": headers.get("etag"),
                    "modified": headers.get("last-modified"),
                }
        return Batch(raws, {"feeds": states}, more=False)

    def rewind(self, cursor: Cursor | None, since: datetime) -> Cursor:
        """A feed holds only its recent items: forget ETag/Last-Modified, read them all."""
        return {"feeds": {}}

    def backlog_record(self, line: bytes, number: int) -> RawMessage:
        try:
            item = json.loads(line)
        except ValueError:
            return self.unkeyed(line, "application/json", line=number)
        raw = self._raw(item, line=number)
        return RawMessage(
            raw.channel,
            raw.account,
            raw.external_id,
            line,
            raw.content_type,
            raw.received_at,
            meta=raw.meta,
        )

    def read(self, raw: RawMessage) -> Message:
        if raw.meta.get("not_a_feed"):
            raise BadPayload(f"{raw.meta.get('feed')} did not answer with an RSS/Atom feed")
        try:
            item = json.loads(raw.payload)
            title = str(item.get("title") or "")
            body = item.get("summary") or " ".join(item.get("content") or [])
        except (ValueError, TypeError, AttributeError) as exc:
            raise BadPayload(f"not a feed item: {exc!r}") from exc
        summary = clean_text(html.unescape(_TAGS.sub(" ", str(body))))
        text = "\n\n".join(part for part in (clean_text(title), summary) if part)
        if not text:
            raise BadPayload("feed item without title or text")
        matched = self._matched(text)
        when = item.get("published_at")
        return Message(
            text=text,
            subject=title or None,
            display_name=item.get("author"),
            sent_at=datetime.fromisoformat(when) if isinstance(when, str) else None,
            disposition=Disposition.COMPLAINT if matched else Disposition.IGNORE,
            ignore_reason=None if matched else "no configured word in the item",
            ref=item.get("link"),
            extra={"feed": item.get("feed"), "link": item.get("link"), "matched": matched},
        )

    def _matched(self, text: str) -> list[str]:
        haystack = f" {matching_form(text)} "
        return [w for w in self.config.words if f" {matching_form(w)} " in haystack]
