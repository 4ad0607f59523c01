"""The ``sms`` payload table: each gateway's inbound requests through the real ASGI app.

A fixture under ``fixtures/sms/<gateway>/`` describes the request without its
signature (form, JSON, query, raw bytes); :func:`deliver` signs it as the gateway
does, wrongly or not at all, as the case says. Every case runs on SQLite and
PostgreSQL; one instance per gateway, named after it. The rows are in ``table_<gateway>.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.channels.payloads import Delivery, PayloadCase, PushHarness
from tests.channels.sms import (
    table_africastalking,
    table_generic,
    table_kannel,
    table_twilio,
    table_vonage,
)
from tests.channels.sms.common import GATEWAYS, build, settings_env

SIGN: dict[str, bool | str] = {"good": True, "wrong": "bad", "none": False}


def env(data_dir: Path) -> dict[str, str]:
    found = settings_env("", data_dir)
    return {k: v for k, v in found.items() if k.startswith("ADUAN_CHANNELS__")}


def gateway(case: PayloadCase) -> str:
    name = case.fixture.split("/")[0]
    assert name in GATEWAYS, case.fixture
    return name


def instance(case: PayloadCase) -> str:
    return str(case.options.get("instance", gateway(case)))


def deliver(case: PayloadCase, body: bytes) -> Delivery:
    return build(
        gateway(case),
        json.loads(body),
        sign=SIGN[case.auth],
        instance=instance(case),
        timestamp_offset=int(case.options.get("timestamp_offset", 0)),
    )


HARNESS = PushHarness("sms", env, deliver, instance, stores=("sqlite", "postgresql"))
CASES = [
    *table_twilio.CASES,
    *table_vonage.CASES,
    *table_africastalking.CASES,
    *table_kannel.CASES,
    *table_generic.CASES,
]
