"""A generic signed JSON gateway, for Android SMS-gateway apps and in-house gateways.

The gateway POSTs one SMS as JSON::

    {"id": "a1b2c3", "from": "+6281200012345", "to": "08111272206",
     "text": "Pohon tumbang di Jl. Fatmawati", "received_at": "2026-11-29T10:00:00+07:00"}

with two headers:

* ``X-Timestamp``: the unix time (seconds) of sending;
* ``X-Signature``: ``sha256=`` (optional prefix) + hex HMAC-SHA256 of
  ``<X-Timestamp> + "." + <raw body bytes>`` with the shared secret.

The timestamp is part of the signed material, so a captured request cannot
be replayed later with a fresh timestamp; requests more than ``max_age_seconds``
(5 minutes) old, or as far in the future, are refused (403). ``id`` is the
external id and must be unique per instance (give each gateway device its own
instance, or make ids unique across devices): a retry adds nothing.
"""

from __future__ import annotations

import json
import time
from typing import Any, ClassVar, Literal

from pydantic import Field, SecretStr

from aduan.channels.base import WebhookRequest
from aduan.channels.sms.base import (
    Gateway,
    SmsConfig,
    check_digest,
    hmac_hex,
    parse_time,
    sms_message,
)
from aduan.core.errors import BadPayload, BadRequest, Forbidden
from aduan.core.messages import Message, RawMessage

JSON = "application/json"


class GenericConfig(SmsConfig):
    gateway: Literal["generic"] = "generic"
    signing_secret: SecretStr | None = Field(None, description="Shared HMAC-SHA256 secret.")
    signature_header: str = Field("X-Signature", description="Header carrying the signature.")
    timestamp_header: str = Field("X-Timestamp", description="Header carrying the unix time.")
    max_age_seconds: int = Field(300, gt=0, description="Oldest (or most future) accepted time.")
    required_secrets: ClassVar[tuple[str, ...]] = ("signing_secret",)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """Hex HMAC-SHA256 of ``timestamp + "." + body``."""
    return hmac_hex(secret, timestamp.encode() + b"." + body, "sha256")


def _object(payload: bytes) -> dict[str, Any]:
    data = json.loads(payload)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


class GenericGateway(Gateway):
    name = "generic"
    Config = GenericConfig
    config: GenericConfig

    def verify(self, request: WebhookRequest, now: float | None = None) -> None:
        stamp = (request.header(self.config.timestamp_header) or "").strip()
        if not stamp.isdigit():
            raise Forbidden("missing timestamp")
        if (
            abs((now if now is not None else time.time()) - int(stamp))
            > self.config.max_age_seconds
        ):
            raise Forbidden("timestamp outside the accepted window")
        given = (request.header(self.config.signature_header) or "").removeprefix("sha256=")
        expected = signature(self.config.secret("signing_secret"), stamp, request.body)
        check_digest(expected, given.lower())

    def parse(self, request: WebhookRequest) -> list[RawMessage]:
        try:
            data = _object(request.body)
        except ValueError as exc:
            raise BadRequest("invalid JSON") from exc
        message_id = data.get("id")
        if (
            not isinstance(message_id, str | int)
            or isinstance(message_id, bool)
            or message_id == ""
        ):
            raise BadRequest("missing id")
        return [self.raw(str(message_id), request.body, JSON)]

    def read(self, raw: RawMessage) -> Message:
        try:
            data = _object(raw.payload)
        except ValueError as exc:
            raise BadPayload("invalid JSON") from exc
        text = data.get("text")
        if not isinstance(text, str):
            raise BadPayload("text is missing or not a string")
        return sms_message(
            self.config,
            sender=str(data.get("from") or ""),
            receiver=str(data.get("to") or ""),
            text=text,
            sent_at=parse_time(str(data.get("received_at") or "")),
        )
