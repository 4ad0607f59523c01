"""Finding the ``read`` for a stored raw message: its channel instance, or the generic form.

A raw row names its channel type and account (instance). The daemon's
configured instances read their own rows; rows of an instance no longer
configured are read by that channel type with its default config. A raw
message whose content type is :data:`MESSAGE_JSON` already holds a parsed
:class:`~aduan.channels.base.Message` as JSON (the clerk's walk-in form, tests,
``aduan eval``) and needs no channel.

Every message read is bounded by the ``[limits]`` settings: text longer than
``text_chars`` or more than ``attachments`` attachments is a BadPayload, so
the raw is quarantined with that reason instead of costing the normalizer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from pydantic import ValidationError

from aduan.channels.base import Channel, ChannelContext
from aduan.channels.registry import REGISTRY
from aduan.config.settings import LimitSettings
from aduan.core.errors import BadPayload
from aduan.core.messages import Message, RawMessage

MESSAGE_JSON = "application/vnd.aduan.message+json"

Reader = Callable[[RawMessage], Message]


def read_message_json(raw: RawMessage) -> Message:
    try:
        return Message.model_validate_json(raw.payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "message"
        raise BadPayload(f"{where}: {first['msg']}") from None


class Readers:
    """``reader(raw)`` for every stored raw message, or a BadPayload saying why not."""

    def __init__(
        self,
        channels: Mapping[tuple[str, str], Channel] | None = None,
        *,
        data_dir: Path = Path("aduan-data"),
        extra: Mapping[str, Reader] | None = None,
        limits: LimitSettings | None = None,
    ) -> None:
        self._channels = dict(channels or {})
        self._limits = limits or LimitSettings()
        self._context = ChannelContext(data_dir=data_dir)
        self._extra = dict(extra or {})
        self._fallback: dict[tuple[str, str], Reader | None] = {}

    def read(self, raw: RawMessage) -> Message:
        if raw.content_type == MESSAGE_JSON:
            return self.bounded(read_message_json(raw))
        reader = self.reader(raw.channel, raw.account)
        if reader is None:
            raise BadPayload(f"no reader for channel {raw.channel!r}")
        return self.bounded(reader(raw))

    def bounded(self, message: Message) -> Message:
        """``message``, or BadPayload when its text or attachments are beyond the limits."""
        if len(message.text) > self._limits.text_chars:
            raise BadPayload(f"text longer than {self._limits.text_chars} characters")
        if len(message.attachments) > self._limits.attachments:
            raise BadPayload(f"more than {self._limits.attachments} attachments")
        return message

    def reader(self, channel: str, account: str) -> Reader | None:
        instance = self._channels.get((channel, account))
        if instance is not None:
            return instance.read
        if channel in self._extra:
            return self._extra[channel]
        key = (channel, account)
        if key not in self._fallback:
            self._fallback[key] = self._default(channel, account)
        return self._fallback[key]

    def _default(self, channel: str, account: str) -> Reader | None:
        cls = REGISTRY.get(channel)
        if cls is None:
            return None
        try:
            return cls(account, cls.reader_config(), self._context).read
        except (ValidationError, TypeError, ValueError, KeyError, AttributeError):
            return None
