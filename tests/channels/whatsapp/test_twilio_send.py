"""Replies to citizens on Twilio's WhatsApp, against a local server speaking Twilio's Messages
API (tests/channels/sms/fake_gateways.py): ``whatsapp:`` addresses, free text only inside
the 24-hour window, the Content template outside it, refused without one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from aduan.channels.base import ChannelContext
from aduan.channels.replies import Outbound, Replier, SendFailed
from aduan.channels.whatsapp import TwilioWhatsApp, WhatsAppChannel
from aduan.channels.whatsapp.config import WhatsAppConfig
from aduan.core.clock import utcnow
from tests.channels.local_http import serve
from tests.channels.sms import fake_gateways as fg

TEXT = "Aduan Anda sudah diteruskan ke Suku Dinas SDA.\nTerima kasih."


def reply(**fields: object) -> Outbound:
    base: dict[str, object] = {
        "key": "reply-7",
        "recipient": "tel:+6281200012346",
        "text": TEXT,
        "last_inbound_at": utcnow() - timedelta(hours=3),
    }
    return Outbound(**{**base, **fields})  # type: ignore[arg-type]


def settings(base: str, **changes: str | None) -> WhatsAppConfig:
    values: dict[str, str | None] = {
        "provider": "twilio",
        "auth_token": fg.TWILIO_TOKEN,
        "account_sid": fg.TWILIO_SID,
        "sender": "+14155238886",
        "content_sid": "HX0123456789abcdef0123456789abcdef",
        "api_base_url": base,
    }
    return WhatsAppConfig.model_validate({**values, **changes})


@pytest.fixture
def twilio(tmp_path: Path) -> Iterator[tuple[TwilioWhatsApp, fg.FakeTwilio]]:
    fake = fg.FakeTwilio()
    with serve(fake) as base:
        config = settings(base)
        channel = WhatsAppChannel("twilio_wa", config, ChannelContext(tmp_path, "https://a.id"))
        assert isinstance(channel, TwilioWhatsApp) and isinstance(channel, Replier)
        yield channel, fake
        channel.close()


def test_inside_the_window_free_text_to_whatsapp_addresses(
    twilio: tuple[TwilioWhatsApp, fg.FakeTwilio],
) -> None:
    channel, fake = twilio
    sent = channel.send(reply())
    assert sent.provider_id and sent.provider_id.startswith("SM")
    form = dict(parse_qsl(fake.seen[-1].body.decode()))
    assert form["To"] == "whatsapp:+6281200012346" and form["From"] == "whatsapp:+14155238886"
    assert form["Body"] == TEXT and "ContentSid" not in form
    assert form["StatusCallback"] == "https://a.id/webhooks/whatsapp/twilio_wa"


def test_outside_the_window_the_content_template(
    twilio: tuple[TwilioWhatsApp, fg.FakeTwilio],
) -> None:
    channel, fake = twilio
    channel.send(reply(last_inbound_at=utcnow() - timedelta(hours=30)))
    form = dict(parse_qsl(fake.seen[-1].body.decode()))
    assert "Body" not in form and form["ContentSid"].startswith("HX")
    assert json.loads(form["ContentVariables"]) == {"1": " ".join(TEXT.split())}


def test_outside_the_window_without_template_is_refused(tmp_path: Path) -> None:
    fake = fg.FakeTwilio()
    with serve(fake) as base:
        config = settings(base, sender="whatsapp:+14155238886", content_sid=None)
        channel = WhatsAppChannel("twilio_wa", config, ChannelContext(tmp_path))
        with pytest.raises(SendFailed) as caught:
            channel.send(reply(last_inbound_at=None))
        channel.close()
    assert caught.value.transient is False and "content_sid" in caught.value.reason
    assert fake.seen == []


def test_twilio_errors_keep_their_class(twilio: tuple[TwilioWhatsApp, fg.FakeTwilio]) -> None:
    channel, fake = twilio
    fake.override = fg.as_json(400, {"code": 63016, "message": "Failed to send freeform"})
    with pytest.raises(SendFailed) as caught:
        channel.send(reply())
    assert caught.value.transient is False and "63016" in caught.value.reason
    fake.override = fg.as_json(503, {"code": 20500, "message": "Service unavailable"})
    with pytest.raises(SendFailed) as caught:
        channel.send(reply())
    assert caught.value.transient is True
    assert "6281200012346" not in caught.value.reason
