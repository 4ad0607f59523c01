"""The ``twitter`` payload table: X API v2 bodies served by a local server at the real paths.

Each fixture is the body X sends for ``/2/users/:id/mentions`` (or ``/2/dm_events``,
or an error); the runner polls through tweepy, stores with the cursor, and reads
every stored row.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from aduan.channels.base import ChannelContext, PullChannel
from aduan.core.errors import FatalChannelError, TransientError
from aduan.core.messages import Disposition
from tests.channels.local_http import Answer, Fake, Seen, serve
from tests.channels.payloads import (
    BAD,
    Contains,
    JsonKeys,
    Longer,
    Negative,
    PayloadCase,
    PullHarness,
    Row,
)
from tests.channels.registry_cases import channel_class
from tests.channels.twitter.fake_x_api import APP_TOKEN, CITY_ID, DM_TOKEN

MENTIONS = f"/2/users/{CITY_ID}/mentions"
EMPTY = json.dumps({"meta": {"result_count": 0}}).encode()


@dataclass
class Replay(Fake):
    """Answers one path with one fixture body (and status), as X would; the rest are empty."""

    path: str = MENTIONS
    answer: Answer = (200, {}, EMPTY)

    def handle(self, request: Seen) -> Answer:
        return self.answer if request.path == self.path else (200, {}, EMPTY)


def make(url: str, tmp_path: Path) -> PullChannel:
    cls = channel_class("twitter")
    config = cls.Config.model_validate(
        {"user_id": CITY_ID, "bearer_token": APP_TOKEN, "dm_token": DM_TOKEN, "api_base_url": url}
    )
    channel = cls("kota", config, ChannelContext(tmp_path))
    assert isinstance(channel, PullChannel)
    return channel


@contextmanager
def replay(case: PayloadCase, body: bytes, tmp_path: Path) -> Iterator[PullChannel]:
    headers = {"Content-Type": "application/json", **case.headers}
    if case.status == 429:
        headers["x-rate-limit-reset"] = str(int(time.time()) + 300)
    fake = Replay(path=case.options.get("path", MENTIONS), answer=(case.status, headers, body))
    with serve(fake) as url:
        channel = make(url, tmp_path)
        try:
            yield channel
        finally:
            channel.close()


HARNESS = PullHarness("twitter", replay, secrets=lambda: [APP_TOKEN, DM_TOKEN])
IGNORED = (Row(Disposition.IGNORE),)
CASES = [
    PayloadCase(
        "mention_with_place_and_photo.json",
        rows=(
            Row(
                fields={
                    "text": Contains("Lampu PJU di Jl. Gandaria mati"),
                    "identities": ("twitter:2244994945",),
                    "display_name": "Warga Kebayoran",
                    "location.address": "Kebayoran Baru, Indonesia",
                    "attachments.0.url": "https://pbs.example.com/media/lampu.jpg",
                    "ref": "tweet:1860000000000000101",
                },
                raw={
                    "external_id": "tweet:1860000000000000101",
                    "payload": JsonKeys(frozenset({"data", "includes"})),
                },
            ),
        ),
    ),
    PayloadCase("mention_broken_sidewalk.json", deliveries=2, covers=frozenset({Negative.REPLAY})),
    PayloadCase("own_reply.json", rows=IGNORED),
    PayloadCase("own_retweet.json", rows=IGNORED),
    PayloadCase("mentions_one_without_author.json", rows=(BAD, Row())),
    PayloadCase("mentions_one_without_id.json", rows=(BAD, Row())),
    PayloadCase("dm_participants_join.json", rows=IGNORED, options={"path": "/2/dm_events"}),
    PayloadCase("mention_long_post.json", rows=(Row(fields={"text": Longer(4000)}),)),
    PayloadCase(
        "truncated_page.json",
        rows=(),
        error=TransientError,
        covers=frozenset({Negative.MALFORMED}),
    ),
    PayloadCase(
        "error_unauthorized.json",
        status=401,
        rows=(),
        error=FatalChannelError,
        covers=frozenset({Negative.BAD_AUTH}),
    ),
    PayloadCase("error_unauthorized.json", status=403, rows=(), error=FatalChannelError),
    PayloadCase(
        "error_too_many_requests.json",
        status=429,
        rows=(),
        error=TransientError,
        retry_after=(290, 300),
    ),
]
