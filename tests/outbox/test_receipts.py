"""Delivery reports move the outbox row they report on, in the normalizer's transaction,
and never become a complaint: Kannel's DLR callback, parsed by the real gateway."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select

from aduan.channels.base import ChannelContext, WebhookRequest
from aduan.channels.sms import SmsChannel
from aduan.channels.sms.base import SmsConfig
from aduan.channels.sms.kannel import message_ref
from aduan.daemon.normalize_job import normalize_pending
from aduan.store import outbox as ob
from aduan.store import save_batch
from aduan.store.models import complaints, raw_messages
from tests.normalize.conftest import replay_normalizer

SECRET = "kannel-url-secret"
POLICY = ob.RetryPolicy()


def sent_row(engine: Engine, complaint_id: int = 7) -> ob.OutboxRow:
    """One message queued on ``sms/kannel`` and sent, with Kannel's reference as its id."""
    with engine.begin() as conn:
        ob.queue(
            conn,
            complaint_id=complaint_id,
            event="received",
            channel="sms/kannel",
            recipient="tel:+6281200012345",
            text="Laporan Anda diterima",
        )
    now = datetime.now(UTC) + timedelta(seconds=1)
    (row,) = ob.claim_due(engine, worker="w", limit=1, now=now, lease=timedelta(minutes=1))
    ob.record_sent(engine, row.id, message_ref(row.key), now)
    return row


def report(engine: Engine, tmp_path: Path, ref: str, kind: int, answer: str = "ACK") -> None:
    """Kannel calls the dlr-url; the raw is stored and the normalizer runs."""
    config = SmsConfig.model_validate({"gateway": "kannel", "url_secret": SECRET})
    channel = SmsChannel("kannel", config, ChannelContext(tmp_path))
    url = (
        f"https://aduan.example.org/webhooks/sms/kannel/dlr?key={SECRET}&ref={ref}"
        f"&type={kind}&smsc=fake&answer={answer}&ts=1772441000"
    )
    request = WebhookRequest("GET", url, "dlr", (), {}, b"")
    channel.verify(request)
    save_batch(engine, channel.parse(request))
    normalize_pending(engine, replay_normalizer(tmp_path / "data"), batch_size=50)


def complaints_made(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(complaints)).scalar_one())


def raw_notes(engine: Engine) -> list[tuple[str, str | None]]:
    with engine.connect() as conn:
        return [
            (r.status, r.error)
            for r in conn.execute(select(raw_messages.c.status, raw_messages.c.error))
        ]


def test_a_delivered_report_marks_the_message_delivered(engine: Engine, tmp_path: Path) -> None:
    row = sent_row(engine)
    report(engine, tmp_path, message_ref(row.key), 8)  # accepted by the SMSC: still sent
    report(engine, tmp_path, message_ref(row.key), 1)  # delivered to the phone
    got = ob.get_row(engine, row.id)
    assert got is not None and got.status == "delivered"
    assert complaints_made(engine) == 0
    assert sorted(raw_notes(engine)) == [
        ("ignored", "delivery report: delivered"),
        ("ignored", "delivery report: sent"),
    ]


def test_a_failed_report_keeps_the_smscs_answer(engine: Engine, tmp_path: Path) -> None:
    row = sent_row(engine)
    report(engine, tmp_path, message_ref(row.key), 16, answer="Absent%20subscriber")
    got = ob.get_row(engine, row.id)
    assert got is not None and got.status == "failed"
    assert "Absent subscriber" in (got.last_error or "")
    assert complaints_made(engine) == 0


def test_a_report_for_no_known_message_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    row = sent_row(engine)
    report(engine, tmp_path, "0" * 32, 1)
    got = ob.get_row(engine, row.id)
    assert got is not None and got.status == "sent"
    assert raw_notes(engine) == [("ignored", "delivery report: delivered (no outbox change)")]
    assert complaints_made(engine) == 0
