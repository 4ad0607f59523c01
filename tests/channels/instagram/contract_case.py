"""The contract case for ``instagram``: signed direct messages and comments."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aduan.channels.base import ChannelContext, PushChannel, WebhookRequest
from tests.channels.contract import Case, PushCase
from tests.channels.registry_cases import channel_class

CHANNEL_TYPE = "instagram"
SECRET = "contract-ig-app-secret"
ACCOUNT = "17841400000000001"


def body(i: int) -> bytes:
    if i % 2:
        value = {
            "from": {"id": "6200000000000009", "username": "warga"},
            "media": {"id": "18000000000000001", "media_product_type": "FEED"},
            "id": f"179000000000009{i:02d}",
            "text": f"Jalan rusak di RT 0{i}",
        }
        entry = {
            "id": ACCOUNT,
            "time": 1764400000,
            "changes": [{"field": "comments", "value": value}],
        }
    else:
        event = {
            "sender": {"id": "6200000000000008"},
            "recipient": {"id": ACCOUNT},
            "timestamp": 1764400000000 + i,
            "message": {"mid": f"ig_contract_{i}", "text": f"Got mampet di RW 0{i}"},
        }
        entry = {"id": ACCOUNT, "time": 1764400000000, "messaging": [event]}
    return json.dumps({"object": "instagram", "entry": [entry]}).encode()


@contextmanager
def make_case(tmp_path: Path) -> Iterator[Case]:
    cls = channel_class(CHANNEL_TYPE)
    options = {
        "account_id": ACCOUNT,
        "app_secret": SECRET,
        "verify_token": "contract-verify",
        "access_token": "contract-access-token",
    }
    channel = cls("pemkot", cls.Config.model_validate(options), ChannelContext(tmp_path))
    assert isinstance(channel, PushChannel)

    def request(i: int) -> WebhookRequest:
        data = body(i)
        digest = hmac.new(SECRET.encode(), data, hashlib.sha256).hexdigest()
        return WebhookRequest(
            method="POST",
            url="http://127.0.0.1:8080/webhooks/instagram/pemkot",
            path="",
            query=(),
            headers={"x-hub-signature-256": f"sha256={digest}"},
            body=data,
        )

    yield PushCase(channel, request)
    channel.close()
