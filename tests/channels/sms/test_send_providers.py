"""What each gateway's own answers mean when sending, beyond the HTTP status.

Vonage answers 200 and puts its verdict in ``messages[].status`` (1 throttled:
transient; 4 bad credentials: permanent, with its ``error-text``). Africa's
Talking puts it in ``Recipients[].statusCode`` (500: transient; 405: permanent)
or, when nobody was accepted, in ``Message``. Twilio's error JSON gives
``code`` and ``message`` (the number in it masked); a Messaging Service replaces
``From``. Kannel's refusals are texts; the password never shows in a reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aduan.channels.base import ChannelContext
from aduan.channels.replies import Outbound, SendFailed
from aduan.channels.sms import SmsChannel
from aduan.channels.sms.base import SmsConfig
from tests.channels.local_http import Answer, serve
from tests.channels.sms import fake_gateways as fg
from tests.channels.sms.test_send import GATEWAYS, GSM, KEY, PHONE, form

BY_NAME = {gateway.name: gateway for gateway in GATEWAYS}


def send(name: str, answer: Answer | None, tmp_path: Path, **extra: Any) -> tuple[Any, fg.Provider]:
    """Send GSM through a fresh fake of ``name`` answering ``answer`` (None: its own)."""
    gateway = BY_NAME[name]
    fake = gateway.fake(override=answer)
    with serve(fake) as base:
        values = {"gateway": name, **gateway.config(base), **extra}
        channel = SmsChannel(name, SmsConfig.model_validate(values), ChannelContext(tmp_path))
        try:
            return channel.send(Outbound(key=KEY, recipient=f"tel:{PHONE}", text=GSM)), fake
        except SendFailed as exc:
            return exc, fake
        finally:
            channel.close()


def vonage_answer(status: str, text: str) -> Answer:
    part = {"status": status, "error-text": text}
    return fg.as_json(200, {"message-count": "1", "messages": [part]})


def test_vonage_throttled_is_transient(tmp_path: Path) -> None:
    failure, _ = send("vonage", vonage_answer("1", "Throughput Rate Exceeded"), tmp_path)
    assert isinstance(failure, SendFailed) and failure.transient
    assert failure.reason == "vonage: status 1: Throughput Rate Exceeded"


def test_vonage_bad_credentials_is_permanent(tmp_path: Path) -> None:
    failure, _ = send("vonage", None, tmp_path, api_secret="not-the-secret")
    assert isinstance(failure, SendFailed) and not failure.transient
    assert failure.reason == "vonage: status 4: Bad Credentials"
    assert "not-the-secret" not in failure.reason


def test_vonage_failed_second_part_fails_the_message(tmp_path: Path) -> None:
    parts = [
        {"to": "6281200012345", "message-id": "0C0000000000000A", "status": "0"},
        {"status": "6", "error-text": "Invalid Message"},
    ]
    answer = fg.as_json(200, {"message-count": "2", "messages": parts})
    failure, _ = send("vonage", answer, tmp_path)
    assert isinstance(failure, SendFailed) and not failure.transient
    assert failure.reason == "vonage: status 6: Invalid Message"


def test_vonage_without_receipts_sends_no_callback(tmp_path: Path) -> None:
    sent, fake = send("vonage", None, tmp_path, delivery_receipts=False)
    assert not isinstance(sent, SendFailed)
    fields = form(fake.seen[0])
    assert "callback" not in fields and "status-report-req" not in fields


def at_answer(code: int | None, status: str, message: str = "Sent to 0/1") -> Answer:
    recipient = {"statusCode": code, "number": PHONE, "status": status, "cost": "0"}
    data = {"SMSMessageData": {"Message": message, "Recipients": [recipient]}}
    return fg.as_json(201, data)


def test_africastalking_internal_error_code_is_transient(tmp_path: Path) -> None:
    failure, _ = send("africastalking", at_answer(500, "InternalServerError"), tmp_path)
    assert isinstance(failure, SendFailed) and failure.transient
    assert failure.reason == "africastalking: statusCode 500: InternalServerError"


def test_africastalking_insufficient_balance_is_permanent(tmp_path: Path) -> None:
    failure, _ = send("africastalking", at_answer(405, "InsufficientBalance"), tmp_path)
    assert isinstance(failure, SendFailed) and not failure.transient
    assert failure.reason == "africastalking: statusCode 405: InsufficientBalance"


def test_africastalking_nobody_accepted_gives_the_message(tmp_path: Path) -> None:
    answer = fg.as_json(201, {"SMSMessageData": {"Message": "InvalidSenderId", "Recipients": []}})
    failure, _ = send("africastalking", answer, tmp_path)
    assert isinstance(failure, SendFailed) and not failure.transient
    assert failure.reason == "africastalking: InvalidSenderId"


def test_africastalking_wrong_key_is_permanent(tmp_path: Path) -> None:
    failure, _ = send("africastalking", None, tmp_path, api_key="wrong-key")
    assert isinstance(failure, SendFailed) and not failure.transient
    assert failure.reason == "africastalking: HTTP 401: The supplied authentication is invalid"


def test_twilio_error_json_is_quoted_with_the_number_masked(tmp_path: Path) -> None:
    error = {
        "code": 21211,
        "message": f"The 'To' number {PHONE} is not a valid phone number.",
        "more_info": "https://www.twilio.com/docs/errors/21211",
        "status": 400,
    }
    failure, _ = send("twilio", fg.as_json(400, error), tmp_path)
    assert isinstance(failure, SendFailed) and not failure.transient
    assert failure.reason.startswith("twilio: HTTP 400: 21211 The 'To' number <phone> is not")


def test_twilio_too_many_requests_waits_as_told(tmp_path: Path) -> None:
    error = {"code": 20429, "message": "Too Many Requests", "status": 429}
    failure, _ = send("twilio", fg.as_json(429, error, **{"Retry-After": "30"}), tmp_path)
    assert isinstance(failure, SendFailed) and failure.transient
    assert failure.retry_after == 30.0


def test_twilio_messaging_service_replaces_from(tmp_path: Path) -> None:
    sent, fake = send(
        "twilio", None, tmp_path, messaging_service_sid="MG0123456789abcdef", sender=None
    )
    assert not isinstance(sent, SendFailed)
    fields = form(fake.seen[0])
    assert fields["MessagingServiceSid"] == "MG0123456789abcdef"
    assert "From" not in fields


def test_twilio_wrong_token_is_permanent(tmp_path: Path) -> None:
    failure, _ = send("twilio", None, tmp_path, auth_token="wrong-token")
    assert isinstance(failure, SendFailed) and not failure.transient
    assert failure.reason == "twilio: HTTP 401: 20003 Authenticate"


def test_kannel_wrong_password_is_permanent_and_unquoted(tmp_path: Path) -> None:
    failure, _ = send("kannel", None, tmp_path, sendsms_password="hunter2-wrong")
    assert isinstance(failure, SendFailed) and not failure.transient
    assert failure.reason == "kannel: HTTP 403: Authorization failed for sendsms"


def test_kannel_queued_for_later_is_sent(tmp_path: Path) -> None:
    answer = (202, {"Content-type": "text/html"}, b"3: Queued for later delivery")
    sent, _ = send("kannel", answer, tmp_path)
    assert not isinstance(sent, SendFailed) and sent.status == "sent"


def test_kannel_without_reports_asks_for_none(tmp_path: Path) -> None:
    sent, fake = send("kannel", None, tmp_path, dlr_mask=0, smsc="TELKOMSEL")
    assert not isinstance(sent, SendFailed)
    query = fake.seen[0].query
    assert "dlr-url" not in query and "dlr-mask" not in query
    assert query["smsc"] == "TELKOMSEL"


def test_twilio_status_callback_is_the_signed_public_url(tmp_path: Path) -> None:
    url = "https://sms.example.org/webhooks/sms/twilio"
    sent, fake = send("twilio", None, tmp_path, public_url=url)
    assert not isinstance(sent, SendFailed)
    assert form(fake.seen[0])["StatusCallback"] == url


def test_the_generic_gateway_cannot_send(tmp_path: Path) -> None:
    config = SmsConfig.model_validate({"gateway": "generic", "signing_secret": "s"})
    channel = SmsChannel("generic", config, ChannelContext(tmp_path))
    failure = None
    try:
        channel.send(Outbound(key=KEY, recipient=f"tel:{PHONE}", text=GSM))
    except SendFailed as exc:
        failure = exc
    assert failure is not None and not failure.transient
    assert failure.reason == "generic: this gateway cannot send"
