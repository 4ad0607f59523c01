"""Fault tests on real daemon processes: kill -9, replicas, a database outage, bad providers.

Each test starts ``aduan run`` as a subprocess (the real CLI, with the HTTP
feed channel of :mod:`tests.helpers.feed` registered) against a fake
provider on 127.0.0.1, and checks the store directly: every message present
exactly once: in the raw archive, and (kill -9 mid-normalize) in the
complaints each raw feeds. Replicas claiming normalize work with
``FOR UPDATE SKIP LOCKED`` are also tested on the normalizer's own workers.
"""

from __future__ import annotations

import itertools
import json
import signal
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from aduan.store import make_engine, open_store
from aduan.store.engine import normalize_url
from aduan.store.models import raw_messages
from tests.helpers.channels import sign
from tests.helpers.daemons import DaemonProcess, start_daemon, wait_until
from tests.helpers.databases import reset_schema
from tests.helpers.feed import FeedServer
from tests.helpers.tcpproxy import TcpProxy

pytestmark = [pytest.mark.slow, pytest.mark.integration, pytest.mark.timing]
SECRET = "webhook-secret"


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


@pytest.fixture
def pg_url(pg_database: str) -> str:
    reset_schema(pg_database)
    open_store(pg_database).dispose()  # migrate once, before any replica starts
    return pg_database


def feed_env(server: FeedServer, name: str, cadence: float, **extra: object) -> dict[str, str]:
    prefix = f"ADUAN_CHANNELS__TESTFEED__{name.upper()}__"
    env = {prefix + "URL": server.url(name), prefix + "CADENCE_SECONDS": str(cadence)}
    env.update({prefix + key.upper(): str(value) for key, value in extra.items()})
    return env


def stored(engine: Engine, channel: str = "testfeed") -> tuple[int, set[str]]:
    """(rows, distinct external ids) of ``channel`` in the store."""
    with engine.connect() as conn:
        ids = list(
            conn.execute(
                select(raw_messages.c.external_id).where(raw_messages.c.channel == channel)
            ).scalars()
        )
    return len(ids), set(ids)


def stopped(*daemons: DaemonProcess) -> None:
    for daemon in daemons:
        daemon.stop()


def test_kill_9_mid_poll_then_restart_stores_everything_once(
    feeds: FeedServer, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'aduan.db'}"
    ids = feeds.add("a", 300)
    feeds.set("a", delay=0.03)  # 30 pages of 10: one poll takes about a second
    env = feed_env(feeds, "a", 1.0, batch_size=10)
    reader = make_engine(url, read_only=True)  # a writer engine would queue for the lock
    daemon = start_daemon(tmp_path / "d1", url, env)
    try:
        wait_until(lambda: stored(reader)[0] >= 50, 30, 0.01, "the first pages")
        daemon.kill9()
        rows_at_kill, _ = stored(reader)
        assert rows_at_kill < 300, "the kill was meant to land mid-poll"
        feeds.set("a", delay=0.0)
        daemon = start_daemon(tmp_path / "d2", url, env)
        wait_until(lambda: stored(reader)[0] >= 300, 30, what="all 300 messages")
        time.sleep(1.5)  # another poll or two: nothing more may appear
        rows, distinct = stored(reader)
        assert rows == 300 and distinct == {str(i) for i in ids}
    finally:
        stopped(daemon)
        reader.dispose()


def test_two_replicas_one_poller_and_takeover_after_kill(
    feeds: FeedServer, pg_url: str, tmp_path: Path
) -> None:
    cadence = 1.0
    env = feed_env(feeds, "shared", cadence, batch_size=20)
    reader = make_engine(pg_url)
    first = start_daemon(tmp_path / "r1", pg_url, env)
    second = start_daemon(tmp_path / "r2", pg_url, env)
    try:
        feeds.add("shared", 100)
        wait_until(lambda: stored(reader)[0] >= 100, 30, what="the first 100")
        for _ in range(4):  # a steady stream while both replicas run
            feeds.add("shared", 10)
            time.sleep(0.5)
        wait_until(lambda: stored(reader)[0] >= 140, 30, what="140 messages")
        pollers = {replica for _, replica, _ in feeds.requests("shared")}
        assert len(pollers) == 1, f"both replicas polled one channel: {pollers}"
        holder, standby = (first, second) if str(first.pid) in pollers else (second, first)
        states = {
            holder.health()["channels"]["testfeed/shared"]["state"],
            standby.health()["channels"]["testfeed/shared"]["state"],
        }
        assert states == {"ok", "standby"}

        holder.kill9()
        killed_at = time.monotonic()
        feeds.add("shared", 60)
        wait_until(
            lambda: any(
                r == str(standby.pid) and t >= killed_at for t, r, _ in feeds.requests("shared")
            ),
            10,
            0.05,
            "the standby replica to take over",
        )
        took_over = min(
            t for t, r, _ in feeds.requests("shared") if r == str(standby.pid) and t >= killed_at
        )
        assert took_over - killed_at < cadence + 2.0  # within one cadence (+ jitter and start)
        wait_until(lambda: stored(reader)[0] >= 200, 30, what="all 200 messages")
        time.sleep(1.5)
        rows, distinct = stored(reader)
        assert rows == 200 and len(distinct) == 200
        assert standby.health()["channels"]["testfeed/shared"]["state"] == "ok"
    finally:
        stopped(first, second)
        reader.dispose()


def test_database_outage_webhooks_spooled_then_drained_exactly_once(
    pg_url: str, tmp_path: Path
) -> None:
    parsed = normalize_url(pg_url)
    # PostgreSQL over TCP on 127.0.0.1 (the fixture's URL may use the unix socket).
    target = (parsed.host or "127.0.0.1", parsed.port or 5432)
    proxy = TcpProxy(*target)
    query = {k: v for k, v in parsed.query.items() if k != "host"}
    through_proxy = parsed.set(host="127.0.0.1", port=proxy.port, query=query).render_as_string(
        hide_password=False
    )
    env = {"ADUAN_CHANNELS__TESTPUSH__GW__SECRET": SECRET}
    daemon = start_daemon(tmp_path / "d", through_proxy, env)
    reader = make_engine(pg_url)
    statuses: list[int] = []
    sent: list[str] = []
    stop = threading.Event()

    def send() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            body = json.dumps({"id": f"w{n}", "text": f"Sampah belum diangkut #{n}"}).encode()
            status = daemon.post(
                "/webhooks/testpush/gw",
                body,
                {"x-signature": sign(SECRET, body), "content-type": "application/json"},
            )
            statuses.append(status)
            sent.append(f"w{n}")
            time.sleep(0.02)

    sender = threading.Thread(target=send, daemon=True)
    try:
        sender.start()
        wait_until(lambda: len(statuses) >= 20, 20, what="requests before the outage")
        proxy.cut()
        cut_at = len(statuses)
        time.sleep(30)  # the outage the issue names: PostgreSQL gone for 30 s
        during = daemon.health()
        assert during["status"] == "degraded"
        assert during["spool"]["records"] > 0
        assert len(statuses) - cut_at >= 50, "webhooks kept being answered during the outage"
        proxy.restore()
        time.sleep(3)
        stop.set()
        sender.join(timeout=40)
        assert set(statuses) == {200}, f"not every request got 2xx: {set(statuses)}"
        wait_until(lambda: stored(reader, "testpush")[0] >= len(sent), 30, what="the drain")
        time.sleep(2.5)  # one more drain round: nothing may double
        rows, distinct = stored(reader, "testpush")
        assert rows == len(sent) and distinct == set(sent)
        assert wait_until(lambda: daemon.health()["spool"]["records"] == 0, 10, what="empty spool")
        assert "aduan_spool_records_drained_total" in daemon.metrics()
    finally:
        stop.set()
        stopped(daemon)
        proxy.cut()
        reader.dispose()


def test_bad_providers_back_off_others_stay_on_cadence_and_recover(
    feeds: FeedServer, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'aduan.db'}"
    cadence = 1.0
    env = {
        **feed_env(feeds, "bad", cadence, timeout_seconds=1.0),
        **feed_env(feeds, "good", cadence),
    }
    reader = make_engine(url, read_only=True)  # a writer engine would queue for the lock
    daemon = start_daemon(tmp_path / "d", url, env)
    try:

        def bad_state() -> dict[str, object]:
            return dict(daemon.health()["channels"]["testfeed/bad"])

        feeds.set("bad", mode="500")
        wait_until(lambda: bad_state()["state"] == "backoff", 10, what="backoff on 500")
        feeds.set("bad", mode="429", retry_after=4.0)
        began = time.monotonic()
        wait_until(lambda: "429" in str(bad_state()["last_error"]), 15, what="the 429 to be seen")
        state = bad_state()
        waited = datetime.fromisoformat(str(state["retry_at"])) - datetime.fromisoformat(
            str(state["last_error_at"])
        )
        assert waited.total_seconds() >= 4.0  # the provider's Retry-After, at least
        first_429 = min(t for t, _, _ in feeds.requests("bad") if t >= began)
        time.sleep(max(0.0, first_429 + 3.8 - time.monotonic()))
        early = [t for t, _, _ in feeds.requests("bad") if first_429 < t < first_429 + 3.8]
        assert early == [], "polled again before Retry-After"
        feeds.set("bad", mode="hang")
        time.sleep(6)
        good_polls = [t for t, _, _ in feeds.requests("good") if t >= began]
        gaps = [b - a for a, b in itertools.pairwise(good_polls)]
        assert len(good_polls) >= 8 and max(gaps) < cadence + 1.0, gaps
        feeds.add("good", 5)
        feeds.set("bad", mode="ok")
        feeds.add("bad", 5)
        wait_until(lambda: stored(reader)[0] >= 10, 40, what="the bad feed to recover")
        wait_until(lambda: bad_state()["state"] == "ok", 40, what="bad feed ok again")
        assert bad_state()["consecutive_failures"] == 0
        text = daemon.metrics()
        assert 'aduan_poll_failures_total{channel="testfeed/bad",kind="transient"}' in text
    finally:
        stopped(daemon)
        reader.dispose()


def test_sigterm_with_a_hanging_provider_exits_within_10_s(
    feeds: FeedServer, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'aduan.db'}"
    feeds.add("slow", 5)
    feeds.set("slow", mode="hang")
    env = feed_env(feeds, "slow", 1.0, timeout_seconds=60)
    daemon = start_daemon(tmp_path / "d", url, env)
    wait_until(lambda: feeds.requests("slow"), 10, what="the hanging poll")
    daemon.signal(signal.SIGTERM)
    began = time.monotonic()
    daemon.proc.wait(timeout=15)
    assert time.monotonic() - began < 10
    assert daemon.proc.returncode == 0
    log = daemon.log_text()
    assert "Traceback" not in log and "shutdown_abandoning_in_flight" in log
    feeds.set("slow", mode="ok")
    again = start_daemon(tmp_path / "d2", url, env)
    reader = make_engine(url, read_only=True)  # a writer engine would queue for the lock
    try:
        wait_until(lambda: stored(reader)[0] >= 5, 20, what="the abandoned batch, fetched again")
        assert stored(reader)[0] == 5
    finally:
        stopped(again)
        reader.dispose()


def test_kill_9_with_a_full_spool_then_restart_drains_it(pg_url: str, tmp_path: Path) -> None:
    parsed = normalize_url(pg_url)
    proxy = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
    query = {k: v for k, v in parsed.query.items() if k != "host"}
    through_proxy = parsed.set(host="127.0.0.1", port=proxy.port, query=query).render_as_string(
        hide_password=False
    )
    env = {"ADUAN_CHANNELS__TESTPUSH__GW__SECRET": SECRET}
    reader = make_engine(pg_url)
    daemon = start_daemon(tmp_path / "d", through_proxy, env)
    try:
        proxy.cut()
        sent = []
        for n in range(30):
            body = json.dumps({"id": f"k{n}", "text": f"Parit meluap #{n}"}).encode()
            status = daemon.post("/webhooks/testpush/gw", body, {"x-signature": sign(SECRET, body)})
            assert status == 200
            sent.append(f"k{n}")
        assert daemon.health()["spool"]["records"] == 30
        daemon.kill9()  # the spool is all there is of these 30 messages now
        assert stored(reader, "testpush")[0] == 0
        proxy.restore()
        daemon = start_daemon(tmp_path / "d", through_proxy, env)  # same data_dir
        wait_until(lambda: stored(reader, "testpush")[0] >= 30, 30, what="the drain")
        time.sleep(2.5)
        rows, distinct = stored(reader, "testpush")
        assert rows == 30 and distinct == set(sent)
    finally:
        stopped(daemon)
        proxy.cut()
        reader.dispose()


def normalize_state(engine: Engine) -> tuple[int, int, int]:
    """(pending raws, normalized raws without a complaint source, complaints)."""
    with engine.connect() as conn:
        pending = conn.execute(
            text("SELECT count(*) FROM raw_messages WHERE status = 'pending'")
        ).scalar_one()
        orphans = conn.execute(
            text(
                "SELECT count(*) FROM raw_messages r LEFT JOIN complaint_sources s"
                " ON s.raw_message_id = r.id WHERE r.status = 'normalized' AND s.id IS NULL"
            )
        ).scalar_one()
        complaints = conn.execute(text("SELECT count(*) FROM complaints")).scalar_one()
    return int(pending), int(orphans), int(complaints)


def test_kill_9_mid_normalize_then_restart_normalizes_everything_once(
    feeds: FeedServer, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'aduan.db'}"
    total = 4000
    env = {
        **feed_env(feeds, "a", 0.5, batch_size=1000),
        "ADUAN_SCHEDULER__NORMALIZE_SECONDS": "0.2",
        "ADUAN_NORMALIZE__BATCH_SIZE": "100",
    }
    reader = make_engine(url, read_only=True)  # a writer engine would queue for the lock
    daemon = start_daemon(tmp_path / "d1", url, env)
    try:
        # Published at once (one poll sees all or none), and only once the daemon answers,
        # so that the kill lands while the normalizer is working through them.
        feeds.add("a", total, text="Saluran air tersumbat di gang Mawar RT 03")

        def working() -> bool:
            pending, _, made = normalize_state(reader)
            return made >= 100 and pending > 0

        wait_until(working, 60, 0.01, "the normalizer halfway")
        daemon.kill9()
        pending_at_kill, _, _ = normalize_state(reader)
        assert pending_at_kill > 0, "the kill was meant to land mid-normalize"
        daemon = start_daemon(tmp_path / "d2", url, env)

        # The kill may also land between two pages of a poll: the rest comes with the
        # new daemon's first poll, which its normalizer can finish waiting for.
        def settled() -> bool:
            return stored(reader)[0] == total and normalize_state(reader)[0] == 0

        wait_until(settled, 120, what="every message stored and none pending")
        time.sleep(1.0)
        pending, orphans, _ = normalize_state(reader)
        rows, distinct = stored(reader)
        assert (pending, orphans) == (0, 0)
        assert rows == total and len(distinct) == total
        with reader.connect() as conn:
            sources = conn.execute(text("SELECT count(*) FROM complaint_sources")).scalar_one()
            done = conn.execute(
                text("SELECT count(*) FROM raw_messages WHERE status = 'normalized'")
            ).scalar_one()
        assert sources == done  # each normalized raw feeds exactly one complaint
    finally:
        stopped(daemon)
        reader.dispose()
