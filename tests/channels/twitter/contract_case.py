"""The contract case for ``twitter`` (mentions and DMs from the fake X API)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aduan.channels.base import ChannelContext, PullChannel
from tests.channels.contract import Case, PullCase
from tests.channels.local_http import serve
from tests.channels.registry_cases import channel_class
from tests.channels.twitter.fake_x_api import APP_TOKEN, CITY_ID, DM_TOKEN, FakeXApi

CHANNEL_TYPE = "twitter"


@contextmanager
def make_case(tmp_path: Path) -> Iterator[Case]:
    api = FakeXApi(page_size=2)
    with serve(api) as url:
        cls = channel_class(CHANNEL_TYPE)
        options = {
            "user_id": CITY_ID,
            "bearer_token": APP_TOKEN,
            "dm_token": DM_TOKEN,
            "api_base_url": url,
        }
        channel = cls("kota", cls.Config.model_validate(options), ChannelContext(tmp_path))
        assert isinstance(channel, PullChannel)

        def deliver(n: int) -> None:
            for i in range(n):
                if i % 2:
                    api.add_dm(f"Got mampet di RT 0{i}, mohon dibantu")
                else:
                    api.add_mention(f"Lampu jalan mati di RT 0{i}")

        yield PullCase(channel, deliver)
        channel.close()
