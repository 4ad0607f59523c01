"""Mentions and DMs against the fake X API: since_id from the first page, DM stop, no sleeping."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from aduan.channels.base import ChannelContext, PullChannel
from aduan.core.errors import FatalChannelError, TransientError
from aduan.core.messages import Disposition
from tests.channels.local_http import serve
from tests.channels.registry_cases import channel_class
from tests.channels.twitter.fake_x_api import APP_TOKEN, CITY_ID, DM_TOKEN, FakeXApi

WIB = timezone(timedelta(hours=7))


@pytest.fixture
def api() -> Iterator[tuple[FakeXApi, str]]:
    fake = FakeXApi(page_size=2)
    with serve(fake) as url:
        yield fake, url


def make(url: str, tmp_path: Path, dms: bool = True) -> PullChannel:
    cls = channel_class("twitter")
    options = {"user_id": CITY_ID, "bearer_token": APP_TOKEN, "api_base_url": url}
    if dms:
        options["dm_token"] = DM_TOKEN
    channel = cls("kota", cls.Config.model_validate(options), ChannelContext(tmp_path))
    assert isinstance(channel, PullChannel)
    return channel


def test_pages_then_since_id_of_the_first_page(api: tuple[FakeXApi, str], tmp_path: Path) -> None:
    fake, url = api
    tweets = [fake.add_mention(f"Jalan rusak di gang {i}") for i in range(5)]
    channel = make(url, tmp_path, dms=False)
    batch = channel.fetch(None, 100)
    assert [r.external_id for r in batch.messages] == [f"tweet:{t['id']}" for t in reversed(tweets)]
    assert batch.next_cursor["since_id"] == tweets[-1]["id"]
    mentions = [s for s in fake.seen if s.path.endswith("/mentions")]
    assert [s.query.get("pagination_token") for s in mentions] == [None, "p2", "p4"]
    assert "since_id" not in mentions[0].query
    query = mentions[0].query
    assert "author_id" in query["expansions"] and "geo.place_id" in query["expansions"]
    assert "attachments.media_keys" in query["expansions"] and "username" in query["user.fields"]
    newer = fake.add_mention("Lampu merah mati di perempatan Blok M")
    again = channel.fetch(batch.next_cursor, 100)
    assert [r.external_id for r in again.messages] == [f"tweet:{newer['id']}"]
    assert [s for s in fake.seen if s.path.endswith("/mentions")][-1].query["since_id"] == tweets[
        -1
    ]["id"]
    assert channel.fetch(again.next_cursor, 100).messages == []


def test_dm_events_stop_at_a_known_event(api: tuple[FakeXApi, str], tmp_path: Path) -> None:
    fake, url = api
    for text in ("Halo admin", "Saluran air mampet di Pela Mampang", "Mohon ditindaklanjuti"):
        fake.add_dm(text)
    fake.add_dm("Baik, kami teruskan ke Sudin SDA.", sender=CITY_ID)
    channel = make(url, tmp_path)
    batch = channel.fetch(None, 100)
    dms = [r for r in batch.messages if r.external_id.startswith("dm:")]
    assert len(dms) == 4
    own = [channel.read(r) for r in dms if channel.read(r).disposition == Disposition.IGNORE]
    assert len(own) == 1
    assert all(
        s.headers["authorization"] == f"Bearer {DM_TOKEN}" for s in fake.seen if "dm_" in s.path
    )
    fake.add_dm("Sudah dua hari belum ada petugas")
    calls = len(fake.seen)
    again = channel.fetch(batch.next_cursor, 100)
    assert [r.external_id for r in again.messages] == [f"dm:{fake.dm_events[0]['id']}"]
    assert len([s for s in fake.seen[calls:] if s.path == "/2/dm_events"]) == 1  # stopped early


def test_rate_limit_raises_at_once_with_the_reset(
    api: tuple[FakeXApi, str], tmp_path: Path
) -> None:
    fake, url = api
    fake.rate_limited = True
    started = time.monotonic()
    with pytest.raises(TransientError) as caught:
        make(url, tmp_path).fetch(None, 100)
    assert time.monotonic() - started < 5
    assert len(fake.seen) == 1  # no retry, no sleep
    assert caught.value.retry_after is not None and 100 < caught.value.retry_after <= 120


def test_refused_token_is_fatal(api: tuple[FakeXApi, str], tmp_path: Path) -> None:
    fake, url = api
    fake.refuse = True
    with pytest.raises(FatalChannelError, match="401"):
        make(url, tmp_path).fetch(None, 100)


def test_rewind_asks_for_mentions_by_start_time_and_rereads_dms(
    api: tuple[FakeXApi, str], tmp_path: Path
) -> None:
    fake, url = api
    old = fake.add_mention("Sampah menumpuk", created_at="2026-11-10T08:00:00.000Z")
    recent = [
        fake.add_mention(f"Jalan rusak di gang {i}", created_at=f"2026-11-2{i}T08:00:00.000Z")
        for i in range(3)
    ]
    fake.add_dm("Saluran air mampet di Pela Mampang")
    channel = make(url, tmp_path)
    caught_up = channel.fetch(None, 100)
    assert len(caught_up.messages) == 5
    assert channel.fetch(caught_up.next_cursor, 100).messages == []

    rewound = channel.rewind(caught_up.next_cursor, datetime(2026, 11, 20, 7, tzinfo=WIB))
    calls = len(fake.seen)
    batch = channel.fetch(rewound, 100)
    mentions = [s for s in fake.seen[calls:] if s.path.endswith("/mentions")]
    assert mentions[0].query["start_time"] == "2026-11-20T00:00:00Z"
    assert "since_id" not in mentions[0].query
    ids = [r.external_id for r in batch.messages]
    assert sorted(i for i in ids if i.startswith("tweet:")) == sorted(
        f"tweet:{t['id']}" for t in recent
    )
    assert f"tweet:{old['id']}" not in ids
    assert [i for i in ids if i.startswith("dm:")] == [f"dm:{fake.dm_events[0]['id']}"]
    assert batch.next_cursor["since_id"] == recent[-1]["id"]
    assert "start_time" not in batch.next_cursor  # back to since_id from here on
    assert channel.fetch(batch.next_cursor, 100).messages == []


def test_rewind_with_nothing_since_keeps_asking_from_that_time(
    api: tuple[FakeXApi, str], tmp_path: Path
) -> None:
    fake, url = api
    fake.add_mention("Sampah menumpuk", created_at="2026-11-10T08:00:00.000Z")
    channel = make(url, tmp_path, dms=False)
    rewound = channel.rewind(None, datetime(2026, 11, 20, tzinfo=UTC))
    batch = channel.fetch(rewound, 100)
    assert batch.messages == []
    assert batch.next_cursor == {"since_id": None, "start_time": "2026-11-20T00:00:00Z"}
    later = fake.add_mention("Lampu jalan mati", created_at="2026-11-21T08:00:00.000Z")
    assert [r.external_id for r in channel.fetch(batch.next_cursor, 100).messages] == [
        f"tweet:{later['id']}"
    ]
