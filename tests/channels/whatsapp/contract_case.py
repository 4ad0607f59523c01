"""The contract case for ``whatsapp``: signed Cloud API deliveries (text, location, media)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aduan.channels.base import ChannelContext, PushChannel, WebhookRequest
from aduan.channels.meta import signature
from tests.channels.contract import Case, PushCase
from tests.channels.registry_cases import channel_class

CHANNEL_TYPE = "whatsapp"
SECRET = "contract-app-secret"


def body(i: int) -> bytes:
    kinds = [
        {"type": "text", "text": {"body": f"Got mampet di RW 0{i}"}},
        {"type": "location", "location": {"latitude": -6.26, "longitude": 106.81}},
        {"type": "image", "image": {"id": f"90000{i}", "mime_type": "image/jpeg"}},
    ]
    message = {"from": "6281200012399", "id": f"wamid.contract{i}", "timestamp": "1764400000"}
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "6281100001111", "phone_number_id": "1065"},
        "contacts": [{"profile": {"name": "Warga"}, "wa_id": "6281200012399"}],
        "messages": [{**message, **kinds[i % 3]}],
    }
    entry = {"id": "1022", "changes": [{"field": "messages", "value": value}]}
    return json.dumps({"object": "whatsapp_business_account", "entry": [entry]}).encode()


@contextmanager
def make_case(tmp_path: Path) -> Iterator[Case]:
    cls = channel_class(CHANNEL_TYPE)
    options = {
        "phone_number_id": "1065",
        "app_secret": SECRET,
        "access_token": "contract-token",
        "verify_token": "contract-verify",
    }
    channel = cls("jaksel", cls.Config.model_validate(options), ChannelContext(tmp_path))
    assert isinstance(channel, PushChannel)

    def request(i: int) -> WebhookRequest:
        data = body(i)
        return WebhookRequest(
            method="POST",
            url="http://127.0.0.1:8080/webhooks/whatsapp/jaksel",
            path="",
            query=(),
            headers={"x-hub-signature-256": signature(data, SECRET)},
            body=data,
        )

    yield PushCase(channel, request)
