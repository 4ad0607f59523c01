"""Every size a payload controls is bounded: 400/413 at the webhook, or a quick quarantine.

Rows of the issue's table: 100,000-level nested JSON (was a 500 with a
``RecursionError``), a kiosk entry whose ``reporter`` is a number (500), a
kiosk entry claiming an existing reference (stored, then the normalize job
failed on it forever), Twilio ``NumMedia=1000000`` (5.5 s of CPU inside the
normalize transaction), Telegram poison with ``acknowledge`` on and off
(committed, then a 500).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from aduan.daemon.app import create_app
from aduan.daemon.normalize_job import normalize_pending, runtime_normalizer
from aduan.runtime import Runtime
from aduan.runtime.loader import load_settings
from aduan.store.models import raw_messages
from aduan.web.limits import json_depth
from tests.robust.world import FIXTURES, SEEDS, Payload, send, settings_env

DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.fixture
def world(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[TestClient, Runtime]]:
    extra = getattr(request, "param", {})
    runtime = Runtime.create(load_settings(env=settings_env(tmp_path, **extra)), logging=False)
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        yield client, runtime
    runtime.close()


def stored(runtime: Runtime) -> int:
    with runtime.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(raw_messages)).scalar_one())


@pytest.mark.parametrize(
    "channel",
    ["sms/generic", "sms/vonage", "telegram", "facebook", "whatsapp", "instagram", "walkin"],
)
def test_deeply_nested_json_is_a_400(world: tuple[TestClient, Runtime], channel: str) -> None:
    client, runtime = world
    assert send(client, channel, ("bytes", DEEP)) == 400
    in_objects = b'{"a":' * 50_000 + b'"x"' + b"}" * 50_000
    assert send(client, channel, ("bytes", in_objects)) == 400
    assert stored(runtime) == 0
    assert client.get("/healthz").status_code == 200


def test_json_depth_counts_brackets_outside_strings_only() -> None:
    assert json_depth(b'{"a": "[[[[[[[[[[[[", "b": [1]}', 4) == 2
    assert json_depth(b'{"a": "\\\\", "b": [[[[[[1]]]]]]}', 4) == 5
    assert json_depth(b'["\\"[[[[[[[["]', 3) == 1


def test_many_form_fields_are_a_413(world: tuple[TestClient, Runtime]) -> None:
    client, runtime = world
    pairs = [tuple(p) for p in SEEDS["sms/twilio"][0][1]]
    pairs += [(f"X{i}", "y") for i in range(5000)]
    assert send(client, "sms/twilio", ("form", pairs)) == 413
    assert stored(runtime) == 0


def test_kiosk_reporter_that_is_a_number_is_a_400(world: tuple[TestClient, Runtime]) -> None:
    client, runtime = world
    entry = dict(SEEDS["walkin"][0][1], reporter=5)
    assert send(client, "walkin", ("json", entry)) == 400
    assert stored(runtime) == 0


def test_kiosk_cannot_claim_a_reference(world: tuple[TestClient, Runtime]) -> None:
    client, runtime = world
    entry = dict(SEEDS["walkin"][0][1], reference="ADU-2026-000002")
    assert send(client, "walkin", ("json", entry)) == 400
    unreserved = dict(SEEDS["walkin"][0][1], reference="ADU-2026-999999")
    assert send(client, "walkin", ("json", unreserved)) == 400
    assert stored(runtime) == 0


def test_twilio_media_count_is_bounded_by_the_fields_sent(
    world: tuple[TestClient, Runtime],
) -> None:
    client, runtime = world
    pairs = [(k, "20000000" if k == "NumMedia" else v) for k, v in SEEDS["sms/twilio"][0][1]]
    assert send(client, "sms/twilio", ("form", pairs)) == 200
    started = time.process_time()
    stats = normalize_pending(runtime.engine, runtime_normalizer(runtime))
    assert time.process_time() - started < 1.0
    assert stats.created == 1


def _telegram_poison() -> Payload:
    update = json.loads((FIXTURES / "telegram/update_photo.json").read_text())
    update["message"]["photo"] = "AgAD-big"
    return ("json", update)


@pytest.mark.parametrize(
    "world",
    [{"ADUAN_CHANNELS__TELEGRAM__KOTA__ACKNOWLEDGE": v} for v in ("false", "true")],
    indirect=True,
    ids=["acknowledge=false", "acknowledge=true"],
)
def test_telegram_poison_is_stored_and_answered_2xx(world: tuple[TestClient, Runtime]) -> None:
    client, runtime = world
    assert send(client, "telegram", _telegram_poison()) == 200
    assert stored(runtime) == 1


def test_text_and_attachments_over_the_limits_are_quarantined(tmp_path: Path) -> None:
    env = settings_env(tmp_path, ADUAN_LIMITS__TEXT_CHARS="1000")
    runtime = Runtime.create(load_settings(env=env), logging=False)
    try:
        with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
            good = dict(SEEDS["sms/generic"][0][1], text="panjang " * 200)
            assert send(client, "sms/generic", ("json", good)) == 200
        stats = normalize_pending(runtime.engine, runtime_normalizer(runtime))
        assert stats.quarantined == 1
        with runtime.engine.connect() as conn:
            error = conn.execute(select(raw_messages.c.error)).scalar_one()
        assert error == "read: BadPayload: text longer than 1000 characters"
    finally:
        runtime.close()
