"""Sending an SMS through each gateway, against a local server speaking its wire format.

For every gateway: the exact request (path, auth, fields) for a GSM-7 and a
UCS-2 text, and each class of failure: 5xx, 429 and no answer (timeout,
connection refused) are transient; 4xx is permanent; a 2xx that cannot be read
is a clear permanent ``SendFailed`` (the message may have gone), never a
traceback. No reason carries a secret or the recipient's number.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from aduan.channels.base import ChannelContext
from aduan.channels.replies import Outbound, Replier, SendFailed
from aduan.channels.sms import SmsChannel
from aduan.channels.sms.base import SmsConfig
from aduan.channels.sms.kannel import message_ref
from tests.channels.local_http import Answer, Seen, serve
from tests.channels.sms import fake_gateways as fg
from tests.conftest import free_port

PUBLIC = "https://aduan.example.org"
PHONE = "+6281200012345"
GSM = "Laporan Anda diterima: ADU-2026-00042. Cek status di https://aduan.example.org/lacak"
UCS2 = "Terima kasih 🙏 laporan Anda sedang ditangani — nomor ADU-2026-00042"
KEY = "complaint:42:received:tel:+6281200012345"


def form(request: Seen) -> dict[str, str]:
    return dict(parse_qsl(request.body.decode(), keep_blank_values=True))


def check_twilio(request: Seen, text: str) -> None:
    assert request.method == "POST"
    assert request.path == f"/2010-04-01/Accounts/{fg.TWILIO_SID}/Messages.json"
    basic = base64.b64encode(f"{fg.TWILIO_SID}:{fg.TWILIO_TOKEN}".encode()).decode()
    assert request.headers["authorization"] == f"Basic {basic}"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert form(request) == {
        "To": PHONE,
        "From": "+628111272206",
        "Body": text,
        "StatusCallback": f"{PUBLIC}/webhooks/sms/twilio",
    }


def check_vonage(request: Seen, text: str) -> None:
    assert (request.method, request.path) == ("POST", "/sms/json")
    expected = {
        "api_key": fg.VONAGE_KEY,
        "api_secret": fg.VONAGE_SECRET,
        "from": "AduanJaksel",
        "to": PHONE.lstrip("+"),
        "text": text,
        "status-report-req": "1",
        "callback": f"{PUBLIC}/webhooks/sms/vonage",
    }
    if text == UCS2:
        expected["type"] = "unicode"
    assert form(request) == expected


def check_africastalking(request: Seen, text: str) -> None:
    assert (request.method, request.path) == ("POST", "/version1/messaging")
    assert request.headers["apikey"] == fg.AT_KEY
    assert request.headers["accept"] == "application/json"
    assert form(request) == {
        "username": fg.AT_USERNAME,
        "to": PHONE,
        "message": text,
        "from": "AduanJKS",
    }


def check_kannel(request: Seen, text: str) -> None:
    assert (request.method, request.path) == ("GET", "/cgi-bin/sendsms")
    ref = message_ref(KEY)
    dlr = (
        f"{PUBLIC}/webhooks/sms/kannel/dlr?key=kannel-url-secret&ref={ref}"
        "&type=%d&smsc=%i&answer=%A&ts=%T"
    )
    expected = {
        "username": fg.KANNEL_USER,
        "password": fg.KANNEL_PASSWORD,
        "to": PHONE,
        "text": text,
        "charset": "UTF-8",
        "from": "1500",
        "dlr-mask": "27",
        "dlr-url": dlr,
    }
    if text == UCS2:
        expected["coding"] = "2"
    assert request.query == expected


@dataclass(frozen=True)
class Gateway:
    name: str
    fake: type[fg.Provider]
    config: Callable[[str], dict[str, Any]]
    check: Callable[[Seen, str], None]
    malformed: Answer
    secrets: tuple[str, ...]
    path: str = ""


GATEWAYS = [
    Gateway(
        "twilio",
        fg.FakeTwilio,
        lambda base: {
            "auth_token": fg.TWILIO_TOKEN,
            "account_sid": fg.TWILIO_SID,
            "sender": "+628111272206",
            "api_base_url": base,
        },
        check_twilio,
        (201, {"Content-Type": "text/html"}, b"<html><body>Bad gateway</body></html>"),
        (fg.TWILIO_TOKEN,),
    ),
    Gateway(
        "vonage",
        fg.FakeVonage,
        lambda base: {
            "signature_method": "none",
            "api_key": fg.VONAGE_KEY,
            "api_secret": fg.VONAGE_SECRET,
            "sender": "AduanJaksel",
            "api_base_url": base,
        },
        check_vonage,
        (200, {"Content-Type": "application/json"}, b'{"message-count": "1", "messages": ['),
        (fg.VONAGE_SECRET,),
    ),
    Gateway(
        "africastalking",
        fg.FakeAfricasTalking,
        lambda base: {
            "path_secret": "at-path-secret",
            "username": fg.AT_USERNAME,
            "api_key": fg.AT_KEY,
            "sender": "AduanJKS",
            "api_base_url": base,
        },
        check_africastalking,
        (201, {"Content-Type": "application/json"}, b"[1, 2, 3]"),
        (fg.AT_KEY,),
    ),
    Gateway(
        "kannel",
        fg.FakeKannel,
        lambda base: {
            "url_secret": "kannel-url-secret",
            "sendsms_url": f"{base}/cgi-bin/sendsms",
            "sendsms_username": fg.KANNEL_USER,
            "sendsms_password": fg.KANNEL_PASSWORD,
            "sender": "1500",
        },
        check_kannel,
        (202, {"Content-type": "text/html"}, b"<html>Proxy error</html>"),
        (fg.KANNEL_PASSWORD, "kannel-url-secret"),
    ),
]
IDS = [gateway.name for gateway in GATEWAYS]


def make_channel(gateway: Gateway, base: str, tmp_path: Path, **extra: Any) -> SmsChannel:
    values = {"gateway": gateway.name, **gateway.config(base), "send_timeout_seconds": 2, **extra}
    config = SmsConfig.model_validate(values)
    return SmsChannel(gateway.name, config, ChannelContext(tmp_path, public_url=PUBLIC))


@dataclass
class Rig:
    gateway: Gateway
    fake: fg.Provider
    channel: SmsChannel

    def send(self, text: str = GSM, recipient: str = f"tel:{PHONE}") -> Any:
        return self.channel.send(Outbound(key=KEY, recipient=recipient, text=text))

    def fails(self, text: str = GSM, recipient: str = f"tel:{PHONE}") -> SendFailed:
        with pytest.raises(SendFailed) as caught:
            self.send(text, recipient)
        reason = caught.value.reason
        for secret in (*self.gateway.secrets, PHONE, PHONE.lstrip("+")):
            assert secret not in reason, reason
        return caught.value


@pytest.fixture(params=GATEWAYS, ids=IDS)
def rig(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Rig]:
    gateway: Gateway = request.param
    fake = gateway.fake()
    with serve(fake) as base:
        channel = make_channel(gateway, base, tmp_path)
        try:
            yield Rig(gateway, fake, channel)
        finally:
            channel.close()


@pytest.mark.parametrize("text", [GSM, UCS2], ids=["gsm7", "ucs2"])
def test_the_request_on_the_wire(rig: Rig, text: str) -> None:
    assert isinstance(rig.channel, Replier)
    sent = rig.send(text)
    assert len(rig.fake.seen) == 1
    rig.gateway.check(rig.fake.seen[0], text)
    assert sent.status == "sent"
    expected = {
        "twilio": f"SM{1:032x}",
        "vonage": f"0C00000{1:09X}",
        "africastalking": f"ATXid_{1:08x}",
        "kannel": message_ref(KEY),
    }
    assert sent.provider_id == expected[rig.gateway.name]


FAILURES: dict[str, tuple[Answer, bool, float | None]] = {
    "500": ((500, {"Content-Type": "text/plain"}, b"Internal Server Error"), True, None),
    "503": ((503, {"Content-Type": "text/plain"}, b"Service Unavailable"), True, None),
    "429": ((429, {"Retry-After": "7", "Content-Type": "text/plain"}, b"slow down"), True, 7.0),
    "400": ((400, {"Content-Type": "text/plain"}, b"Bad Request"), False, None),
    "401": ((401, {"Content-Type": "text/plain"}, b"Unauthorized"), False, None),
}


@pytest.mark.parametrize("status", list(FAILURES))
def test_http_failures_are_classed(rig: Rig, status: str) -> None:
    answer, transient, after = FAILURES[status]
    rig.fake.override = answer
    failure = rig.fails()
    assert failure.transient is transient
    assert failure.retry_after == after
    assert f"HTTP {status}" in failure.reason


def test_no_answer_in_time_is_transient(rig: Rig, tmp_path: Path) -> None:
    rig.fake.delay = 1.0
    with serve(rig.fake) as base:
        channel = make_channel(rig.gateway, base, tmp_path, send_timeout_seconds=0.2)
        with pytest.raises(SendFailed) as caught:
            channel.send(Outbound(key=KEY, recipient=f"tel:{PHONE}", text=GSM))
        channel.close()
    assert caught.value.transient
    assert "no answer in time" in caught.value.reason


def test_connection_refused_is_transient(rig: Rig, tmp_path: Path) -> None:
    channel = make_channel(rig.gateway, f"http://127.0.0.1:{free_port()}", tmp_path)
    try:
        with pytest.raises(SendFailed) as caught:
            channel.send(Outbound(key=KEY, recipient=f"tel:{PHONE}", text=GSM))
    finally:
        channel.close()
    assert caught.value.transient
    assert "connection failed (ConnectError)" in caught.value.reason


def test_an_unreadable_success_is_a_clear_permanent_failure(rig: Rig) -> None:
    rig.fake.override = rig.gateway.malformed
    failure = rig.fails()
    assert not failure.transient
    assert "unreadable answer" in failure.reason
    assert "may have been sent" in failure.reason


def test_a_recipient_that_is_no_phone_is_refused_without_a_call(rig: Rig) -> None:
    failure = rig.fails(recipient="mailto:warga@example.org")
    assert not failure.transient
    assert rig.fake.seen == []


UNSET = {
    "twilio": "account_sid",
    "vonage": "api_secret",
    "africastalking": "api_key",
    "kannel": "sendsms_password",
}


@pytest.mark.parametrize("gateway", GATEWAYS, ids=IDS)
def test_an_instance_without_send_credentials_refuses(gateway: Gateway, tmp_path: Path) -> None:
    values = {"gateway": gateway.name, **gateway.config(f"http://127.0.0.1:{free_port()}")}
    del values[UNSET[gateway.name]]
    channel = SmsChannel(gateway.name, SmsConfig.model_validate(values), ChannelContext(tmp_path))
    with pytest.raises(SendFailed, match="sending is not configured") as caught:
        channel.send(Outbound(key=KEY, recipient=f"tel:{PHONE}", text=GSM))
    assert not caught.value.transient
