"""Shared by the SMS tests: the five gateway instances, their secrets, and request signing.

A fixture file describes an inbound request without its signature; :func:`build`
turns it into (method, path, headers, body) and signs it the way the gateway
does (or signs it wrongly / not at all, as the case asks).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from aduan.channels.sms import generic, twilio, vonage
from tests.channels.payloads import Delivery

FIXTURES = Path(__file__).parents[1] / "fixtures" / "sms"
GATEWAYS = ("twilio", "vonage", "africastalking", "kannel", "generic")
MAX_BODY = 20_000
TWILIO_TOKEN = "twilio-auth-token-0123456789abcdef"
TWILIO_URL = "https://sms.example.org/webhooks/sms/twilio"
VONAGE_SECRET = "vonage-signature-secret"
AT_PATH = "at-9f1c7e2b4d6a8053"
KANNEL_KEY = "kannel-url-secret-5d2e"
GENERIC_SECRET = "generic-hmac-secret-7b3a"


def settings_env(store_url: str, data_dir: Path) -> dict[str, str]:
    """Environment for ``load_settings``: one instance per gateway, named after it."""
    env = {"ADUAN_DATABASE_URL": store_url, "ADUAN_DATA_DIR": str(data_dir)}
    values: dict[str, dict[str, str]] = {
        "twilio": {"AUTH_TOKEN": TWILIO_TOKEN, "PUBLIC_URL": TWILIO_URL},
        "vonage": {"SIGNATURE_SECRET": VONAGE_SECRET, "SIGNATURE_METHOD": "md5hash"},
        "africastalking": {"PATH_SECRET": AT_PATH},
        "kannel": {"URL_SECRET": KANNEL_KEY},
        "generic": {"SIGNING_SECRET": GENERIC_SECRET},
    }
    for name, items in values.items():
        prefix = f"ADUAN_CHANNELS__SMS__{name.upper()}__"
        env[prefix + "GATEWAY"] = name
        env[prefix + "MAX_BODY_BYTES"] = str(MAX_BODY)
        env.update({prefix + key: value for key, value in items.items()})
    return env


def _body(case: dict[str, Any]) -> tuple[bytes, str | None]:
    """The body a fixture describes: a form, JSON, hex bytes or text, padded if asked."""
    pad = int(case.get("pad", 0))
    if "form" in case:
        pairs = [tuple(p) for p in case["form"]] + ([("Padding", "x" * pad)] if pad else [])
        return urlencode(pairs).encode(), "application/x-www-form-urlencoded"
    if "json" in case:
        data = dict(case["json"]) | ({"padding": "x" * pad} if pad else {})
        return json.dumps(data).encode(), "application/json"
    if "body_hex" in case:
        return bytes.fromhex(case["body_hex"]), case.get("content_type")
    if "body" in case:
        return str(case["body"]).encode(), case.get("content_type")
    return b"", None


def build(
    gateway: str,
    case: dict[str, Any],
    *,
    sign: bool | str = True,
    instance: str | None = None,
    timestamp_offset: int = 0,
    now: float | None = None,
) -> Delivery:
    """The HTTP request a fixture describes, signed well (True), wrongly ("bad") or not (False)."""
    instance = instance or gateway
    method = case.get("method", "POST")
    body, content_type = _body(case)
    headers = {"content-type": content_type} if content_type else {}
    headers.update({k.lower(): v for k, v in case.get("headers", {}).items()})
    query = [tuple(p) for p in case.get("query", [])]
    raw_query = case.get("raw_query", "")
    path = f"/webhooks/sms/{instance}"

    if gateway == "twilio" and sign:
        text = body.decode("utf-8", "replace")
        params = parse_qsl(text, keep_blank_values=True) if method == "POST" else []
        qs = urlencode(query) or raw_query
        url = TWILIO_URL + (f"?{qs}" if qs else "")
        token = TWILIO_TOKEN if sign is True else "wrong-token"
        headers["x-twilio-signature"] = twilio.signature(token, url, params)
    elif gateway == "vonage" and sign:
        secret = VONAGE_SECRET if sign is True else "wrong-secret"
        stamp = str(int((now or time.time()) + int(case.get("timestamp_offset", 0))))
        if "json" in case:
            data = {**case["json"], "timestamp": stamp}
            data["sig"] = vonage.signature(list(data.items()), secret, "md5hash")
            body = json.dumps(data).encode()
        elif "form" in case:
            pairs = [tuple(p) for p in case["form"] if p[0] != "timestamp"]
            pairs.append(("timestamp", stamp))
            pairs.append(("sig", vonage.signature(pairs, secret, "md5hash")))
            body = urlencode(pairs).encode()
        else:
            query = [p for p in query if p[0] != "timestamp"] + [("timestamp", stamp)]
            query.append(("sig", vonage.signature(query, secret, "md5hash")))
    elif gateway == "africastalking" and sign:
        path += "/" + (AT_PATH if sign is True else "not-the-secret")
    elif gateway == "kannel" and sign:
        query.insert(0, ("key", KANNEL_KEY if sign is True else "wrong"))
    elif gateway == "generic" and sign:
        stamp = str(int((now or time.time()) + timestamp_offset))
        secret = GENERIC_SECRET if sign is True else "wrong-secret"
        headers["x-timestamp"] = stamp
        headers["x-signature"] = "sha256=" + generic.signature(secret, stamp, body)

    if case.get("subpath"):
        path += "/" + str(case["subpath"])
    parts = [p for p in (urlencode(query), raw_query) if p]
    url = path + ("?" + "&".join(parts) if parts else "")
    return Delivery(method, url, headers, body)
