"""IMAP IDLE: new mail is noticed within seconds, a killed server does not spin the CPU."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from aduan.channels.email.idle import IdleWatcher
from aduan.daemon.scheduler import Daemon
from aduan.runtime import Runtime
from aduan.runtime.loader import load_settings
from aduan.store.models import raw_messages
from tests.channels.email.conftest import complaint, email_config
from tests.helpers.dovecot import PASSWORD, Dovecot

pytestmark = pytest.mark.timing  # make test runs it after the rest, with no other worker


class Calls:
    def __init__(self) -> None:
        self.count = 0
        self.event = threading.Event()

    def __call__(self) -> None:
        self.count += 1
        self.event.set()

    def wait(self, timeout: float) -> bool:
        happened = self.event.wait(timeout)
        self.event.clear()
        return happened


def test_idle_wakes_within_seconds(dovecot: Dovecot, user: str) -> None:
    dovecot.deliver(user, [complaint(0)])  # makes the mailbox
    calls = Calls()
    watcher = IdleWatcher(email_config(dovecot, user), "email/city", calls, tick=1.0)
    watcher.start()
    try:
        assert calls.wait(10), "no call after connecting"
        time.sleep(0.3)
        began = time.monotonic()
        dovecot.deliver(user, [complaint(1)])
        assert calls.wait(10), "new mail was not noticed"
        assert time.monotonic() - began < 5
    finally:
        watcher.stop()
    assert not any(t.is_alive() for t in watcher.threads)


def test_killed_server_during_idle_does_not_spin_and_reconnects(own_dovecot: Dovecot) -> None:
    user = own_dovecot.new_user()
    own_dovecot.deliver(user, [complaint(0)])
    calls = Calls()
    watcher = IdleWatcher(email_config(own_dovecot, user), "email/city", calls, tick=1.0)
    watcher.start()
    try:
        assert calls.wait(10) and watcher.connections == 1
        time.sleep(0.5)  # in IDLE now
        own_dovecot.kill()
        cpu_before, wall_before = time.process_time(), time.monotonic()
        time.sleep(3)
        cpu = time.process_time() - cpu_before
        wall = time.monotonic() - wall_before
        assert cpu < 0.15 * wall, f"the IDLE loop spun: {cpu:.2f} s of CPU in {wall:.1f} s"
        own_dovecot.run()
        deadline = time.monotonic() + 20
        while watcher.connections < 2:
            assert time.monotonic() < deadline, "the watcher never reconnected"
            time.sleep(0.1)
        own_dovecot.deliver(user, [complaint(1)])
        assert calls.wait(10), "mail after the reconnect was not noticed"
    finally:
        watcher.stop()


def test_daemon_polls_at_once_when_idle_announces_mail(
    dovecot: Dovecot, user: str, tmp_path: Path
) -> None:
    dovecot.deliver(user, [complaint(0)])
    prefix = "ADUAN_CHANNELS__EMAIL__CITY__"
    settings = load_settings(
        env={
            "ADUAN_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}",
            prefix + "HOST": "127.0.0.1",
            prefix + "PORT": str(dovecot.port),
            prefix + "TLS": "starttls",
            prefix + "CA_FILE": str(dovecot.cert),
            prefix + "USERNAME": user,
            prefix + "PASSWORD": PASSWORD,
            prefix + "IDLE": "true",
            prefix + "CADENCE_SECONDS": "3600",
        }
    )
    runtime = Runtime.create(settings, logging=False)
    daemon = Daemon(runtime)

    def rows() -> int:
        with runtime.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(raw_messages)).scalar_one())

    daemon.start()
    try:
        deadline = time.monotonic() + 10
        while rows() < 1:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        time.sleep(1.0)
        began = time.monotonic()
        dovecot.deliver(user, [complaint(1)])
        while rows() < 2:
            assert time.monotonic() - began < 10, "IDLE did not trigger a poll"
            time.sleep(0.1)
        assert time.monotonic() - began < 6
    finally:
        assert daemon.stop(10)
        runtime.close()
