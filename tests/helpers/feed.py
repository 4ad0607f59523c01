"""A pull channel over HTTP and the fake provider it polls, for daemon fault tests.

``FeedChannel`` (type ``testfeed``) polls ``GET <url>/messages?after=N&limit=L``
and gets ``{"messages": [{"id", "text", "from", "sent"}], "more": bool}``;
it maps 429 (with ``Retry-After``) and 5xx to :class:`TransientError`, 401 to
:class:`FatalChannelError`, and a read timeout to a transient error, like the
real adapters. ``FeedServer`` is that provider: a threaded HTTP server on
127.0.0.1 holding several feeds (``/feeds/<name>/messages``), each of which
can be told to answer normally, slowly, with 500, with 429 or to hang.
Every request is recorded with the poller's pid (``X-Replica``).
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx
from pydantic import Field

from aduan.channels.base import ChannelConfig, PullChannel
from aduan.core.errors import BadPayload, FatalChannelError, TransientError
from aduan.core.messages import Batch, Cursor, Message, RawMessage


class FeedConfig(ChannelConfig):
    url: str = Field(description="Base URL of the feed, e.g. http://127.0.0.1:PORT/feeds/a.")
    timeout_seconds: float = Field(2.0, gt=0, description="Connect and read timeout.")


class FeedChannel(PullChannel):
    type = "testfeed"
    Config = FeedConfig

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        assert isinstance(self.config, FeedConfig)
        self.client = httpx.Client(
            timeout=self.config.timeout_seconds, headers={"X-Replica": str(os.getpid())}
        )

    def fetch(self, cursor: Cursor | None, limit: int) -> Batch:
        assert isinstance(self.config, FeedConfig)
        last = int((cursor or {}).get("last", 0))
        try:
            answer = self.client.get(
                f"{self.config.url}/messages", params={"after": last, "limit": limit}
            )
        except httpx.HTTPError as exc:
            raise TransientError(f"feed unreachable: {type(exc).__name__}") from exc
        if answer.status_code == 429:
            retry = answer.headers.get("retry-after")
            raise TransientError("feed said 429", retry_after=float(retry) if retry else None)
        if answer.status_code == 401:
            raise FatalChannelError("feed said 401")
        if answer.status_code >= 500:
            raise TransientError(f"feed said {answer.status_code}")
        data = answer.json()
        raws = [
            RawMessage(
                channel=self.type,
                account=self.name,
                external_id=str(item["id"]),
                payload=json.dumps(item).encode(),
                content_type="application/json",
                received_at=datetime.fromtimestamp(float(item["sent"]), UTC),
            )
            for item in data["messages"]
        ]
        next_last = int(data["messages"][-1]["id"]) if data["messages"] else last
        return Batch(raws, {"last": next_last}, more=bool(data.get("more")))

    def read(self, raw: RawMessage) -> Message:
        try:
            data = json.loads(raw.payload)
            return Message(text=data["text"], identities=(f"tel:{data['from']}",))
        except (ValueError, KeyError) as exc:
            raise BadPayload(f"not a feed message: {exc}") from exc

    def close(self) -> None:
        self.client.close()


@dataclass
class Feed:
    messages: list[dict[str, object]] = field(default_factory=list)
    mode: str = "ok"  # ok | 500 | 429 | hang
    retry_after: float = 1.0
    delay: float = 0.0
    requests: list[tuple[float, str, int]] = field(default_factory=list)
    """(monotonic time, poller pid, after) of every request."""


class FeedServer:
    """The fake provider: ``with FeedServer() as server: server.add("a", 10)``."""

    def __init__(self) -> None:
        self.feeds: dict[str, Feed] = {}
        self.lock = threading.Lock()
        self.next_id = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                segments = parts.path.strip("/").split("/")
                if len(segments) != 3 or segments[0] != "feeds" or segments[2] != "messages":
                    self.send_error(404)
                    return
                query = parse_qs(parts.query)
                after = int(query.get("after", ["0"])[0])
                limit = int(query.get("limit", ["100"])[0])
                status, headers, body = server.answer(
                    segments[1], after, limit, self.headers.get("X-Replica", "")
                )
                if status == 0:
                    return  # hung up without an answer
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, feed: str) -> str:
        return f"http://127.0.0.1:{self.port}/feeds/{feed}"

    def feed(self, name: str) -> Feed:
        with self.lock:
            return self.feeds.setdefault(name, Feed())

    def add(self, name: str, count: int, text: str = "Lampu jalan mati di RT 03") -> list[int]:
        """Publish ``count`` messages on feed ``name``; returns their ids."""
        feed = self.feed(name)
        with self.lock:
            ids = []
            for _ in range(count):
                self.next_id += 1
                ids.append(self.next_id)
                feed.messages.append(
                    {
                        "id": self.next_id,
                        "text": f"{text} #{self.next_id}",
                        "from": f"+62812000{self.next_id % 100000:05d}",
                        "sent": time.time(),
                    }
                )
            return ids

    def set(self, name: str, **changes: object) -> None:
        feed = self.feed(name)
        with self.lock:
            for key, value in changes.items():
                setattr(feed, key, value)

    def requests(self, name: str) -> list[tuple[float, str, int]]:
        feed = self.feed(name)
        with self.lock:
            return list(feed.requests)

    def answer(
        self, name: str, after: int, limit: int, replica: str
    ) -> tuple[int, dict[str, str], bytes]:
        feed = self.feed(name)
        with self.lock:
            feed.requests.append((time.monotonic(), replica, after))
            mode, delay, retry_after = feed.mode, feed.delay, feed.retry_after
        if delay:
            time.sleep(delay)
        if mode == "hang":
            deadline = time.monotonic() + 120
            while self.feed(name).mode == "hang" and time.monotonic() < deadline:
                time.sleep(0.05)
            return 0, {}, b""
        if mode == "500":
            return 500, {"Content-Type": "text/plain"}, b"internal error"
        if mode == "429":
            return 429, {"Retry-After": f"{retry_after:g}"}, b"slow down"
        with self.lock:
            newer = [m for m in feed.messages if int(str(m["id"])) > after]
        page = newer[:limit]
        body = json.dumps({"messages": page, "more": len(newer) > limit}).encode()
        return 200, {"Content-Type": "application/json"}, body

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        for feed in self.feeds.values():
            feed.mode = "ok"
        self.httpd.shutdown()
        self.httpd.server_close()
