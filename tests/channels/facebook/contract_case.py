"""The contract case for ``facebook``: signed Messenger and feed deliveries."""

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

CHANNEL_TYPE = "facebook"
SECRET = "contract-app-secret"
PAGE = "104000000000001"


def body(i: int) -> bytes:
    if i % 2:
        change = {
            "field": "feed",
            "value": {
                "from": {"id": "6100000000000009", "name": "Warga"},
                "item": "comment",
                "verb": "add",
                "comment_id": f"{PAGE}_1_{i}",
                "post_id": f"{PAGE}_1",
                "parent_id": f"{PAGE}_1",
                "message": f"Jalan rusak di RT 0{i}",
                "created_time": 1764400000 + i,
            },
        }
        entry = {"id": PAGE, "time": 1764400000000, "changes": [change]}
    else:
        event = {
            "sender": {"id": "6100000000000008"},
            "recipient": {"id": PAGE},
            "timestamp": 1764400000000 + i,
            "message": {"mid": f"m_contract_{i}", "text": f"Got mampet di RW 0{i}"},
        }
        entry = {"id": PAGE, "time": 1764400000000, "messaging": [event]}
    return json.dumps({"object": "page", "entry": [entry]}).encode()


@contextmanager
def make_case(tmp_path: Path) -> Iterator[Case]:
    cls = channel_class(CHANNEL_TYPE)
    options = {"page_id": PAGE, "app_secret": SECRET, "verify_token": "contract-verify"}
    channel = cls("halaman", cls.Config.model_validate(options), ChannelContext(tmp_path))
    assert isinstance(channel, PushChannel)

    def request(i: int) -> WebhookRequest:
        data = body(i)
        digest = hmac.new(SECRET.encode(), data, hashlib.sha256).hexdigest()
        return WebhookRequest(
            method="POST",
            url="http://127.0.0.1:8080/webhooks/facebook/halaman",
            path="",
            query=(),
            headers={"x-hub-signature-256": f"sha256={digest}"},
            body=data,
        )

    yield PushCase(channel, request)
