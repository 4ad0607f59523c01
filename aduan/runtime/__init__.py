"""The pieces a command needs, built once from settings: store, channels, logging.

``Runtime.create(settings)`` configures logging (registering every secret for
redaction), opens the store (applying migrations), instantiates each
enabled channel instance from the registry and puts the triage rules and the
replies to citizens (:func:`aduan.replies.configure`) in force.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import BaseModel, SecretStr
from sqlalchemy import Engine

from aduan.channels.base import Channel, ChannelContext, PullChannel, PushChannel
from aduan.channels.registry import REGISTRY, REPLYING
from aduan.config import Settings
from aduan.core.logs import configure_logging, register_secret
from aduan.normalize.readers import Readers
from aduan.replies import configure as configure_replies
from aduan.store import open_store
from aduan.store.keys import nik_hash_key, nik_hash_key_in
from aduan.triage import configure as configure_triage
from aduan.triage.services import agency_name, service, service_codes


def _register_secrets(value: Any) -> None:
    if isinstance(value, SecretStr):
        register_secret(value.get_secret_value())
    elif isinstance(value, BaseModel):
        for _, item in value:
            _register_secrets(item)
    elif isinstance(value, dict):
        for item in value.values():
            _register_secrets(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _register_secrets(item)


def outbox_answers(settings: Settings) -> frozenset[str]:
    """The instances whose ``received`` acknowledgement goes through the outbox (the event
    on, the instance on, the send job running): they send no receipt themselves."""
    replies = settings.replies
    if not settings.outbox.enabled or not replies.event_on("received"):
        return frozenset()
    return frozenset(
        f"{kind}/{name}"
        for kind, instances in settings.channels.items()
        if kind in REPLYING
        for name in instances
        if replies.channel_on(kind, name)
    )


def channel_context(
    settings: Settings, nik_key: Callable[[], bytes] | None = None
) -> ChannelContext:
    return ChannelContext(
        settings.data_dir,
        settings.server.base_url,
        nik_key,
        service_codes,
        outbox_answers(settings),
    )


def build_channels(
    settings: Settings, nik_key: Callable[[], bytes] | None = None
) -> dict[tuple[str, str], Channel]:
    context = channel_context(settings, nik_key)
    channels: dict[tuple[str, str], Channel] = {}
    for kind, instances in settings.channels.items():
        cls = REGISTRY[kind]
        for name, raw in instances.items():
            config = cls.Config.model_validate(raw)
            _register_secrets(config)
            if config.enabled:
                channels[(kind, name)] = cls(name, config, context)
    return channels


def _category_name(code: str | None) -> str | None:
    found = service(code) if code else None
    return found.name if found else code


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    channels: dict[tuple[str, str], Channel] = field(default_factory=dict)
    nik_key: Callable[[], bytes] | None = None
    """The store's NIK hash key, read (or generated) on first use."""

    @property
    def context(self) -> ChannelContext:
        return channel_context(self.settings, self.nik_key)

    @classmethod
    def create(
        cls,
        settings: Settings,
        *,
        logging: bool = True,
        migrate: bool = True,
        channels: bool = True,
    ) -> Runtime:
        """Store, triage rules and (unless ``channels=False``, for commands that only read
        the store and may lack the channels' secrets) the enabled channel instances."""
        _register_secrets(settings)
        if logging:
            configure_logging(settings.log.level, settings.log.format)
        configure_triage(settings.triage, settings.timezone, settings.data_dir)  # rules, calendar
        engine = open_store(settings.database_url, migrate=migrate)
        key = cache(lambda: nik_hash_key(engine, settings.nik_hash_key))
        runtime = cls(settings, engine, build_channels(settings, key) if channels else {}, key)
        readers = Readers(runtime.channels, data_dir=settings.data_dir, limits=settings.limits)
        configure_replies(
            settings.replies,
            base_url=settings.server.base_url,
            timezone=settings.timezone,
            tracking_key=lambda conn: nik_hash_key_in(conn, settings.nik_hash_key),
            agency_name=agency_name,
            category_name=_category_name,
            reader=readers.read,
        )
        return runtime

    @property
    def pull_channels(self) -> dict[tuple[str, str], PullChannel]:
        return {k: c for k, c in self.channels.items() if isinstance(c, PullChannel)}

    @property
    def push_channels(self) -> dict[tuple[str, str], PushChannel]:
        return {k: c for k, c in self.channels.items() if isinstance(c, PushChannel)}

    def close(self) -> None:
        for channel in self.channels.values():
            channel.close()
        self.engine.dispose()
