"""Polling through the scheduler: cursor with the data, back-off, pause, health."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from aduan.daemon.ingest import poll_channel
from aduan.daemon.scheduler import Daemon
from aduan.runtime import Runtime
from aduan.runtime.loader import load_settings
from aduan.store import read_cursor
from aduan.store.models import raw_messages
from tests.helpers import channels as fake


@pytest.fixture
def runtime(test_channels_registered: None, tmp_path: Path) -> Runtime:
    settings = load_settings(
        env={
            "ADUAN_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}",
            "ADUAN_CHANNELS__TESTLIST__INBOX__TOKEN": "t",
            "ADUAN_CHANNELS__TESTLIST__INBOX__BATCH_SIZE": "2",
        }
    )
    return Runtime.create(settings, logging=False)


def count(runtime: Runtime) -> int:
    with runtime.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(raw_messages)).scalar_one())


def test_poll_in_batches_and_again_adds_nothing(runtime: Runtime) -> None:
    fake.SOURCE.extend({"id": i, "text": f"t{i}", "from": "+62811"} for i in range(1, 6))
    channel = runtime.pull_channels[("testlist", "inbox")]
    result = poll_channel(runtime.engine, channel)
    assert (result.fetched, result.stored, result.batches) == (5, 5, 3)
    assert read_cursor(runtime.engine, "testlist", "inbox") == {"last": 5}
    assert poll_channel(runtime.engine, channel).stored == 0
    assert count(runtime) == 5


def test_transient_error_backs_off_with_retry_after(runtime: Runtime) -> None:
    daemon = Daemon(runtime)
    channel = runtime.pull_channels[("testlist", "inbox")]
    fake.FAULT["transient"] = 120
    daemon._poll("testlist/inbox", channel)
    entry = daemon.health.get("testlist/inbox")
    assert entry.state == "backoff" and entry.consecutive_failures == 1
    assert entry.retry_at is not None and entry.last_error_at is not None
    assert (entry.retry_at - entry.last_error_at).total_seconds() >= 120
    fake.FAULT.clear()
    fake.SOURCE.append({"id": 1, "text": "t", "from": "+62811"})
    daemon._poll("testlist/inbox", channel)
    assert daemon.health.get("testlist/inbox").state == "ok"
    assert count(runtime) == 1


def test_fatal_error_pauses_channel_and_shows_in_health(runtime: Runtime) -> None:
    daemon = Daemon(runtime)
    fake.FAULT["fatal"] = True
    daemon.start()  # the first poll runs at once, in the scheduler's own thread
    try:
        deadline = time.monotonic() + 10
        while daemon.health.get("testlist/inbox").state != "paused":
            assert time.monotonic() < deadline, "the channel was never paused"
            time.sleep(0.05)
        snapshot = daemon.health.snapshot()["testlist/inbox"]
        assert snapshot["state"] == "paused"
        assert "401" in str(snapshot["last_error"])
        job = daemon.scheduler.get_job("poll:testlist/inbox")
        assert job is not None and job.next_run_time is None
    finally:
        assert daemon.stop(5)


def test_a_channel_without_history_refuses_to_rewind(runtime: Runtime) -> None:
    from datetime import UTC, datetime

    from aduan.core.errors import FatalChannelError

    channel = runtime.pull_channels[("testlist", "inbox")]
    with pytest.raises(FatalChannelError, match="cannot fetch again"):
        channel.rewind({"last": 3}, datetime(2026, 1, 1, tzinfo=UTC))


def test_a_run_skipped_while_the_last_one_goes_is_counted_not_logged(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    from aduan.runtime.metrics import REGISTRY

    def skipped() -> float:
        value = REGISTRY.get_sample_value("aduan_job_runs_skipped_total", {"job": "slow"})
        return value or 0.0

    before = skipped()
    daemon = Daemon(runtime)
    release = threading.Event()
    daemon.scheduler.add_job(release.wait, "interval", seconds=0.05, id="slow", args=[5])
    caplog.set_level(logging.WARNING)
    daemon.scheduler.start()
    try:
        deadline = time.monotonic() + 10
        while skipped() - before < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        release.set()
        daemon.scheduler.shutdown(wait=True)
    assert skipped() - before >= 2
    assert not [r for r in caplog.records if r.name.startswith("apscheduler")]
