"""The ``open311`` payload table: a partner's GeoReport v2 ``POST requests``, form-encoded.

A fixture holds the form fields without the API key; :func:`deliver` adds the
partner's key (or a wrong one, or none) as the partner would.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

from tests.channels.payloads import Contains, Delivery, Negative, PayloadCase, PushHarness, Row

KEY = "partner-key-1"
URL = "/open311/v2/requests.json"


def env(data_dir: Path) -> dict[str, str]:
    return {
        "ADUAN_CHANNELS__OPEN311__JAKI__API_KEY": KEY,
        "ADUAN_CHANNELS__OPEN311__JAKI__CAN_UPDATE": "true",
    }


def deliver(case: PayloadCase, body: bytes) -> Delivery:
    form = dict(json.loads(body))
    if case.auth != "none":
        form["api_key"] = KEY if case.auth == "good" else "wrong"
    headers = {"content-type": "application/x-www-form-urlencoded", **case.headers}
    return Delivery("POST", URL, headers, urlencode(form).encode())


def error(status: int, words: str) -> dict[str, object]:
    """The answer of a refused request: one error in the spec's format."""
    return {"json": {"0.code": status, "0.description": Contains(words), "1": None}}


HARNESS = PushHarness("open311", env, deliver, instance=lambda case: "jaki")
CASES = [
    PayloadCase(
        "form_drainage_request.json",
        deliveries=2,
        covers=frozenset({Negative.REPLAY}),
        answer={"json": {"0.service_request_id": Contains("ADU-"), "1": None}},
        rows=(
            Row(
                fields={
                    "text": Contains("Saluran air di Jl. Buncit Raya tertutup lumpur"),
                    "identities": ("tel:+6281200019999", "mailto:warga.contoh@example.org"),
                },
                raw={"external_id": "partner:JAKI-70001"},
            ),
        ),
    ),
    PayloadCase(
        "form_drainage_request.json",
        status=403,
        rows=(),
        auth="wrong",
        answer=error(403, "api_key"),
        covers=frozenset({Negative.BAD_AUTH}),
    ),
    PayloadCase(
        "form_drainage_request.json",
        status=403,
        rows=(),
        auth="none",
        answer=error(403, "api_key"),
    ),
    PayloadCase(
        "form_lat_not_a_number.json",
        status=400,
        rows=(),
        answer=error(400, "number"),
        covers=frozenset({Negative.MALFORMED}),
    ),
    PayloadCase("form_without_location.json", status=400, rows=(), answer=error(400, "location")),
]
