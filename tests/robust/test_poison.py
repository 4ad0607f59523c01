"""Poison messages: each one alone used to halt normalization of every channel.

Every payload below is sent with a valid signature, then a good SMS. The good
SMS must be a triaged complaint within two normalize cadences, each poison
raw quarantined with its exception's class, and ``/healthz`` must say
``degraded`` (oldest pending raw too old) while they wait and ``ok`` after.
"""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from aduan.daemon.app import create_app
from aduan.daemon.scheduler import Daemon
from aduan.runtime import Runtime
from aduan.runtime.loader import load_settings
from aduan.store.models import complaints, raw_messages
from tests.robust.world import FIXTURES, Payload, send, settings_env

CADENCE = 2.0


def _telegram(change: Any, number: int) -> Payload:
    update = json.loads((FIXTURES / "telegram/update_photo.json").read_text())
    update["update_id"] += number
    update["message"]["message_id"] += number
    change(update["message"])
    return ("json", update)


def _set(key: str, value: Any) -> Any:
    return lambda message: message.__setitem__(key, value)


def _facebook(name: str, change: Any) -> Payload:
    body = json.loads((FIXTURES / f"facebook/{name}.json").read_text())
    change(body["entry"][0])
    return ("json", body)


def _comment_from_string(entry: dict[str, Any]) -> None:
    entry["changes"][0]["value"]["from"] = "6100000000000002"


def _messenger_timestamp(entry: dict[str, Any]) -> None:
    entry["messaging"][0]["timestamp"] = 1e300


def _whatsapp(name: str, key: str, value: Any) -> Payload:
    body = json.loads((FIXTURES / f"whatsapp/{name}.json").read_text())
    message = body["entry"][0]["changes"][0]["value"]["messages"][0]
    message["id"] += "-poison"
    message[key] = value
    return ("json", body)


def _instagram(name: str, change: Any) -> Payload:
    body = json.loads((FIXTURES / f"instagram/{name}.json").read_text())
    change(body["entry"][0])
    return ("json", body)


def _ig_comment_from_string(entry: dict[str, Any]) -> None:
    entry["changes"][0]["value"]["from"] = "6200000000000002"


def _ig_attachments_is_a_string(entry: dict[str, Any]) -> None:
    entry["messaging"][0]["message"]["attachments"] = "https://example.org/x.jpg"


def _ig_text_is_a_number(entry: dict[str, Any]) -> None:
    entry["messaging"][0]["message"]["text"] = 1e300


POISON: dict[str, tuple[str, Payload]] = {
    "telegram chat is a string": ("telegram", _telegram(_set("chat", "3527065"), 1)),
    "telegram reply_to_message is a string": (
        "telegram",
        _telegram(_set("reply_to_message", "12"), 2),
    ),
    "telegram photo is a string": ("telegram", _telegram(_set("photo", "AgAD-big"), 3)),
    "telegram date=1e300": ("telegram", _telegram(_set("date", 1e300), 4)),
    "facebook comment from is a string": (
        "facebook",
        _facebook("feed_comment", _comment_from_string),
    ),
    "messenger timestamp=1e300": (
        "facebook",
        _facebook("message_with_photo", _messenger_timestamp),
    ),
    "whatsapp from is a number": ("whatsapp", _whatsapp("text", "from", 6281200012346)),
    "whatsapp location latitude is a list": (
        "whatsapp",
        _whatsapp("location", "location", {"latitude": [-6.26], "longitude": 106.81}),
    ),
    "whatsapp contacts is a string": (
        "whatsapp",
        _whatsapp("contacts_own_card", "contacts", "Sari 0812-0001-2346"),
    ),
    "instagram comment from is a string": (
        "instagram",
        _instagram("comment", _ig_comment_from_string),
    ),
    "instagram attachments is a string": (
        "instagram",
        _instagram("message_image", _ig_attachments_is_a_string),
    ),
    "instagram text=1e300": ("instagram", _instagram("message_text", _ig_text_is_a_number)),
}


def _kannel_punycode() -> dict[str, Any]:
    case = json.loads((FIXTURES / "sms/kannel/get_utf8.json").read_text())
    case.pop("expect", None)
    case["raw_query"] = case["raw_query"].replace("charset=UTF-8", "charset=punycode")
    return case


def _good_sms() -> Payload:
    case = json.loads((FIXTURES / "sms/generic/json_complaint.json").read_text())
    return ("json", {**case["json"], "id": "gw-after-poison"})


@pytest.fixture
def world(tmp_path: Path, store_url: str) -> Iterator[tuple[TestClient, Runtime]]:
    env = settings_env(
        tmp_path,
        store_url,
        ADUAN_SCHEDULER__NORMALIZE_SECONDS=str(CADENCE),
        ADUAN_HEALTH__STUCK_CADENCES="0.5",
    )
    runtime = Runtime.create(load_settings(env=env), logging=False)
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        yield client, runtime
    runtime.close()


def test_poison_messages_do_not_hold_up_a_good_sms(world: tuple[TestClient, Runtime]) -> None:
    client, runtime = world
    # The answers are checked last: the stuck queue is the failure that matters most.
    answers = {
        name: send(client, channel, copy.deepcopy(p)) for name, (channel, p) in POISON.items()
    }
    answers["kannel charset=punycode"] = send(client, "sms/kannel", ("json", _kannel_punycode()))
    assert send(client, "sms/generic", _good_sms()) == 200
    poison = len(POISON) + 1
    time.sleep(CADENCE * 0.5 + 0.2)
    health = client.get("/healthz").json()
    assert health["status"] == "degraded"
    assert any("oldest pending raw" in r for r in health["reasons"])
    assert health["queue"]["pending"] == poison + 1

    daemon = Daemon(runtime, client.app.state.health)  # type: ignore[attr-defined]
    started = time.monotonic()
    daemon.start()
    try:
        complaint = None
        while time.monotonic() - started < 2 * CADENCE and complaint is None:
            time.sleep(0.05)
            with runtime.engine.connect() as conn:
                complaint = conn.execute(
                    select(complaints.c.status, complaints.c.category).where(
                        complaints.c.channel == "sms", complaints.c.account == "generic"
                    )
                ).first()
    finally:
        daemon.stop(5)
    assert complaint is not None, "the good SMS is not a complaint within two cadences"
    assert complaint.status == "triaged" and complaint.category
    with runtime.engine.connect() as conn:
        rows = conn.execute(
            select(raw_messages.c.channel, raw_messages.c.status, raw_messages.c.error).where(
                raw_messages.c.external_id != "gw-after-poison"
            )
        ).all()
    assert len(rows) == poison
    for row in rows:
        assert row.status == "quarantined", row
        # "<stage>: <exception class>: <first line>": never the payload
        assert row.error and re.match(r"^(read|normalize): [A-Za-z]+: \S", row.error), row
        assert "Sari" not in row.error and "3527065" not in row.error
    health = client.get("/healthz").json()
    assert answers == dict.fromkeys(answers, 200)
    assert health["status"] == "ok", health["reasons"]
    assert sum(health["queue"]["quarantined"].values()) == poison
