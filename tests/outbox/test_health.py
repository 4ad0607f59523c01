"""``/healthz`` and ``/metrics`` show the outbox: queued, the oldest's age, per channel and
status; the send job's counters; no recipient anywhere."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from starlette.testclient import TestClient

from aduan.core.clock import utcnow
from aduan.daemon.app import create_app
from aduan.runtime import Runtime, metrics
from aduan.runtime.loader import load_settings
from aduan.runtime.outbox import send_due
from aduan.store import outbox as ob
from aduan.store.models import outbox
from tests.outbox.helpers import CHANNEL, CountingTwilio, twilio_channel
from tests.outbox.test_send import SETTINGS, put


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    settings = load_settings(
        env={
            "ADUAN_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}",
            "ADUAN_DATA_DIR": str(tmp_path / "data"),
        }
    )
    runtime = Runtime.create(settings, logging=False)
    yield runtime
    runtime.close()


def test_health_and_metrics_show_the_outbox(runtime: Runtime, tmp_path: Path) -> None:
    engine = runtime.engine
    put(engine, 3)
    put(engine, 1, channel="sms/kannel", recipient="tel:+6281299988877")
    sent_before = metrics.REGISTRY.get_sample_value("aduan_outbox_sent_total", {"channel": CHANNEL})
    with twilio_channel(tmp_path, CountingTwilio()) as channel:
        assert send_due(engine, {CHANNEL: channel}, SETTINGS).sent == 3
    with TestClient(create_app(runtime)) as client:
        health = client.get("/healthz")
        scrape = client.get("/metrics").text
    outbox = health.json()["outbox"]
    assert outbox["queued"] == 0 and outbox["oldest_queued_seconds"] == 0
    assert outbox["channels"] == {CHANNEL: {"sent": 3}, "sms/kannel": {"failed": 1}}
    assert "6281200012345" not in health.text and "6281299988877" not in health.text
    assert f'aduan_outbox_messages{{channel="{CHANNEL}",status="sent"}} 3.0' in scrape
    assert 'aduan_outbox_messages{channel="sms/kannel",status="failed"} 1.0' in scrape
    assert "aduan_outbox_queued 0.0" in scrape
    after = metrics.REGISTRY.get_sample_value("aduan_outbox_sent_total", {"channel": CHANNEL})
    assert after == (sent_before or 0) + 3
    failed = metrics.REGISTRY.get_sample_value(
        "aduan_outbox_failures_total", {"channel": "sms/kannel", "status": "failed"}
    )
    assert failed is not None and failed >= 1


def test_health_shows_what_waits(runtime: Runtime) -> None:
    put(runtime.engine, 2)
    with TestClient(create_app(runtime)) as client:
        outbox = client.get("/healthz").json()["outbox"]
        scrape = client.get("/metrics").text
    assert (outbox["queued"], outbox["due"]) == (2, 2)
    assert outbox["oldest_queued_seconds"] >= 0
    assert "aduan_outbox_queued 2.0" in scrape
    assert "aduan_outbox_oldest_queued_seconds" in scrape
    assert {r.status for r in ob.list_rows(runtime.engine)} == {"queued"}


def test_health_is_degraded_when_due_messages_are_not_sent(runtime: Runtime) -> None:
    put(runtime.engine, 1)
    with TestClient(create_app(runtime)) as client:
        assert client.get("/healthz").json()["status"] == "ok"
        with runtime.engine.begin() as conn:  # due for ten minutes: the job is not running
            conn.execute(update(outbox).values(next_attempt_at=utcnow() - timedelta(minutes=10)))
        health = client.get("/healthz").json()
    assert health["status"] == "degraded"
    assert any(r.startswith("oldest due outbox message waits 6") for r in health["reasons"])
