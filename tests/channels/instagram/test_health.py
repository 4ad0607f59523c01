"""``/healthz`` marks an Instagram instance failing while the Graph API refuses its token."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from aduan.core.errors import FatalChannelError, TransientError
from aduan.daemon.app import create_app
from aduan.daemon.scheduler import Daemon
from aduan.runtime import Runtime
from aduan.runtime.loader import load_settings
from tests.channels.instagram.graph_fake import ACCOUNT, TOKEN, graph, graph_env
from tests.channels.instagram.test_replies import make


def test_probe_asks_the_graph_api_for_the_account(tmp_path: Path) -> None:
    with graph() as (fake, url):
        channel = make(url, tmp_path)
        channel.probe()
        assert (fake.seen[0].method, fake.seen[0].path) == ("GET", f"/v21.0/{ACCOUNT}")
        fake.token = "renewed-elsewhere"
        with pytest.raises(FatalChannelError, match="refused the access token") as caught:
            channel.probe()
        assert TOKEN not in str(caught.value)
        fake.fail.append((500, 2, None, "Service temporarily unavailable"))
        fake.token = TOKEN
        with pytest.raises(TransientError):
            channel.probe()
        channel.close()


def _health(client: TestClient, key: str, state: str) -> dict[str, object]:
    deadline = time.monotonic() + 10
    while True:
        body: dict[str, object] = client.get("/healthz").json()
        channels = body["channels"]
        assert isinstance(channels, dict)
        if channels[key]["state"] == state or time.monotonic() > deadline:
            return body
        time.sleep(0.05)


def test_healthz_is_degraded_while_the_token_is_refused(tmp_path: Path) -> None:
    with graph() as (fake, url):
        fake.token = "the-token-meta-knows-now"
        store = f"sqlite:///{tmp_path / 'h.db'}"
        env = graph_env(url, store, str(tmp_path / "data"), PROBE_SECONDS="0.2")
        runtime = Runtime.create(load_settings(env=env), logging=False)
        daemon = Daemon(runtime)
        with TestClient(create_app(runtime, daemon.health)) as client:
            daemon.start()
            try:
                body = _health(client, "instagram/pemkot", "failing")
                assert body["status"] == "degraded"
                reasons = body["reasons"]
                assert isinstance(reasons, list)
                assert any("instagram/pemkot is failing" in r for r in reasons), reasons
                assert all(TOKEN not in r for r in reasons)
                fake.token = TOKEN  # the operator renewed it
                body = _health(client, "instagram/pemkot", "ok")
                assert body["status"] == "ok", body["reasons"]
            finally:
                daemon.stop(5)
        runtime.close()
