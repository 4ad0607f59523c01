"""Signed gateways verify exactly what they read; the kiosk takes exactly ``Bearer <token>``."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from aduan.channels.sms import vonage
from aduan.daemon.app import create_app
from aduan.runtime import Runtime
from aduan.runtime.loader import load_settings
from aduan.store.models import raw_messages

SECRET = "vonage-signature-secret"
KIOSK = "kiosk-token-0123456789"


@pytest.fixture
def client(store_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, Runtime]]:
    settings = load_settings(
        env={
            "ADUAN_DATABASE_URL": store_url,
            "ADUAN_DATA_DIR": str(tmp_path / "data"),
            "ADUAN_CHANNELS__SMS__VG__GATEWAY": "vonage",
            "ADUAN_CHANNELS__SMS__VG__SIGNATURE_METHOD": "md5hash",
            "ADUAN_CHANNELS__SMS__VG__SIGNATURE_SECRET": SECRET,
            "ADUAN_CHANNELS__WALKIN__KIOSK__INTAKE_TOKEN": KIOSK,
        }
    )
    runtime = Runtime.create(settings, logging=False)
    with TestClient(create_app(runtime)) as test_client:
        yield test_client, runtime
    runtime.close()


def stored(runtime: Runtime) -> list[bytes]:
    with runtime.engine.connect() as conn:
        return [bytes(p) for p in conn.execute(select(raw_messages.c.payload)).scalars()]


def signed(params: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [*params, ("sig", vonage.signature(params, SECRET, "md5hash"))]


def genuine(stamp: int) -> list[tuple[str, str]]:
    return [
        ("msisdn", "6281200012345"),
        ("to", "628111272206"),
        ("messageId", "0A0000000123ABCD1"),
        ("text", "Jalan berlubang"),
        ("type", "text"),
        ("timestamp", str(stamp)),
    ]


def test_repeated_keys_put_in_front_are_refused(client: tuple[TestClient, Runtime]) -> None:
    test_client, runtime = client
    captured = signed(genuine(int(time.time())))
    forged = [
        ("msisdn", "6281299999999"),
        ("text", "Pesan palsu"),
        ("messageId", "FORGED1"),
        *captured,
    ]
    answer = test_client.post(
        "/webhooks/sms/vg",
        content=urlencode(forged),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 400
    answer = test_client.get(f"/webhooks/sms/vg?{urlencode(forged)}")
    assert answer.status_code == 400
    assert stored(runtime) == []


def test_genuine_signed_request_is_stored(client: tuple[TestClient, Runtime]) -> None:
    test_client, runtime = client
    answer = test_client.get(f"/webhooks/sms/vg?{urlencode(signed(genuine(int(time.time()))))}")
    assert answer.status_code == 200
    assert len(stored(runtime)) == 1


@pytest.mark.parametrize(
    "stamp",
    [978307200, int(time.time()) - 3600, None],
    ids=["in-2001", "an-hour-ago", "none"],  # ids the same in every pytest-xdist worker
)
def test_vonage_timestamp_must_be_recent(
    client: tuple[TestClient, Runtime], stamp: int | None
) -> None:
    test_client, runtime = client
    params = genuine(0)[:-1] + ([("timestamp", str(stamp))] if stamp is not None else [])
    answer = test_client.get(f"/webhooks/sms/vg?{urlencode(signed(params))}")
    assert answer.status_code == 403
    assert stored(runtime) == []


def kiosk_entry() -> bytes:
    entry = {
        "v": 1,
        "entry_id": "kiosk:0001",
        "entered_at": "2026-03-02T02:15:00Z",
        "reporter": {"name": "Warga Contoh", "phone": "+6281200010001"},
        "text": "Lampu jalan mati di RT 01.",
        "consent": True,
    }
    return json.dumps(entry).encode()


@pytest.mark.parametrize(
    "authorization",
    [KIOSK, f"Token {KIOSK}", f"Bearer  {KIOSK} x", f"Basic {KIOSK}", f"{KIOSK}Bearer "],
)
def test_kiosk_takes_exactly_a_bearer_token(
    client: tuple[TestClient, Runtime], authorization: str
) -> None:
    test_client, runtime = client
    answer = test_client.post(
        "/webhooks/walkin/kiosk",
        content=kiosk_entry(),
        headers={"authorization": authorization, "content-type": "application/json"},
    )
    assert answer.status_code in (401, 403)
    assert stored(runtime) == []


def test_kiosk_bearer_token_accepted(client: tuple[TestClient, Runtime]) -> None:
    test_client, runtime = client
    answer = test_client.post(
        "/webhooks/walkin/kiosk",
        content=kiosk_entry(),
        headers={"authorization": f"Bearer {KIOSK}", "content-type": "application/json"},
    )
    assert answer.status_code < 300, answer.text
    assert len(stored(runtime)) == 1
