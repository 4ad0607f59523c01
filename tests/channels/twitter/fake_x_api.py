"""A fake X API v2 on 127.0.0.1: ``/2/users/:id/mentions``, ``/2/dm_events`` and
``POST /2/dm_conversations/with/:participant_id/messages`` (DMs sent are kept in
``sent_dms``; ``closed_dms`` are users who do not accept DMs from the city: 403).

Tweets and DM events are served newest first, ``page_size`` per page with
``meta.next_token``; mentions honour ``since_id`` and ``start_time``. ``rate_limited`` answers
429 with ``x-rate-limit-reset``; ``refuse`` answers 401. Bearer tokens are
checked. Payload shapes follow the X API v2 reference.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from tests.channels.local_http import Answer, Fake, Seen

CITY_ID = "1500000000000000001"
APP_TOKEN = "AAAAAAAAAAAAAAAAAAAAAfake-app-token"
DM_TOKEN = "dm-user-context-fake-token"
USERS = {
    "2244994945": {"id": "2244994945", "name": "Warga Kebayoran", "username": "warga_kby"},
    CITY_ID: {"id": CITY_ID, "name": "Pemkot Jaksel", "username": "jaksel_kota"},
}


def answer(status: int, body: Any, headers: dict[str, str] | None = None) -> Answer:
    return (
        status,
        {"Content-Type": "application/json", **(headers or {})},
        json.dumps(body).encode(),
    )


@dataclass
class FakeXApi(Fake):
    tweets: list[dict[str, Any]] = field(default_factory=list)
    dm_events: list[dict[str, Any]] = field(default_factory=list)
    page_size: int = 100
    rate_limited: bool = False
    sent_dms: list[dict[str, Any]] = field(default_factory=list)
    closed_dms: set[str] = field(default_factory=set)
    refuse: bool = False
    next_id: int = 1_860_000_000_000_000_000

    def add_mention(self, text: str, author: str = "2244994945", **extra: Any) -> dict[str, Any]:
        self.next_id += 1
        tweet = {
            "id": str(self.next_id),
            "text": f"@jaksel_kota {text}",
            "author_id": author,
            "created_at": "2026-11-29T01:02:03.000Z",
            "conversation_id": str(self.next_id),
            "lang": "in",
            "edit_history_tweet_ids": [str(self.next_id)],
            **extra,
        }
        self.tweets.insert(0, tweet)
        return tweet

    def add_dm(self, text: str, sender: str = "2244994945") -> dict[str, Any]:
        self.next_id += 1
        event = {
            "id": str(self.next_id),
            "event_type": "MessageCreate",
            "text": text,
            "sender_id": sender,
            "dm_conversation_id": f"{sender}-{CITY_ID}",
            "created_at": "2026-11-29T02:00:00.000Z",
        }
        self.dm_events.insert(0, event)
        return event

    def _page(self, items: list[dict[str, Any]], query: dict[str, str]) -> Answer:
        start = int(query.get("pagination_token", "p0")[1:] or 0)
        page = items[start : start + self.page_size]
        authors = {t.get("author_id") or t.get("sender_id") for t in page}
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta["newest_id"], meta["oldest_id"] = page[0]["id"], page[-1]["id"]
        if start + self.page_size < len(items):
            meta["next_token"] = f"p{start + self.page_size}"
        body: dict[str, Any] = {"meta": meta}
        if page:
            body["data"] = page
            body["includes"] = {"users": [USERS[a] for a in sorted(authors) if a in USERS]}
        return answer(200, body, {"x-rate-limit-remaining": "449"})

    def _send_dm(self, request: Seen) -> Answer:
        user = request.path.removeprefix("/2/dm_conversations/with/").removesuffix("/messages")
        if user in self.closed_dms:
            return answer(
                403,
                {
                    "detail": "You are not permitted to send a Direct Message to this user.",
                    "type": "about:blank",
                    "title": "Forbidden",
                    "status": 403,
                },
            )
        try:
            body = json.loads(request.body)
        except ValueError:
            body = None
        if not isinstance(body, dict) or not body.get("text"):
            error = {"message": "$.text: is missing but it is required"}
            return answer(
                400,
                {
                    "errors": [error],
                    "title": "Invalid Request",
                    "detail": "One or more parameters to your request was invalid.",
                    "type": "https://api.twitter.com/2/problems/invalid-request",
                },
            )
        self.next_id += 1
        self.sent_dms.append({"participant_id": user, **body})
        data = {"dm_conversation_id": f"{CITY_ID}-{user}", "dm_event_id": str(self.next_id)}
        return answer(201, {"data": data})

    def handle(self, request: Seen) -> Answer:
        if self.rate_limited:
            reset = str(int(time.time()) + 120)
            error = {
                "title": "Too Many Requests",
                "detail": "Too Many Requests",
                "type": "about:blank",
                "status": 429,
            }
            return answer(429, error, {"x-rate-limit-reset": reset, "x-rate-limit-remaining": "0"})
        auth = request.headers.get("authorization", "")
        user_context = request.path.startswith(("/2/dm_events", "/2/dm_conversations"))
        expected = f"Bearer {DM_TOKEN}" if user_context else f"Bearer {APP_TOKEN}"
        if self.refuse or auth != expected:
            return answer(
                401,
                {
                    "title": "Unauthorized",
                    "type": "about:blank",
                    "status": 401,
                    "detail": "Unauthorized",
                },
            )
        if request.path == f"/2/users/{CITY_ID}/mentions":
            since = int(request.query.get("since_id") or 0)
            start = request.query.get("start_time", "")  # "2026-11-20T00:00:00Z"
            found = [
                t
                for t in self.tweets
                if int(t["id"]) > since and t["created_at"][:19] >= start[:19]
            ]
            return self._page(found, request.query)
        if request.path == "/2/dm_events":
            return self._page(self.dm_events, request.query)
        if request.method == "POST" and request.path.startswith("/2/dm_conversations/with/"):
            return self._send_dm(request)
        return answer(404, {"title": "Not Found Error", "status": 404})
