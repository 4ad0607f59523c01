"""The explicit registry of channel adapters: type name -> class.

Adding a channel means one module, its config, its tests and fixtures, and
one line here. Nothing is discovered by naming convention.
"""

from __future__ import annotations

from aduan.channels.base import Channel, PullChannel, PushChannel

REGISTRY: dict[str, type[Channel]] = {}


def register(cls: type[Channel]) -> type[Channel]:
    REGISTRY[cls.type] = cls
    return cls


def _load() -> None:
    # One import per channel module; each module calls ``register`` on its class.
    import aduan.channels.email
    import aduan.channels.facebook
    import aduan.channels.rss
    import aduan.channels.sms
    import aduan.channels.telegram
    import aduan.channels.twitter
    import aduan.channels.walkin
    import aduan.open311.channel  # noqa: F401


_load()

__all__ = ["REGISTRY", "Channel", "PullChannel", "PushChannel", "register"]
