"""``/healthz`` and ``/metrics``: per-channel state and lag, counters, gauges computed at scrape."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from aduan.daemon.app import create_app
from aduan.daemon.scheduler import Daemon
from aduan.runtime import Runtime, build_channels, metrics
from aduan.runtime.loader import load_settings
from aduan.store import make_engine, open_store
from aduan.web.spool import spool_for
from tests.helpers import channels as fake
from tests.helpers.channels import sign
from tests.helpers.daemons import free_port

SECRET = "webhook-secret"


@pytest.fixture
def daemon_app(
    test_channels_registered: None, tmp_path: Path
) -> Iterator[tuple[TestClient, Daemon]]:
    settings = load_settings(
        env={
            "ADUAN_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}",
            "ADUAN_DATA_DIR": str(tmp_path / "data"),
            "ADUAN_CHANNELS__TESTPUSH__GW__SECRET": SECRET,
            "ADUAN_CHANNELS__TESTLIST__INBOX__TOKEN": "t",
        }
    )
    runtime = Runtime.create(settings, logging=False)
    daemon = Daemon(runtime)
    with TestClient(create_app(runtime, daemon.health)) as client:
        yield client, daemon
    daemon.stop(2)
    runtime.close()


def value(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in metrics")


def test_metrics_count_webhooks_polls_and_queue(daemon_app: tuple[TestClient, Daemon]) -> None:
    client, daemon = daemon_app
    stored_before = (
        metrics.REGISTRY.get_sample_value("aduan_messages_stored_total", {"channel": "testpush/gw"})
        or 0.0
    )
    body = json.dumps({"id": "w1", "text": "Banjir di Jl. Melati"}).encode()
    assert (
        client.post(
            "/webhooks/testpush/gw", content=body, headers={"x-signature": sign(SECRET, body)}
        ).status_code
        == 200
    )
    fake.SOURCE.extend({"id": i, "text": f"t{i}", "from": "+6281200000001"} for i in (1, 2, 3))
    daemon._poll("testlist/inbox", daemon.runtime.pull_channels[("testlist", "inbox")])

    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    text = answer.text
    assert value(text, 'aduan_messages_stored_total{channel="testpush/gw"}') == stored_before + 1
    assert value(text, 'aduan_messages_fetched_total{channel="testlist/inbox"}') >= 3
    assert value(text, "aduan_queue_pending_raws") == 4
    assert value(text, "aduan_complaints_overdue") == 0
    assert value(text, "aduan_store_up") == 1
    assert value(text, "aduan_spool_records") == 0
    assert value(text, 'aduan_webhook_latency_seconds_count{channel="testpush/gw"}') >= 1
    assert 'aduan_channel_lag_seconds{channel="testlist/inbox"}' in text
    assert "aduan_normalized_total" in text or "# HELP aduan_normalized_total" in text


def test_counter_helpers_for_other_parts() -> None:
    before = metrics.REGISTRY.get_sample_value("aduan_normalized_total", {"outcome": "complaint"})
    metrics.normalized(3)
    metrics.triaged(2, source="rules")
    metrics.quarantined("sms/kannel")
    after = metrics.REGISTRY.get_sample_value("aduan_normalized_total", {"outcome": "complaint"})
    assert after == (before or 0) + 3
    assert metrics.REGISTRY.get_sample_value("aduan_triaged_total", {"source": "rules"})
    assert metrics.REGISTRY.get_sample_value(
        "aduan_messages_quarantined_total", {"channel": "sms/kannel"}
    )


def test_healthz_lag_for_poll_and_webhook_channels(daemon_app: tuple[TestClient, Daemon]) -> None:
    client, daemon = daemon_app
    channels = client.get("/healthz").json()["channels"]
    assert channels["testpush/gw"]["mode"] == "webhook"
    assert channels["testpush/gw"]["lag_seconds"] is None  # nothing accepted yet
    body = json.dumps({"id": "w2", "text": "Jalan berlubang"}).encode()
    client.post("/webhooks/testpush/gw", content=body, headers={"x-signature": sign(SECRET, body)})
    daemon._poll("testlist/inbox", daemon.runtime.pull_channels[("testlist", "inbox")])
    time.sleep(0.3)
    health = client.get("/healthz").json()
    assert health["spool"] == {"records": 0}
    hook = health["channels"]["testpush/gw"]
    poll = health["channels"]["testlist/inbox"]
    assert hook["last_success"] is not None and 0.25 <= hook["lag_seconds"] < 10
    assert poll["state"] == "ok" and poll["consecutive_failures"] == 0
    assert 0.25 <= poll["lag_seconds"] < 10
    fake.FAULT["transient"] = 30
    daemon._poll("testlist/inbox", daemon.runtime.pull_channels[("testlist", "inbox")])
    poll = client.get("/healthz").json()["channels"]["testlist/inbox"]
    assert poll["state"] == "backoff" and poll["consecutive_failures"] == 1
    assert "503" in poll["last_error"] and poll["retry_at"] is not None


def test_store_down_webhook_spooled_health_degraded_metrics_say_so(
    test_channels_registered: None, tmp_path: Path
) -> None:
    settings = load_settings(
        env={
            "ADUAN_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/gone",
            "ADUAN_DATA_DIR": str(tmp_path / "data"),
            "ADUAN_CHANNELS__TESTPUSH__GW__SECRET": SECRET,
        }
    )
    down = Runtime(settings, make_engine(settings.database_url), build_channels(settings))
    body = json.dumps({"id": "s1", "text": "Pohon tumbang di Jl. Mawar"}).encode()
    with TestClient(create_app(down)) as client:
        answer = client.post(
            "/webhooks/testpush/gw", content=body, headers={"x-signature": sign(SECRET, body)}
        )
        assert answer.status_code == 200
        health = client.get("/healthz")
        assert health.status_code == 200
        assert health.json()["status"] == "degraded"
        assert health.json()["spool"] == {"records": 1}
        text = client.get("/metrics").text
        assert value(text, "aduan_store_up") == 0
        assert value(text, "aduan_spool_records") == 1
        # no queue depth when the store cannot be asked (rather than a false 0)
        assert not any(line.startswith("aduan_queue_pending_raws ") for line in text.splitlines())
    down.engine.dispose()
    store = open_store(f"sqlite:///{tmp_path / 'back.db'}")
    assert spool_for(down).drain(store) == 1
    assert spool_for(down).records == 0
    store.dispose()
