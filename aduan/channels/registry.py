"""The explicit registry of channel adapters: type name -> class.

Adding a channel means one module, its fixtures and tests, and one line in
:data:`CHANNELS`. Nothing is discovered by naming convention and nothing
registers itself on import. Each class declares its ``type``, its ``Config``
model (with the secrets it requires) and its ``identity_prefix``.
"""

from __future__ import annotations

from aduan.channels.base import Channel
from aduan.channels.email import EmailChannel
from aduan.channels.facebook import FacebookChannel
from aduan.channels.instagram import InstagramChannel
from aduan.channels.open311 import Open311Channel
from aduan.channels.rss import RssChannel
from aduan.channels.sms import SmsChannel
from aduan.channels.telegram import TelegramChannel
from aduan.channels.twitter import TwitterChannel
from aduan.channels.walkin import WalkinChannel

CHANNELS: tuple[type[Channel], ...] = (
    EmailChannel,
    FacebookChannel,
    InstagramChannel,
    RssChannel,
    SmsChannel,
    TelegramChannel,
    TwitterChannel,
    WalkinChannel,
    Open311Channel,
)

REGISTRY: dict[str, type[Channel]] = {channel.type: channel for channel in CHANNELS}
"""Every adapter by its ``type`` (tests add fakes to it and take them out again)."""

IDENTITY_PREFIXES: frozenset[str] = frozenset(
    channel.identity_prefix for channel in CHANNELS if channel.identity_prefix
)
"""The provider-id prefixes of reporter identities (``twitter:``, ``telegram:``...)."""

__all__ = ["CHANNELS", "IDENTITY_PREFIXES", "REGISTRY"]
