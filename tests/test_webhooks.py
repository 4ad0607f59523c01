"""The webhook path: 2xx only after commit, duplicates add nothing, every refusal its code."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from aduan.config import load_settings
from aduan.runtime import Runtime
from aduan.store.models import raw_messages
from aduan.web import create_app
from tests.helpers.channels import sign

SECRET = "webhook-secret"


@pytest.fixture
def client(
    test_channels_registered: None, store_url: str, tmp_path: Path
) -> Iterator[tuple[TestClient, Runtime]]:
    settings = load_settings(
        env={
            "ADUAN_DATABASE_URL": store_url,
            "ADUAN_DATA_DIR": str(tmp_path / "data"),
            "ADUAN_CHANNELS__TESTPUSH__GW__SECRET": SECRET,
            "ADUAN_CHANNELS__TESTPUSH__GW__MAX_BODY_BYTES": "2000",
        }
    )
    runtime = Runtime.create(settings, logging=False)
    with TestClient(create_app(runtime)) as test_client:
        yield test_client, runtime
    runtime.close()


def rows(runtime: Runtime) -> int:
    with runtime.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(raw_messages)).scalar_one())


def post(test_client: TestClient, body: bytes, signature: str | None = None, path: str = "gw"):  # type: ignore[no-untyped-def]
    headers = {"x-signature": signature if signature is not None else sign(SECRET, body)}
    return test_client.post(f"/webhooks/testpush/{path}", content=body, headers=headers)


def test_accepted_then_duplicate(client: tuple[TestClient, Runtime]) -> None:
    test_client, runtime = client
    body = json.dumps({"id": "m1", "text": "Sampah menumpuk"}).encode()
    assert post(test_client, body).status_code == 200
    assert rows(runtime) == 1
    assert post(test_client, body).status_code == 200
    assert rows(runtime) == 1


def test_refusals(client: tuple[TestClient, Runtime]) -> None:
    test_client, runtime = client
    body = json.dumps({"id": "m2", "text": "x"}).encode()
    assert post(test_client, body, signature="0" * 64).status_code == 403
    assert post(test_client, body, path="nope").status_code == 404
    assert post(test_client, b"{not json").status_code == 400
    big = json.dumps({"id": "m3", "text": "x" * 3000}).encode()
    assert post(test_client, big).status_code == 413
    assert rows(runtime) == 0


def test_healthz(client: tuple[TestClient, Runtime]) -> None:
    test_client, _ = client
    body = test_client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["channels"]["testpush/gw"]["mode"] == "webhook"
