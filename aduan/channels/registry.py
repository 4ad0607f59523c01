"""The explicit registry of channel adapters: type name -> class.

Adding a channel means one module, its fixtures and tests, and one line in
:data:`CHANNELS`. Nothing is discovered by naming convention and nothing
registers itself on import. Each class declares its ``type``, its ``Config``
model (with the secrets it requires) and its ``identity_prefix``.

:data:`REPLIERS` says, per channel type, how an instance answers citizens: a
function from the built channel instance to its
:class:`~aduan.channels.replies.Replier` (None when that instance cannot send).
A type that can answer adds one line there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from aduan.channels.base import Channel
from aduan.channels.email import EmailChannel
from aduan.channels.facebook import FacebookChannel
from aduan.channels.open311 import Open311Channel
from aduan.channels.replies import Replier
from aduan.channels.rss import RssChannel
from aduan.channels.sms import SmsChannel
from aduan.channels.telegram import TelegramChannel
from aduan.channels.twitter import TwitterChannel
from aduan.channels.walkin import WalkinChannel

CHANNELS: tuple[type[Channel], ...] = (
    EmailChannel,
    FacebookChannel,
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


def itself(channel: Channel) -> Replier | None:
    """The channel instance answers through its own ``send(Outbound)``."""
    return channel if isinstance(channel, Replier) else None


REPLIERS: dict[str, Callable[[Channel], Replier | None]] = {
    SmsChannel.type: itself,
}
"""Channel type -> how one of its instances answers (the outbox's send job uses it)."""


def repliers_for(channels: Mapping[tuple[str, str], Channel]) -> dict[str, Replier]:
    """``<type>/<name>`` -> Replier, for each built instance whose type can answer."""
    found: dict[str, Replier] = {}
    for (kind, name), channel in channels.items():
        make = REPLIERS.get(kind)
        replier = make(channel) if make is not None else None
        if replier is not None:
            found[f"{kind}/{name}"] = replier
    return found


__all__ = ["CHANNELS", "IDENTITY_PREFIXES", "REGISTRY", "REPLIERS", "repliers_for"]
