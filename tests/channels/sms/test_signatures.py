"""Signature schemes against the providers' official vectors (libraries.md §7)."""

from __future__ import annotations

import time

import pytest

from aduan.channels.base import ChannelContext, WebhookRequest
from aduan.channels.sms import generic, twilio, vonage
from aduan.channels.sms.base import SmsConfig
from aduan.channels.sms.channel import SmsChannel
from aduan.core.errors import Forbidden

TWILIO_URI = "https://mycompany.com/myapp.php?foo=1&bar=2"
TWILIO_PARAMS = [
    ("CallSid", "CA1234567890ABCDE"),
    ("Digits", "1234"),
    ("From", "+14158675309"),
    ("To", "+18005551212"),
    ("Caller", "+14158675309"),
]


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        (TWILIO_URI, "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
        ("https://mycompany.com:443/myapp.php?foo=1&bar=2", "kvajT1Ptam85bY51eRf/AJRuM3w="),
        ("http://mycompany.com:80/myapp.php?foo=1&bar=2", "0ZXoZLH/DfblKGATFgpif+LLRf4="),
        ("http://mycompany.com:1234/myapp.php?foo=1&bar=2", "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="),
    ],
)
def test_twilio_vectors(uri: str, expected: str) -> None:
    assert twilio.signature("12345", uri, TWILIO_PARAMS) == expected


def test_twilio_vector_repeated_keys() -> None:
    params = [("Sid", "CA123"), ("SidAccount", "AC123"), ("Digits", "5678"), ("Digits", "1234")]
    assert twilio.signature("12345", TWILIO_URI, params) == "IK+Dwps556ElfBT0I3Rgjkr1wJU="


def test_twilio_vector_body_sha256_url() -> None:
    digest = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
    assert twilio.signature("12345", f"{TWILIO_URI}&bodySHA256={digest}", []) == (
        "a9nBmqA0ju/hNViExpshrM61xv4="
    )


def _twilio_channel(**extra: str) -> SmsChannel:
    config = SmsConfig.model_validate({"gateway": "twilio", "auth_token": "12345", **extra})
    return SmsChannel("tw", config, ChannelContext(data_dir=__import__("pathlib").Path(".")))


def _form_request(url: str, headers: dict[str, str]) -> WebhookRequest:
    from urllib.parse import urlencode

    return WebhookRequest(
        "POST",
        url,
        "",
        (),
        {k.lower(): v for k, v in headers.items()},
        urlencode(TWILIO_PARAMS).encode(),
    )


def test_twilio_verify_accepts_url_with_or_without_default_port() -> None:
    channel = _twilio_channel()
    # Twilio signed the URL with :443; the request is seen without it (and vice versa).
    signed = {"x-twilio-signature": "kvajT1Ptam85bY51eRf/AJRuM3w="}
    channel.verify(_form_request(TWILIO_URI, signed))
    channel.verify(
        _form_request(
            "https://mycompany.com:443/myapp.php?foo=1&bar=2",
            {"x-twilio-signature": "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
        )
    )
    with pytest.raises(Forbidden):
        channel.verify(
            _form_request(TWILIO_URI, {"x-twilio-signature": "IK+Dwps556ElfBT0I3Rgjkr1wJU="})
        )


def test_twilio_shared_key_sha256_variant() -> None:
    channel = _twilio_channel(signing_key="shared-key-secret")
    good = twilio.signature("shared-key-secret", TWILIO_URI, TWILIO_PARAMS, "sha256")
    settings = "key=KS123,algorithm=HMAC_SHA256"
    channel.verify(
        _form_request(
            TWILIO_URI,
            {"x-twilio-signature": good, "x-twilio-webhooks-signature-settings": settings},
        )
    )
    legacy = {"x-twilio-signature": "RSOYDt4T1cUTdK1PDd93/VVr8B8="}
    with pytest.raises(Forbidden):  # the SHA1 signature is not valid as HMAC_SHA256
        channel.verify(
            _form_request(TWILIO_URI, {**legacy, "x-twilio-webhooks-signature-settings": settings})
        )
    without_key = _twilio_channel()
    with pytest.raises(Forbidden):
        without_key.verify(
            _form_request(
                TWILIO_URI,
                {"x-twilio-signature": good, "x-twilio-webhooks-signature-settings": settings},
            )
        )


def test_vonage_md5hash_vector() -> None:
    params = [("a", "1"), ("b", "2"), ("timestamp", "1461605396")]
    assert vonage.signature(params, "secret", "md5hash") == "6af838ef94998832dbfc29020b564830"


SDK_PARAMS = [("param1", "value1"), ("param2", "value2"), ("timestamp", "1234567890")]


@pytest.mark.parametrize(
    ("params", "method", "expected"),
    [
        (SDK_PARAMS, "sha256", "280c4320703dbc98bfa22db676655ed2acfbfe8792b062ff7622e67f1183c287"),
        (SDK_PARAMS, "md5", "724c2bf6ca423c36e20631b11d1c5753"),
        (
            [("param", "value"), ("timestamp", "1234567890")],
            "md5",
            "655a4d0b7f064dff438defc52b012cf5",
        ),
    ],
)
def test_vonage_sdk_vectors(params: list[tuple[str, str]], method: str, expected: str) -> None:
    assert vonage.signature(params, "signature_secret", method) == expected


def test_vonage_sig_is_left_out_and_separators_replaced() -> None:
    params = [("a", "x&y=z"), ("sig", "whatever")]
    assert vonage.signing_text(params) == "&a=x_y_z"


@pytest.mark.parametrize("method", ["md5hash", "md5", "sha1", "sha256", "sha512"])
def test_vonage_every_method_verifies(method: str) -> None:
    config = SmsConfig.model_validate(
        {"gateway": "vonage", "signature_secret": "s3cret", "signature_method": method}
    )
    channel = SmsChannel("vg", config, ChannelContext(data_dir=__import__("pathlib").Path(".")))
    params = [("msisdn", "6281200012345"), ("messageId", "0A1"), ("text", "Halo")]
    params.append(("timestamp", str(int(__import__("time").time()))))
    sig = vonage.signature(params, "s3cret", method)
    from urllib.parse import urlencode

    query = urlencode([*params, ("sig", sig)])
    channel.verify(WebhookRequest("GET", f"http://x/webhooks/sms/vg?{query}", "", (), {}, b""))
    other = "md5hash" if method != "md5hash" else "sha256"
    wrong = urlencode([*params, ("sig", vonage.signature(params, "s3cret", other))])
    with pytest.raises(Forbidden):
        channel.verify(WebhookRequest("GET", f"http://x/webhooks/sms/vg?{wrong}", "", (), {}, b""))


def test_generic_timestamp_is_signed() -> None:
    config = SmsConfig.model_validate({"gateway": "generic", "signing_secret": "k"})
    gateway = generic.GenericGateway("g", config)  # type: ignore[arg-type]
    body = b'{"id":"1","from":"+6281200012345","text":"x"}'
    now = time.time()
    stamp = str(int(now))
    headers = {"x-timestamp": stamp, "x-signature": generic.signature("k", stamp, body)}
    gateway.verify(WebhookRequest("POST", "u", "", (), headers, body), now=now)
    # the same signature with a fresh timestamp (a replay) fails
    moved = {**headers, "x-timestamp": str(int(now) + 1)}
    with pytest.raises(Forbidden):
        gateway.verify(WebhookRequest("POST", "u", "", (), moved, body), now=now)
    with pytest.raises(Forbidden):
        gateway.verify(WebhookRequest("POST", "u", "", (), headers, body), now=now + 301)
