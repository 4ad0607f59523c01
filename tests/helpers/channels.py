"""Two small channels for testing the core: a pull channel over a list, a signed push channel.

They follow the contract exactly like the real adapters, so the core's
plumbing (cursor with the data, webhooks, health) is tested on its own.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import ClassVar

from pydantic import Field, SecretStr

from aduan.channels.base import ChannelConfig, PullChannel, PushChannel, WebhookRequest
from aduan.core.errors import BadPayload, BadRequest, FatalChannelError, Forbidden, TransientError
from aduan.core.messages import Batch, Cursor, Message, RawMessage

SOURCE: list[dict[str, object]] = []
"""What the fake provider holds; tests fill it."""
FAULT: dict[str, object] = {}


class ListConfig(ChannelConfig):
    token: SecretStr | None = Field(None, description="Pretend credential.")
    required_secrets: ClassVar[tuple[str, ...]] = ("token",)


class ListChannel(PullChannel):
    type = "testlist"
    Config = ListConfig

    def fetch(self, cursor: Cursor | None, limit: int) -> Batch:
        if FAULT.get("transient"):
            raise TransientError("provider said 503", retry_after=float(str(FAULT["transient"])))
        if FAULT.get("fatal"):
            raise FatalChannelError("401 bad credentials")
        last = int((cursor or {}).get("last", 0))
        items = [m for m in SOURCE if int(str(m["id"])) > last][:limit]
        raws = [
            RawMessage(
                channel=self.type,
                account=self.name,
                external_id=str(m["id"]),
                payload=json.dumps(m).encode(),
                content_type="application/json",
                received_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
            for m in items
        ]
        next_last = int(str(items[-1]["id"])) if items else last
        more = any(int(str(m["id"])) > next_last for m in SOURCE)
        return Batch(raws, {"last": next_last}, more=more)

    def read(self, raw: RawMessage) -> Message:
        try:
            data = json.loads(raw.payload)
            return Message(text=data["text"], identities=(f"tel:{data['from']}",))
        except (ValueError, KeyError) as exc:
            raise BadPayload(f"not a message: {exc}") from exc


class SignedConfig(ChannelConfig):
    secret: SecretStr | None = None
    required_secrets: ClassVar[tuple[str, ...]] = ("secret",)


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class SignedChannel(PushChannel):
    type = "testpush"
    Config = SignedConfig

    def verify(self, request: WebhookRequest) -> None:
        assert isinstance(self.config, SignedConfig) and self.config.secret
        expected = sign(self.config.secret.get_secret_value(), request.body)
        if not hmac.compare_digest(expected, request.header("x-signature") or ""):
            raise Forbidden("bad signature")

    def parse(self, request: WebhookRequest) -> list[RawMessage]:
        try:
            data = json.loads(request.body)
            external_id = str(data["id"])
        except (ValueError, KeyError, TypeError) as exc:
            raise BadRequest(f"invalid JSON message: {exc}") from exc
        return [
            RawMessage(
                self.type,
                self.name,
                external_id,
                request.body,
                "application/json",
                datetime.now(UTC),
            )
        ]

    def read(self, raw: RawMessage) -> Message:
        data = json.loads(raw.payload)
        return Message(text=data.get("text", ""))
