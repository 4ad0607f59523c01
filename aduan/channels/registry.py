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
from aduan.channels.replies import Replier
from aduan.channels.rss import RssChannel
from aduan.channels.sms import SmsChannel
from aduan.channels.telegram import TelegramChannel
from aduan.channels.twitter import TwitterChannel
from aduan.channels.walkin import WalkinChannel
from aduan.channels.whatsapp import WhatsAppChannel

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
    WhatsAppChannel,
)

REGISTRY: dict[str, type[Channel]] = {channel.type: channel for channel in CHANNELS}
"""Every adapter by its ``type`` (tests add fakes to it and take them out again)."""

IDENTITY_PREFIXES: frozenset[str] = frozenset(
    channel.identity_prefix for channel in CHANNELS if channel.identity_prefix
)
"""The provider-id prefixes of reporter identities (``twitter:``, ``telegram:``...)."""

REPLYING: frozenset[str] = frozenset(
    {"email", "facebook", "instagram", "sms", "telegram", "twitter"}
)
"""Channel types whose instances answer citizens: each class is a
:class:`~aduan.channels.replies.Replier` (``send(Outbound) -> Sent``), built from
the instance's own config (SMTP server, bot token, page token, gateway account)."""


def replier_for(channel: Channel) -> Replier | None:
    """How the outbox finds the way back: the channel instance itself when its type
    answers, else None (a news feed, Open311, a walk-in desk answer nobody)."""
    if channel.type in REPLYING and isinstance(channel, Replier):
        return channel
    return None


__all__ = ["CHANNELS", "IDENTITY_PREFIXES", "REGISTRY", "REPLYING", "replier_for"]
