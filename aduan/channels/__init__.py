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
    import aduan.channels.facebook  # noqa: F401
    import aduan.channels.rss  # noqa: F401
    import aduan.channels.sms  # noqa: F401
    import aduan.channels.telegram  # noqa: F401
    import aduan.channels.twitter  # noqa: F401
    import aduan.open311.channel  # noqa: F401


_load()

__all__ = ["REGISTRY", "Channel", "PullChannel", "PushChannel", "register"]
