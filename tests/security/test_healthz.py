"""``/healthz`` follows the privacy rule: states, counts and times; error texts masked."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from starlette.testclient import TestClient

from aduan.daemon.app import create_app
from aduan.runtime import Runtime
from aduan.runtime.health import Health
from aduan.runtime.loader import load_settings

TOKEN = "987654321:AAFakeTokenForHealthz_0123456789abcdef"


def test_errors_on_healthz_are_masked(sqlite_engine: Engine, tmp_path: Path) -> None:
    settings = load_settings(
        env={
            "ADUAN_DATABASE_URL": str(sqlite_engine.url),
            "ADUAN_DATA_DIR": str(tmp_path / "data"),
        }
    )
    runtime = Runtime.create(settings, logging=False)
    health = Health()
    health.get("email/city", mode="poll")
    health.waiting(
        "email/city",
        f"login refused for warga.contoh@example.org (NIK 3174051203850001), bot {TOKEN}",
    )
    with TestClient(create_app(runtime, health)) as client:
        body = client.get("/healthz")
    runtime.close()
    assert body.status_code == 200
    text = body.text
    assert "email/city" in text
    for private in ("warga.contoh@example.org", "3174051203850001", "AAFakeTokenForHealthz"):
        assert private not in text
