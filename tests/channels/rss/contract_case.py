"""The contract case for ``rss``: a local portal's feed with ETag and Last-Modified."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aduan.channels.base import ChannelContext, PullChannel
from tests.channels.contract import Case, PullCase
from tests.channels.local_http import serve
from tests.channels.registry_cases import channel_class
from tests.channels.rss.fake_portal import FakePortal

CHANNEL_TYPE = "rss"


@contextmanager
def make_case(tmp_path: Path) -> Iterator[Case]:
    portal = FakePortal()
    with serve(portal) as url:
        cls = channel_class(CHANNEL_TYPE)
        config = cls.Config.model_validate({"feeds": [url + "/rss"]})
        channel = cls("portal", config, ChannelContext(tmp_path))
        assert isinstance(channel, PullChannel)

        def deliver(n: int) -> None:
            for _ in range(n):
                number = len(portal.items) + 1
                portal.add(f"Warga mengeluh got mampet di RT {number:02d}", "Air meluap ke jalan.")

        yield PullCase(channel, deliver)
