"""The ``sms`` channel's part in the contract test: a Twilio instance and signed requests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

from aduan.channels.base import ChannelContext, WebhookRequest
from aduan.channels.sms import SmsChannel
from aduan.channels.sms.base import SmsConfig
from aduan.channels.sms.twilio import signature
from tests.channels.contract import PushCase
from tests.channels.sms.common import TWILIO_TOKEN, TWILIO_URL

CHANNEL_TYPE = "sms"


@contextmanager
def make_case(tmp_path: Path) -> Iterator[PushCase]:
    config = SmsConfig.model_validate(
        {"gateway": "twilio", "auth_token": TWILIO_TOKEN, "public_url": TWILIO_URL}
    )
    channel = SmsChannel("twilio", config, ChannelContext(data_dir=tmp_path))

    def request(i: int) -> WebhookRequest:
        form = [
            ("MessageSid", f"SM{i:032d}"),
            ("From", f"+62812000{i:05d}"),
            ("To", "+628111272206"),
            ("Body", f"Keluhan nomor {i}: jalan rusak"),
            ("NumMedia", "0"),
        ]
        headers = {
            "content-type": "application/x-www-form-urlencoded",
            "x-twilio-signature": signature(TWILIO_TOKEN, TWILIO_URL, form),
        }
        url = "http://127.0.0.1:8080/webhooks/sms/twilio"
        return WebhookRequest("POST", url, "", (), headers, urlencode(form).encode())

    yield PushCase(channel, request)
