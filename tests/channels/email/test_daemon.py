"""A mailbox with a wrong password is paused with a clear error; the other mailbox keeps going."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import func, select
from starlette.testclient import TestClient

from aduan.daemon.app import create_app
from aduan.daemon.scheduler import Daemon
from aduan.runtime import Runtime
from aduan.runtime.loader import load_settings
from aduan.store.models import raw_messages
from tests.channels.email.conftest import complaint
from tests.helpers.dovecot import PASSWORD, Dovecot


def mailbox_env(name: str, server: Dovecot, user: str, password: str) -> dict[str, str]:
    prefix = f"ADUAN_CHANNELS__EMAIL__{name.upper()}__"
    return {
        prefix + "HOST": "127.0.0.1",
        prefix + "PORT": str(server.port),
        prefix + "TLS": "starttls",
        prefix + "CA_FILE": str(server.cert),
        prefix + "USERNAME": user,
        prefix + "PASSWORD": password,
    }


def test_wrong_password_pauses_that_mailbox_only(
    dovecot: Dovecot, own_dovecot: Dovecot, tmp_path: Path
) -> None:
    good = dovecot.new_user()
    dovecot.deliver(good, [complaint(1), complaint(2)])
    env = {
        "ADUAN_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}",
        **mailbox_env("city", dovecot, good, PASSWORD),
        **mailbox_env("rusak", own_dovecot, "warga", "kata-sandi-salah"),
    }
    runtime = Runtime.create(load_settings(env=env), logging=False)
    daemon = Daemon(runtime)
    daemon.start()
    try:
        deadline = time.monotonic() + 15
        while daemon.health.get("email/rusak").state != "paused":
            assert time.monotonic() < deadline, "the failing mailbox was never paused"
            time.sleep(0.05)
        while daemon.health.get("email/city").last_success is None:
            assert time.monotonic() < deadline, "the good mailbox stopped too"
            time.sleep(0.05)
        with runtime.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(raw_messages)).scalar_one() == 2
        body = TestClient(create_app(runtime, daemon.health)).get("/healthz").json()
        rusak = body["channels"]["email/rusak"]
        assert rusak["state"] == "paused"
        assert "login refused (check username and password)" in rusak["last_error"]
        assert "kata-sandi-salah" not in str(body)
        assert body["channels"]["email/city"]["state"] == "ok"
    finally:
        assert daemon.stop(10)
        runtime.close()
