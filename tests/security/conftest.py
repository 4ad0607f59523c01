"""Fixtures of the security tests: the Open311 app with its two partners."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from aduan.runtime import Runtime
from aduan.web import create_app
from tests.open311.conftest import partner_settings


@pytest.fixture
def api(store_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, Runtime]]:
    runtime = partner_settings(store_url, tmp_path)
    with TestClient(create_app(runtime)) as client:
        yield client, runtime
    runtime.close()
