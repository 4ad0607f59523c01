"""An aduan app with two Open311 partners: JAKI (may update statuses) and LAPOR (may not)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from aduan.daemon.app import create_app
from aduan.runtime import Runtime
from aduan.runtime.loader import load_settings

JAKI_KEY = "jaki-test-key-0001"
LAPOR_KEY = "lapor-test-key-0002"


def partner_settings(store_url: str, tmp_path: Path) -> Runtime:
    settings = load_settings(
        env={
            "ADUAN_DATABASE_URL": store_url,
            "ADUAN_DATA_DIR": str(tmp_path / "data"),
            "ADUAN_CHANNELS__OPEN311__JAKI__API_KEY": JAKI_KEY,
            "ADUAN_CHANNELS__OPEN311__JAKI__CAN_UPDATE": "true",
            "ADUAN_CHANNELS__OPEN311__LAPOR__API_KEY": LAPOR_KEY,
        }
    )
    return Runtime.create(settings, logging=False)


@pytest.fixture
def api(store_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, Runtime]]:
    runtime = partner_settings(store_url, tmp_path)
    with TestClient(create_app(runtime)) as client:
        yield client, runtime
    runtime.close()
