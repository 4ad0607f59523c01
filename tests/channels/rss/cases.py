"""The ``rss`` payload table: feed bodies (or error pages) served by a local portal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aduan.channels.base import ChannelContext, PullChannel
from aduan.core.errors import FatalChannelError, TransientError
from aduan.core.messages import Disposition
from tests.channels.local_http import Answer, Fake, Seen, serve
from tests.channels.payloads import (
    BAD,
    Contains,
    Longer,
    Negative,
    PayloadCase,
    PullHarness,
    Row,
)
from tests.channels.registry_cases import channel_class

WORDS = ["warga mengeluh", "keluhan", "Pasar Minggu"]


def make(urls: list[str], tmp_path: Path, **options: object) -> PullChannel:
    cls = channel_class("rss")
    config = cls.Config.model_validate({"feeds": urls, **options})
    channel = cls("portal", config, ChannelContext(tmp_path))
    assert isinstance(channel, PullChannel)
    return channel


@dataclass
class Replay(Fake):
    answer: Answer = (200, {}, b"")

    def handle(self, request: Seen) -> Answer:
        return self.answer


@contextmanager
def portal(case: PayloadCase, body: bytes, tmp_path: Path) -> Iterator[PullChannel]:
    headers = {"Content-Type": "application/rss+xml", **case.headers}
    words = {} if case.options.get("default_words") else {"words": WORDS}
    with serve(Replay(answer=(case.status, headers, body))) as url:
        yield make([url + "/rss"], tmp_path, max_feed_bytes=100_000, **words)


HARNESS = PullHarness("rss", portal, order=lambda raw: raw.payload)
SEEN_TWICE = frozenset({Negative.REPLAY})
CASES = [
    PayloadCase(
        "feed_complaint_and_festival.xml",
        deliveries=2,
        covers=SEEN_TWICE,
        rows=(Row(), Row(Disposition.IGNORE)),
    ),
    PayloadCase(
        "feed_complaint_and_festival.xml",
        options={"default_words": True},
        name="feed_complaint_and_festival-default-words",
        rows=(
            Row(
                fields={
                    "subject": "Warga mengeluh banjir setinggi 40 cm di Jl. Kemang Raya",
                    "text": Contains("genangan yang tak kunjung surut", lacks="<p>"),
                    "ref": "https://portal.example.org/berita/banjir-kemang",
                    "sent_at": datetime(2026, 11, 29, tzinfo=UTC),
                    "display_name": "Redaksi",
                    "extra.matched": Contains("warga mengeluh"),
                },
                raw={"external_id": "portal-berita-2026-11-29-001"},
            ),
            Row(
                Disposition.IGNORE,
                fields={"ignore_reason": Longer(0)},
                raw={"external_id": "portal-berita-2026-11-29-002"},
            ),
        ),
    ),
    PayloadCase("feed_same_item_twice.xml", deliveries=2, covers=SEEN_TWICE),
    PayloadCase("feed_item_without_author.xml", deliveries=2),
    PayloadCase("feed_item_audio_only.xml", deliveries=2, rows=(BAD,)),
    PayloadCase(
        "maintenance_page_502.html",
        deliveries=2,
        rows=(BAD,),
        covers=frozenset({Negative.MALFORMED}),
    ),
    PayloadCase(
        "forbidden_403.txt",
        status=403,
        rows=(),
        error=FatalChannelError,
        covers=frozenset({Negative.BAD_AUTH}),
    ),
    PayloadCase("forbidden_403.txt", status=503, rows=(), error=TransientError),
    PayloadCase("feed_over_100kb.xml", rows=(), error=FatalChannelError),
]
