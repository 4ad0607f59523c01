"""The whole way of an e-mail and its answers: OpenSMTPD -> Dovecot -> aduan -> OpenSMTPD.

The citizen writes to the city's mailbox over SMTP (a real OpenSMTPD handing
it to Dovecot over LMTP); the email channel polls it over IMAP; the
normalizer makes the complaint and queues its ``received`` message; the
outbox job sends it over SMTP through the same OpenSMTPD; the answer is read
back over IMAP from the citizen's mailbox, in the thread of what they wrote
(``In-Reply-To``/``References``), the complaint's reference in it. A clerk's
status change then reaches the citizen once, in the same thread. One Dovecot
and one OpenSMTPD serve the module.
"""

from __future__ import annotations

import smtplib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

import pytest
from sqlalchemy import select

from aduan.daemon.ingest import poll_channel
from aduan.daemon.normalize_job import normalize_pending, runtime_normalizer
from aduan.daemon.outbox_job import OutboxJob
from aduan.replies.events import change_status
from aduan.runtime import Runtime
from aduan.runtime.loader import load_settings
from aduan.store import outbox as ob
from aduan.store.models import complaints
from tests.channels.email.test_smtp import _flatten, wait_for
from tests.helpers import dovecot as dovecot_helper
from tests.helpers import opensmtpd
from tests.helpers.databases import skip_or_fail

pytestmark = pytest.mark.integration
EARLIER = "<earlier-e2e@example.com>"


@dataclass
class Rig:
    runtime: Runtime
    dovecot: dovecot_helper.Dovecot
    smtp_port: int
    city: str
    job: OutboxJob


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    if not (dovecot_helper.available() and dovecot_helper.lmtp_available()):
        skip_or_fail("dovecot-imapd and dovecot-lmtpd are not installed")
    if not opensmtpd.available():
        skip_or_fail("opensmtpd is not installed (or not root, which smtpd needs)")
    folder = tmp_path_factory.mktemp("email-e2e")
    dovecot = dovecot_helper.Dovecot(lmtp=True).start()
    smtpd = opensmtpd.OpenSmtpd(dovecot).start()
    city = f"pengaduan{uuid.uuid4().hex[:6]}@jaksel.go.id"
    mailbox = {
        "host": "127.0.0.1",
        "port": dovecot.port,
        "tls": "starttls",
        "ca_file": str(dovecot.cert),
        "username": city,
        "password": dovecot_helper.PASSWORD,
        "timeout_seconds": 10,
        "smtp_host": "127.0.0.1",
        "smtp_port": smtpd.port,
        "smtp_security": "none",
        "from_address": f"Pengaduan Jaksel <{city}>",
    }
    settings = load_settings(
        env={
            "ADUAN_DATABASE_URL": f"sqlite:///{folder / 'aduan.db'}",
            "ADUAN_DATA_DIR": str(folder / "data"),
        },
        channels={"email": {"city": mailbox}},
    )
    runtime = Runtime.create(settings, logging=False)
    try:
        yield Rig(runtime, dovecot, smtpd.port, city, OutboxJob())
    finally:
        runtime.close()
        smtpd.cleanup()
        dovecot.cleanup()


def write_in(rig: Rig, citizen: str, message_id: str) -> None:
    mail = EmailMessage()
    mail["From"] = f"Sari Warga <{citizen}>"
    mail["To"] = rig.city
    mail["Subject"] = "Got mampet di Jl. Kemang Raya"
    mail["Date"] = formatdate()
    mail["Message-ID"] = message_id
    mail["References"] = EARLIER
    mail["In-Reply-To"] = EARLIER
    mail.set_content("Got mampet sejak seminggu di Jl. Kemang Raya, air meluap ke jalan.")
    with smtplib.SMTP("127.0.0.1", rig.smtp_port, timeout=10) as smtp:
        smtp.send_message(mail)
    rig.dovecot.deliver(citizen, [mail.as_bytes()])  # the citizen keeps what they sent


def test_an_email_in_is_answered_in_its_thread_then_its_status_changes(rig: Rig) -> None:
    citizen = f"warga{uuid.uuid4().hex[:8]}@example.com"
    original = f"<{uuid.uuid4().hex}@example.com>"
    write_in(rig, citizen, original)
    assert wait_for(rig.dovecot, rig.city, 1)
    engine = rig.runtime.engine
    assert poll_channel(engine, rig.runtime.pull_channels[("email", "city")]).stored == 1
    normalize_pending(engine, runtime_normalizer(rig.runtime))
    with engine.connect() as conn:
        (reference,) = conn.execute(select(complaints.c.reference)).scalars().all()
    (row,) = ob.list_rows(engine)
    assert (row.event, row.channel) == ("received", "email/city")
    assert row.recipient == f"mailto:{citizen}"

    assert rig.job(rig.runtime, lambda: False) == 1
    inbox = wait_for(rig.dovecot, citizen, 2)
    [reply] = [m for m in inbox if m["Message-ID"] != original]
    assert reply["In-Reply-To"] == original
    assert reply["References"].split() == [EARLIER, original]
    assert reply["Subject"] == "Re: Got mampet di Jl. Kemang Raya"
    body = reply.get_body()
    assert body is not None and reference in body.get_content()
    sent = ob.get_row(engine, row.id)
    assert sent is not None and sent.status == "sent"
    assert sent.provider_message_id == reply["Message-ID"]

    change_status(engine, reference, "resolved", actor="petugas", note="Saluran sudah dikuras.")
    assert rig.job(rig.runtime, lambda: False) == 1
    assert rig.job(rig.runtime, lambda: False) == 0
    inbox = wait_for(rig.dovecot, citizen, 3)
    assert len(inbox) == 3  # what they wrote, the acknowledgement, the resolution: once each
    resolved = inbox[-1]
    assert resolved["In-Reply-To"] == original
    text = resolved.get_body()
    assert text is not None and "Saluran sudah dikuras" in text.get_content()

    client = rig.dovecot.client(citizen)
    try:
        client.select_folder("INBOX")
        threads = client.thread(algorithm="REFERENCES")
    finally:
        client.logout()
    assert [len(_flatten(t)) for t in threads] == [3]  # one thread
