"""X API v2 fixture cases served by a local server at the real paths, run by one table.

Each fixture is the body X sends for ``/2/users/:id/mentions`` (or ``/2/dm_events``
or an error); the runner fetches through tweepy, stores with the cursor and
reads every stored row.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine

from aduan.channels.base import ChannelContext, PullChannel
from aduan.channels.registry import REGISTRY
from aduan.core.errors import BadPayload, FatalChannelError, TransientError
from aduan.core.messages import Disposition
from aduan.daemon.ingest import poll_channel
from aduan.store import read_cursor
from tests.channels.local_http import Answer, Fake, Seen, serve
from tests.channels.test_contract import stored_raws
from tests.channels.twitter.fake_x_api import APP_TOKEN, CITY_ID, DM_TOKEN

FIXTURES = Path(__file__).parents[1] / "fixtures" / "twitter"
MENTIONS = f"/2/users/{CITY_ID}/mentions"
EMPTY = json.dumps({"meta": {"result_count": 0}}).encode()


@dataclass
class Replay(Fake):
    """Answers each path with one fixture body (and status), as X would."""

    bodies: dict[str, Answer] | None = None

    def handle(self, request: Seen) -> Answer:
        assert self.bodies is not None
        return self.bodies.get(request.path, (200, {}, EMPTY))


@dataclass
class Case:
    fixture: str
    path: str = MENTIONS
    status: int = 200
    error: type[Exception] | None = None
    outcomes: tuple[Disposition | None, ...] = (Disposition.COMPLAINT,)
    """Per stored row in key order; None: read raises BadPayload (quarantined)."""
    deliveries: int = 1


CASES = [
    Case("normal.json"),
    Case("duplicate.json", deliveries=2),
    Case("own_reply.json", outcomes=(Disposition.IGNORE,)),
    Case("own_retweet.json", outcomes=(Disposition.IGNORE,)),
    Case("missing_sender.json", outcomes=(None, Disposition.COMPLAINT)),
    Case("unexpected_shape.json", outcomes=(None, Disposition.COMPLAINT)),
    Case("unknown_update_type.json", path="/2/dm_events", outcomes=(Disposition.IGNORE,)),
    Case("oversize.json"),
    Case("invalid_json.json", error=TransientError, outcomes=()),
    Case("bad_signature.json", status=401, error=FatalChannelError, outcomes=()),
    Case("bad_signature.json", status=403, error=FatalChannelError, outcomes=()),
    Case("rate_limited.json", status=429, error=TransientError, outcomes=()),
]


@pytest.fixture
def replay() -> Iterator[tuple[Replay, str]]:
    fake = Replay()
    with serve(fake) as url:
        yield fake, url


def make(url: str, tmp_path: Path) -> PullChannel:
    cls = REGISTRY["twitter"]
    config = cls.Config.model_validate(
        {"user_id": CITY_ID, "bearer_token": APP_TOKEN, "dm_token": DM_TOKEN, "api_base_url": url}
    )
    channel = cls("kota", config, ChannelContext(tmp_path))
    assert isinstance(channel, PullChannel)
    return channel


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.fixture}-{c.status}")
def test_case(
    replay: tuple[Replay, str], tmp_path: Path, sqlite_engine: Engine, case: Case
) -> None:
    fake, url = replay
    headers = {"Content-Type": "application/json"}
    if case.status == 429:
        headers["x-rate-limit-reset"] = str(int(time.time()) + 300)
    fake.bodies = {case.path: (case.status, headers, (FIXTURES / case.fixture).read_bytes())}
    channel = make(url, tmp_path)
    if case.error is not None:
        with pytest.raises(case.error) as caught:
            poll_channel(sqlite_engine, channel)
        assert read_cursor(sqlite_engine, "twitter", "kota") is None
        if case.status == 429:
            assert isinstance(caught.value, TransientError)
            assert caught.value.retry_after is not None and 290 <= caught.value.retry_after <= 300
        assert APP_TOKEN not in str(caught.value)
    else:
        for _ in range(case.deliveries):
            channel.fetch(None, 100)  # a re-delivery from the start adds nothing
            poll_channel(sqlite_engine, channel)
    raws = sorted(stored_raws(sqlite_engine), key=lambda r: r.external_id)
    assert len(raws) == len(case.outcomes)
    for raw, outcome in zip(raws, case.outcomes, strict=True):
        if outcome is None:
            with pytest.raises(BadPayload):
                channel.read(raw)
        else:
            assert channel.read(raw).disposition == outcome


def test_normal_mention_is_read_fully(replay: tuple[Replay, str], tmp_path: Path) -> None:
    fake, url = replay
    fake.bodies = {MENTIONS: (200, {}, (FIXTURES / "normal.json").read_bytes())}
    channel = make(url, tmp_path)
    (raw,) = channel.fetch(None, 100).messages
    message = channel.read(raw)
    assert message.text.startswith("Lampu PJU di Jl. Gandaria mati")
    assert message.identities == ("twitter:2244994945",)
    assert message.display_name == "Warga Kebayoran"
    assert message.location is not None and message.location.address == "Kebayoran Baru, Indonesia"
    assert message.attachments[0].url == "https://pbs.example.com/media/lampu.jpg"
    assert raw.external_id == message.ref == "tweet:1860000000000000101"
    payload = json.loads(raw.payload)
    assert set(payload) == {"data", "includes"} and "meta" not in payload


def test_long_post_keeps_its_full_text(replay: tuple[Replay, str], tmp_path: Path) -> None:
    fake, url = replay
    fake.bodies = {MENTIONS: (200, {}, (FIXTURES / "oversize.json").read_bytes())}
    channel = make(url, tmp_path)
    (raw,) = channel.fetch(None, 100).messages
    assert len(channel.read(raw).text) > 4000
