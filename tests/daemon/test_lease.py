"""Advisory-lock leases on PostgreSQL: one holder per channel, handed over when it goes."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from aduan.core.errors import StoreUnavailable
from aduan.daemon.jobs import PeriodicJob
from aduan.daemon.lease import AdvisoryLeases, LocalLeases, leases_for, libpq_dsn, lock_id
from aduan.daemon.scheduler import Daemon
from aduan.runtime import Runtime
from aduan.runtime.loader import load_settings
from aduan.store import make_engine
from aduan.store.engine import normalize_url
from tests.helpers.daemons import free_port


def test_lock_ids_are_stable_and_distinct() -> None:
    assert lock_id("email/city") == lock_id("email/city")
    assert lock_id("email/city") != lock_id("email/desk")
    assert -(2**63) <= lock_id("sms/kannel") < 2**63
    assert isinstance(leases_for("sqlite:///x.db"), LocalLeases)


def test_one_holder_until_it_closes(pg_database: str) -> None:
    first = AdvisoryLeases(normalize_url(pg_database))
    second = AdvisoryLeases(normalize_url(pg_database))
    try:
        assert first.acquire("testfeed/a")
        assert first.acquire("testfeed/a")  # re-entrant for its holder
        assert not second.acquire("testfeed/a")
        assert second.acquire("testfeed/b")
        assert not first.acquire("testfeed/b")
        first.close()
        assert second.acquire("testfeed/a")
        assert second.held() == {"testfeed/a", "testfeed/b"}
    finally:
        first.close()
        second.close()


def test_lost_connection_loses_the_lease(pg_database: str) -> None:
    first = AdvisoryLeases(normalize_url(pg_database))
    second = AdvisoryLeases(normalize_url(pg_database))
    try:
        assert first.acquire("testfeed/a")
        with psycopg.connect(libpq_dsn(normalize_url(pg_database)), autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'aduan-lease' AND datname = current_database()"
            )
        assert second.acquire("testfeed/a")  # the holder's session died: the lock went with it
        assert not first.acquire("testfeed/a")  # the old holder notices and does not poll
        assert first.held() == set()
    finally:
        first.close()
        second.close()


def test_unreachable_database_is_store_unavailable() -> None:
    url = normalize_url(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none")
    with pytest.raises(StoreUnavailable):
        AdvisoryLeases(url, connect_timeout=2).acquire("testfeed/a")


def test_singleton_job_runs_on_one_replica(
    test_channels_registered: None, pg_database: str, tmp_path: Path
) -> None:
    runs: list[str] = []
    job = PeriodicJob(
        "escalate-test", lambda _rt: 60.0, lambda rt, _stop: runs.append(str(rt)), True
    )
    settings = load_settings(
        env={"ADUAN_DATABASE_URL": pg_database, "ADUAN_DATA_DIR": str(tmp_path)}
    )
    engine = make_engine(pg_database)
    first = Daemon(Runtime(settings, engine), leases=AdvisoryLeases(normalize_url(pg_database)))
    second = Daemon(Runtime(settings, engine), leases=AdvisoryLeases(normalize_url(pg_database)))
    try:
        for _ in range(3):
            first._periodic(job)
            second._periodic(job)
        assert len(runs) == 3  # only the lease holder ran it
        first.leases.close()
        second._periodic(job)
        assert len(runs) == 4
    finally:
        first.leases.close()
        second.leases.close()
        engine.dispose()
