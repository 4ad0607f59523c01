"""The contract case for ``telegram`` (polling mode against the fake Bot API)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aduan.channels.base import ChannelContext, PullChannel
from tests.channels.contract import Case, PullCase
from tests.channels.local_http import serve
from tests.channels.registry_cases import channel_class
from tests.channels.telegram.fake_bot_api import TOKEN, FakeBotApi

CHANNEL_TYPE = "telegram"


@contextmanager
def make_case(tmp_path: Path) -> Iterator[Case]:
    api = FakeBotApi()
    with serve(api) as url:
        cls = channel_class(CHANNEL_TYPE)
        config = cls.Config.model_validate({"token": TOKEN, "api_base_url": url})
        channel = cls("kota", config, ChannelContext(tmp_path / "data"))
        assert isinstance(channel, PullChannel)

        def deliver(n: int) -> None:
            for i in range(n):
                api.add_text(f"Saluran air mampet di gang {i}, mohon dibersihkan")

        yield PullCase(channel, deliver)
        channel.close()
