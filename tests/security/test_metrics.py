"""``/metrics``: no label takes a value from the request (unknown webhook paths share one)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from aduan.daemon.app import create_app
from aduan.runtime import Runtime
from aduan.runtime.loader import load_settings


@pytest.fixture
def client(sqlite_engine: object, tmp_path: Path) -> Iterator[TestClient]:
    settings = load_settings(
        env={
            "ADUAN_DATABASE_URL": f"sqlite:///{tmp_path / 'aduan.db'}",
            "ADUAN_DATA_DIR": str(tmp_path / "data"),
        }
    )
    runtime = Runtime.create(settings, logging=False)
    with TestClient(create_app(runtime)) as test_client:
        yield test_client
    runtime.close()


def test_unknown_webhook_paths_add_no_series(client: TestClient) -> None:
    names = [f"probe{uuid.uuid4().hex[:12]}" for _ in range(20)]
    for name in names:
        assert client.post(f"/webhooks/sms/{name}", content=b"x").status_code == 404
        client.get(f"/webhooks/{name}/x")
    body = client.get("/metrics").text
    assert not any(name in body for name in names)
    assert 'channel="unknown/unknown"' in body
