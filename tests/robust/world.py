"""One store with every webhook channel configured, and each provider's signed request.

Shared by the poison-message, bounds and property-based tests: a test names a
channel (``SEEDS``), changes its real-format payload, and :func:`signed` turns
that payload into the request the provider would send, with a valid signature.

A payload is one of ``("json", value)`` (any JSON value, dumped then signed),
``("bytes", body)`` (sent as is: NUL, invalid UTF-8, deep nesting) or
``("form", pairs)`` (form fields, possibly repeated).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.testclient import TestClient

from tests.channels.sms.common import build
from tests.channels.sms.common import settings_env as sms_env

FIXTURES = Path(__file__).parents[1] / "channels" / "fixtures"
TELEGRAM_TOKEN = "123456:AAH-robust-token-for-tests_98765"
TELEGRAM_SECRET = "s3cret-Telegram_robust"
FB_SECRET = "fb-app-secret-robust"
FB_PAGE = "104000000000001"
IG_SECRET = "ig-app-secret-robust"
IG_ACCOUNT = "17841400000000001"
KIOSK_TOKEN = "kiosk-token-robust"
OPEN311_KEY = "partner-key-robust"
WA_SECRET = "wa-app-secret-robust"

Payload = tuple[str, Any]


def settings_env(tmp_path: Path, store_url: str | None = None, **extra: str) -> dict[str, str]:
    env = sms_env(store_url or f"sqlite:///{tmp_path / 'robust.db'}", tmp_path / "data")
    env.update(
        {
            "ADUAN_CHANNELS__TELEGRAM__KOTA__MODE": "webhook",
            "ADUAN_CHANNELS__TELEGRAM__KOTA__TOKEN": TELEGRAM_TOKEN,
            "ADUAN_CHANNELS__TELEGRAM__KOTA__WEBHOOK_SECRET": TELEGRAM_SECRET,
            "ADUAN_CHANNELS__TELEGRAM__KOTA__MAX_BODY_BYTES": "400000",
            "ADUAN_CHANNELS__FACEBOOK__HALAMAN__PAGE_ID": FB_PAGE,
            "ADUAN_CHANNELS__FACEBOOK__HALAMAN__APP_SECRET": FB_SECRET,
            "ADUAN_CHANNELS__FACEBOOK__HALAMAN__VERIFY_TOKEN": "verify-robust",
            "ADUAN_CHANNELS__FACEBOOK__HALAMAN__MAX_BODY_BYTES": "400000",
            "ADUAN_CHANNELS__INSTAGRAM__PEMKOT__ACCOUNT_ID": IG_ACCOUNT,
            "ADUAN_CHANNELS__INSTAGRAM__PEMKOT__APP_SECRET": IG_SECRET,
            "ADUAN_CHANNELS__INSTAGRAM__PEMKOT__VERIFY_TOKEN": "verify-robust",
            "ADUAN_CHANNELS__INSTAGRAM__PEMKOT__MAX_BODY_BYTES": "400000",
            "ADUAN_CHANNELS__WALKIN__KIOSK__INTAKE_TOKEN": KIOSK_TOKEN,
            "ADUAN_CHANNELS__WALKIN__KIOSK__MAX_BODY_BYTES": "400000",
            "ADUAN_CHANNELS__OPEN311__JAKI__API_KEY": OPEN311_KEY,
            "ADUAN_CHANNELS__WHATSAPP__JAKSEL__PHONE_NUMBER_ID": "106540352242922",
            "ADUAN_CHANNELS__WHATSAPP__JAKSEL__APP_SECRET": WA_SECRET,
            "ADUAN_CHANNELS__WHATSAPP__JAKSEL__ACCESS_TOKEN": "EAAG-robust-token",
            "ADUAN_CHANNELS__WHATSAPP__JAKSEL__VERIFY_TOKEN": "verify-robust",
            "ADUAN_CHANNELS__WHATSAPP__JAKSEL__GRAPH_URL": "http://127.0.0.1:9",
            "ADUAN_CHANNELS__WHATSAPP__JAKSEL__MAX_BODY_BYTES": "400000",
            # these tests probe /healthz after every payload: the anonymous rate limit
            # (tests/security) would answer 429 long before they end
            "ADUAN_SERVER__RATE_LIMIT_BURST": "1000000",
        }
    )
    for gateway in ("generic", "vonage", "twilio", "kannel", "africastalking"):
        env[f"ADUAN_CHANNELS__SMS__{gateway.upper()}__MAX_BODY_BYTES"] = "400000"
    env.update(extra)
    return env


@dataclass
class Request:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes


def _fixture(path: str) -> Any:
    return json.loads((FIXTURES / path).read_text(encoding="utf-8"))


def _sms_case(gateway: str, name: str) -> dict[str, Any]:
    case: dict[str, Any] = _fixture(f"sms/{gateway}/{name}.json")
    return case


SEEDS: dict[str, list[Payload]] = {
    "telegram": [
        ("json", _fixture(f"telegram/{name}.json"))
        for name in (
            "update_message_drain",
            "update_photo",
            "update_location",
            "update_contact",
            "update_edited_message",
            "update_command_start",
        )
    ],
    "facebook": [
        ("json", _fixture(f"facebook/{name}.json"))
        for name in (
            "message_with_photo",
            "feed_comment",
            "feed_comment_edited",
            "two_entries_batched",
        )
    ],
    "whatsapp": [
        ("json", _fixture(f"whatsapp/{name}.json"))
        for name in (
            "text",
            "image",
            "location",
            "contacts_own_card",
            "interactive_list_reply",
            "reply_with_context",
            "batch_three_and_status",
            "status_failed",
        )
    ],
    "instagram": [
        ("json", _fixture(f"instagram/{name}.json"))
        for name in (
            "message_video_and_text",
            "story_reply",
            "message_edit",
            "comment_reply",
            "two_entries_batched",
        )
    ],
    "walkin": [
        (
            "json",
            {
                k: v
                for k, v in _fixture("walkin/entry_full_with_photo.json").items()
                if k != "reference"
            },
        )
    ],
    "open311": [("form", list(_fixture("open311/form_drainage_request.json").items()))],
    "sms/generic": [("json", _sms_case("generic", "json_complaint")["json"])],
    "sms/vonage": [("json", _sms_case("vonage", "json_text")["json"])],
    "sms/twilio": [("form", [tuple(p) for p in _sms_case("twilio", "form_with_photo")["form"]])],
    "sms/africastalking": [("json", _sms_case("africastalking", "form_fallen_tree"))],
    "sms/kannel": [("json", _sms_case("kannel", "post_plain"))],
}
"""Real-format payloads per channel (SMS gateways with their own request shapes)."""


def signed(channel: str, payload: Payload) -> Request:
    """The request a provider would send for ``payload``, signed as it signs."""
    kind, value = payload
    if channel == "sms/africastalking" or channel == "sms/kannel":
        # ``value`` is the gateway's fixture case (form or query plus body), changed.
        return _built(channel.split("/")[1], value)
    if channel.startswith("sms/"):
        gateway = channel.split("/")[1]
        if kind == "bytes" and gateway in ("generic", "vonage"):
            case: dict[str, Any] = {"body_hex": value.hex(), "content_type": "application/json"}
        elif kind == "bytes":
            case = {"body_hex": value.hex(), "content_type": "application/x-www-form-urlencoded"}
        elif kind == "form":
            case = {"form": value}
        else:
            case = {"body": json.dumps(value), "content_type": "application/json"}
            if gateway == "vonage" and isinstance(value, dict):
                case = {"json": value}
        return _built(gateway, case)
    body = body_of(payload)
    if channel == "telegram":
        headers = {"content-type": "application/json"}
        headers["x-telegram-bot-api-secret-token"] = TELEGRAM_SECRET
        return Request("POST", "/webhooks/telegram/kota", headers, body)
    if channel == "facebook":
        digest = hmac.new(FB_SECRET.encode(), body, hashlib.sha256).hexdigest()
        headers = {"content-type": "application/json", "x-hub-signature-256": f"sha256={digest}"}
        return Request("POST", "/webhooks/facebook/halaman", headers, body)
    if channel == "whatsapp":
        digest = hmac.new(WA_SECRET.encode(), body, hashlib.sha256).hexdigest()
        headers = {"content-type": "application/json", "x-hub-signature-256": f"sha256={digest}"}
        return Request("POST", "/webhooks/whatsapp/jaksel", headers, body)
    if channel == "instagram":
        digest = hmac.new(IG_SECRET.encode(), body, hashlib.sha256).hexdigest()
        headers = {"content-type": "application/json", "x-hub-signature-256": f"sha256={digest}"}
        return Request("POST", "/webhooks/instagram/pemkot", headers, body)
    if channel == "walkin":
        headers = {"content-type": "application/json", "authorization": f"Bearer {KIOSK_TOKEN}"}
        return Request("POST", "/webhooks/walkin/kiosk", headers, body)
    if channel == "open311":
        if kind == "form":
            body = urlencode([*value, ("api_key", OPEN311_KEY)]).encode()
        headers = {"content-type": "application/x-www-form-urlencoded"}
        return Request("POST", "/open311/v2/requests.json", headers, body)
    raise KeyError(channel)


def _built(gateway: str, case: dict[str, Any]) -> Request:
    try:
        built = build(gateway, case)
    except (TypeError, AttributeError, ValueError):
        # Fields the gateway's own signing cannot take: the server cannot check them either.
        built = build(gateway, case, sign=False)
    return Request(built.method, built.url, built.headers, built.body)


def send(client: TestClient, channel: str, payload: Payload) -> int:
    """POST (or GET) ``payload`` to ``channel`` through ``client``; the status code."""
    request = signed(channel, payload)
    answer = client.request(
        request.method, request.url, headers=request.headers, content=request.body
    )
    return answer.status_code


def body_of(payload: Payload) -> bytes:
    kind, value = payload
    if kind == "bytes":
        return bytes(value)
    if kind == "form":
        return urlencode(value).encode()
    return json.dumps(value, ensure_ascii=False, allow_nan=True).encode("utf-8", "surrogatepass")
