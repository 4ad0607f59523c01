"""Every channel type that answers citizens is a Replier, and only those are found by the outbox."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from aduan.channels.base import ChannelContext
from aduan.channels.email import EmailChannel
from aduan.channels.email.config import EmailConfig
from aduan.channels.registry import CHANNELS, REPLYING, replier_for
from aduan.channels.replies import Replier
from aduan.channels.rss import RssChannel


def test_the_replying_types_are_the_replier_classes() -> None:
    assert {channel.type for channel in CHANNELS if issubclass(channel, Replier)} == REPLYING


def test_replier_for_an_instance(tmp_path: Path) -> None:
    config = EmailConfig(host="127.0.0.1", username="u@example.go.id", password=SecretStr("x"))
    mailbox = EmailChannel("city", config, ChannelContext(tmp_path))
    assert replier_for(mailbox) is mailbox
    feed = RssChannel("berita", RssChannel.Config.model_construct(), ChannelContext(tmp_path))
    assert replier_for(feed) is None
