"""The same SMS path with nothing run by hand: a real Kannel and the real ``aduan run``.

The daemon process (web app, scheduler: the normalize job and the outbox job
on their cadences) takes Kannel's webhook, makes the complaint, sends the
acknowledgement through Kannel's ``sendsms`` and records Kannel's delivery
report, by itself; the test only sends the SMS and watches the fake SMSC and
the store.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from aduan.store import open_store
from aduan.store import outbox as ob
from aduan.store.models import complaints
from tests.channels.sms.live import FakeSmsc, kannel, kannel_installed, sending_env
from tests.helpers.daemons import free_port, start_daemon, wait_until
from tests.helpers.databases import skip_or_fail
from tests.outbox.test_end_to_end_sms import texts_to

pytestmark = pytest.mark.integration
KEY = "kannel-daemon-key-52"
CITIZEN = "+6281200077002"


def test_the_daemon_answers_an_sms_by_itself(tmp_path: Path) -> None:
    if not kannel_installed():
        skip_or_fail("Kannel is not installed (apt-get install kannel)")
    port = free_port()
    webhook = f"http://127.0.0.1:{port}/webhooks/sms/kannel"
    with kannel(tmp_path / "kannel", webhook, KEY) as gateway:
        env = sending_env(tmp_path, port, gateway, KEY)
        url = env.pop("ADUAN_DATABASE_URL")
        env.pop("ADUAN_DATA_DIR")
        env.update({"ADUAN_REPLIES__SMS__QUIET_HOURS": "", "ADUAN_OUTBOX__CADENCE_SECONDS": "0.5"})
        daemon = start_daemon(tmp_path, url, env, port=port)
        smsc = FakeSmsc(gateway.smsc_port)
        engine = open_store(url, migrate=False)
        try:
            smsc.send(CITIZEN, "1500", "Pohon tumbang menutup Jl. Ampera Raya dekat halte")
            (text,) = texts_to(smsc, CITIZEN, 1, seconds=30)

            def reference() -> str | None:
                with engine.connect() as conn:
                    return conn.execute(select(complaints.c.reference)).scalar_one_or_none()

            assert wait_until(reference, 10, what="the complaint") in text

            def delivered() -> bool:
                rows = [r for r in ob.list_rows(engine) if r.event == "received"]
                return [r.status for r in rows] == ["delivered"]

            assert wait_until(delivered, 30, what="the delivery report"), ob.list_rows(engine)
        finally:
            engine.dispose()
            smsc.close()
            daemon.stop()
    assert "Traceback" not in daemon.log_text()
