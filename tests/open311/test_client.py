"""A GeoReport v2 client that no one here wrote (``georeport`` from PyPI) against a real server."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from georeport import GeoReport

from aduan.daemon.app import create_app
from aduan.runtime import Runtime
from tests.conftest import free_port
from tests.helpers.complaints import insert_complaint, tracking
from tests.open311.conftest import partner_settings


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Runtime]]:
    runtime = partner_settings(f"sqlite:///{tmp_path / 'a.db'}", tmp_path)
    port = free_port()
    config = uvicorn.Config(create_app(runtime), host="127.0.0.1", port=port, log_config=None)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/open311/v2", runtime
    server.should_exit = True
    thread.join(10)
    runtime.close()


@pytest.mark.parametrize("output", ["json", "xml"])
def test_georeport_client_reads_everything(server: tuple[str, Runtime], output: str) -> None:
    root, runtime = server
    insert_complaint(runtime.engine, reference="ADU-2026-880001", category="roads")
    client = GeoReport(root, output_format=output)
    services = client.get_service_list()
    codes = {s["service_code"] for s in services}
    assert {"roads", "drainage_flooding", "other"} <= codes
    definition = client.get_service_definition("roads")
    assert definition["service_code"] == "roads"
    found = client.get_service_requests(service_code="roads", status="open")
    found = found if isinstance(found, list) else [found]
    assert [r["service_request_id"] for r in found] == ["ADU-2026-880001"]
    one = client.get_service_request(tracking(runtime, "ADU-2026-880001"))
    assert one["service_code"] == "roads" and one["status"] == "open"
