"""The daemon as an operator meets it: a quiet log when idle, metrics that count.

Both run the real ``aduan run`` process (:func:`tests.helpers.daemons.start_daemon`).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from aduan.demo.build import demo_raws
from aduan.demo.run import demo_day
from aduan.runtime import Runtime
from aduan.runtime.loader import load_settings
from aduan.store import save_batch
from aduan.store.models import complaint_sources, complaints, raw_messages
from tests.helpers.channels import sign
from tests.helpers.daemons import start_daemon, wait_until

pytestmark = pytest.mark.timing  # make test runs it after the rest, with no other worker

FAST = {
    "ADUAN_SCHEDULER__NORMALIZE_SECONDS": "0.2",
    "ADUAN_SCHEDULER__TRIAGE_SECONDS": "0.3",
    "ADUAN_SCHEDULER__ESCALATE_SECONDS": "0.5",
}


def test_an_idle_daemon_writes_no_log_line(tmp_path: Path) -> None:
    """After its start-up lines, nothing: 25 normalize runs in 5 s, each said nothing."""
    daemon = start_daemon(tmp_path / "d", f"sqlite:///{tmp_path / 'idle.db'}", FAST)
    try:
        time.sleep(1.5)  # the start-up lines
        before = daemon.log_text()
        time.sleep(5)
        after = daemon.log_text()
    finally:
        daemon.stop()
    assert after == before, after[len(before) :]
    assert "color_message" not in after
    events = [json.loads(line)["event"] for line in before.splitlines() if line.startswith("{")]
    assert "daemon_started" in events and len(events) < 12, events


def _series(text: str, name: str) -> dict[str, float]:
    """``{labels: value}`` of one metric in the exposition text."""
    found = {}
    for match in re.finditer(rf"^{name}(\{{[^}}]*\}})? (\S+)$", text, re.M):
        found[match.group(1) or ""] = float(match.group(2))
    return found


def test_every_documented_metric_counts_the_demo(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    env = {**FAST, "ADUAN_CHANNELS__TESTPUSH__GW__SECRET": "webhook-secret"}
    settings = load_settings(env={"ADUAN_DATABASE_URL": url, "ADUAN_DATA_DIR": str(tmp_path)})
    runtime = Runtime.create(settings, logging=False)
    zone = ZoneInfo(settings.timezone)
    raws = list(demo_raws(runtime.context, demo_day(zone), zone))
    save_batch(runtime.engine, raws)  # pending: the daemon normalizes them
    daemon = start_daemon(tmp_path / "d", url, env)
    try:

        def settled() -> bool:
            with runtime.engine.connect() as conn:
                return not conn.execute(
                    select(func.count()).where(raw_messages.c.status == "pending")
                ).scalar_one()

        wait_until(settled, 60, what="the demo normalized by the daemon")
        for n in (1, 2, 2):  # the last is a repeat: a duplicate
            body = json.dumps({"id": f"w{n}", "text": "Sampah belum diangkut"}).encode()
            status = daemon.post(
                "/webhooks/testpush/gw", body, {"x-signature": sign("webhook-secret", body)}
            )
            assert status == 200
        wait_until(settled, 30, what="the webhooks normalized")
        time.sleep(0.5)
        text = daemon.metrics()
    finally:
        daemon.stop()
    with runtime.engine.connect() as conn:
        made = conn.execute(select(func.count()).select_from(complaints)).scalar_one()
        by_status = dict(
            conn.execute(
                select(raw_messages.c.status, func.count()).group_by(raw_messages.c.status)
            ).all()
        )
        held = {
            f"{channel}/{account}": n
            for channel, account, n in conn.execute(
                select(raw_messages.c.channel, raw_messages.c.account, func.count())
                .where(raw_messages.c.status == "quarantined")
                .group_by(raw_messages.c.channel, raw_messages.c.account)
            ).all()
        }
        attached = conn.execute(
            select(func.count()).where(complaint_sources.c.role.in_(("followup", "resend")))
        ).scalar_one()
    runtime.close()
    assert made > 20 and by_status.get("quarantined", 0) >= 1

    normalized = _series(text, "aduan_normalized_total")
    assert normalized['{outcome="complaint"}'] == made
    assert normalized.get('{outcome="source"}', 0) == attached
    assert normalized.get('{outcome="ignored"}', 0) == by_status.get("ignored", 0)
    assert normalized['{outcome="quarantined"}'] == by_status["quarantined"]
    assert sum(_series(text, "aduan_triaged_total").values()) == made
    quarantined = _series(text, "aduan_messages_quarantined_total")
    assert {k.split('"')[1]: v for k, v in quarantined.items()} == held
    assert {k.split('"')[1]: v for k, v in _series(text, "aduan_quarantine_raws").items()} == held
    assert _series(text, "aduan_messages_stored_total") == {'{channel="testpush/gw"}': 2.0}
    assert _series(text, "aduan_messages_duplicate_total") == {'{channel="testpush/gw"}': 1.0}
    assert _series(text, "aduan_webhook_requests_total") == {
        '{channel="testpush/gw",status="200"}': 3.0
    }
    assert _series(text, "aduan_webhook_latency_seconds_count") == {'{channel="testpush/gw"}': 3.0}
    assert _series(text, "aduan_queue_pending_raws") == {"": 0.0}
    assert _series(text, "aduan_queue_oldest_pending_seconds") == {"": 0.0}
    assert _series(text, "aduan_store_up") == {"": 1.0}
    assert _series(text, "aduan_spool_records") == {"": 0.0}
    assert _series(text, "aduan_complaints_overdue")[""] >= 0
    assert _series(text, "aduan_channel_up") == {'{channel="testpush/gw"}': 1.0}
    assert _series(text, "aduan_channel_consecutive_failures") == {'{channel="testpush/gw"}': 0.0}
    assert '{channel="testpush/gw"}' in _series(text, "aduan_channel_lag_seconds")
