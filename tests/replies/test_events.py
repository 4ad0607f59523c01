"""Events become outbox rows in the same transaction, once, to the first contact only.

Each test runs on SQLite and PostgreSQL; the outbox is read only through its
documented columns (key, complaint_id, event, channel, recipient, text, subject,
in_reply_to, status).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, select

from aduan.channels.base import ChannelContext
from aduan.channels.walkin import Reporter, WalkinChannel, WalkinConfig, WalkinEntry
from aduan.config.triage import EscalationSettings
from aduan.core.clock import utcnow
from aduan.daemon.normalize_job import normalize_now
from aduan.normalize.replay import Slice, replay
from aduan.replies import Setup
from aduan.replies.events import Created, change_status, on_created
from aduan.replies.history import sent
from aduan.store import outbox as ob
from aduan.store.keys import nik_hash_key
from aduan.store.models import complaints, raw_messages
from aduan.store.references import check_key, tracking_id
from aduan.triage.apply import set_manual
from aduan.triage.escalate import escalate
from tests.normalize.conftest import replay_normalizer
from tests.replies.conftest import Run, outbox_rows, raw, recent

PHONE = "tel:+628111272206"
LAMP = "Lampu jalan di Jl. Kemang Raya mati sejak kemarin malam, gelap sekali."
HOLE = "Ada lubang besar di Jl. Kahfi I depan minimarket, bahaya untuk motor."


def _complaint(engine: Engine, external_id: str) -> tuple[int, str]:
    with engine.connect() as conn:
        row = conn.execute(
            select(complaints.c.id, complaints.c.reference)
            .join(raw_messages, raw_messages.c.complaint_id == complaints.c.id)
            .where(raw_messages.c.external_id == external_id)
        ).one()
    return int(row.id), str(row.reference)


def test_a_new_complaint_is_acknowledged_once_whatever_is_replayed(
    engine: Engine, normalize: Run
) -> None:
    message = raw("sms-1", LAMP, PHONE)
    normalize(message)
    cid, reference = _complaint(engine, "sms-1")
    [row] = outbox_rows(engine)
    tracking = tracking_id(check_key(nik_hash_key(engine)), reference)
    assert (row.complaint_id, row.event, row.channel, row.recipient, row.status) == (
        cid,
        "received",
        "sms/main",
        PHONE,
        "queued",
    )
    assert reference in row.text and f"https://aduan.example.go.id/track/{tracking}" in row.text
    assert row.subject is None and row.in_reply_to is None
    normalize(message)  # the gateway retries: transport dedup
    with engine.connect() as conn:
        raw_id = conn.execute(
            select(raw_messages.c.id).where(raw_messages.c.external_id == "sms-1")
        ).scalar_one()
    normalize_now(engine, replay_normalizer(), [raw_id])  # normalized again by hand
    replay(engine, replay_normalizer(), Slice())  # an operator's replay, fresh window
    with engine.begin() as conn:  # and the hook itself, called twice
        complaint = dict(
            conn.execute(select(complaints).where(complaints.c.id == cid)).one()._mapping
        )
        assert on_created(conn, [Created(complaint, "sms", "main", _message(LAMP))]) == 0
    assert len(outbox_rows(engine)) == 1


def _message(text: str) -> object:
    from aduan.core.messages import Message

    return Message(text=text, identities=(PHONE,))


def test_a_backlog_complaint_is_not_acknowledged(engine: Engine, normalize: Run) -> None:
    normalize(raw("old-1", LAMP, PHONE, at=utcnow() - timedelta(days=30)))
    assert outbox_rows(engine) == []


def test_an_email_is_answered_in_its_thread(engine: Engine, normalize: Run) -> None:
    normalize(
        raw(
            "<m1@warga.example>",
            HOLE,
            "mailto:warga@example.com",
            channel="email",
            account="pengaduan",
            subject="Jalan berlubang",
            ref="<m1@warga.example>",
            refs=("<m0@warga.example>",),
        )
    )
    [row] = outbox_rows(engine)
    assert (row.channel, row.recipient) == ("email/pengaduan", "mailto:warga@example.com")
    assert row.subject == "Re: Jalan berlubang"
    assert row.in_reply_to == "<m1@warga.example>"
    assert "Kode pantau:" in row.text  # the e-mail's own template
    _, reference = _complaint(engine, "<m1@warga.example>")
    change_status(engine, reference, "in_progress", actor="sari")
    assert [r.in_reply_to for r in outbox_rows(engine)] == ["<m1@warga.example>"] * 2


def test_a_status_change_tells_the_first_contact_once(engine: Engine, normalize: Run) -> None:
    normalize(
        raw("sms-1", LAMP, PHONE),
        raw("sms-2", LAMP, PHONE, minutes=5),  # a resend: the same complaint
        raw(
            "tg-1", LAMP, "telegram:777", channel="telegram", minutes=8, linked_identities=(PHONE,)
        ),
    )
    cid, reference = _complaint(engine, "sms-1")
    with engine.connect() as conn:
        assert (
            conn.execute(select(complaints.c.source_count).where(complaints.c.id == cid)).scalar()
            == 3
        )
    before = len(outbox_rows(engine, cid))
    change = change_status(engine, reference, "in_progress", actor="sari")
    rows = outbox_rows(engine, cid)[before:]
    assert [(r.event, r.channel, r.recipient) for r in rows] == [
        (f"status:{change.event_id}", "sms/main", PHONE)
    ]
    assert "sedang ditangani" in rows[0].text
    change_status(engine, reference, "resolved", actor="sari", note="Lampu sudah diganti")
    change_status(engine, reference, "closed", actor="sari")  # closing is silent
    change_status(engine, reference, "reopen", actor="sari")
    events = [r.text.split(".")[0] for r in outbox_rows(engine, cid)[before:]]
    assert len(events) == 3
    assert "Catatan: Lampu sudah diganti" in outbox_rows(engine, cid)[before + 1].text


def test_a_rejection_names_the_other_agency(engine: Engine, normalize: Run) -> None:
    normalize(raw("sms-1", LAMP, PHONE))
    cid, reference = _complaint(engine, "sms-1")
    change_status(engine, reference, "rejected", actor="sari", agency="PLN", note="Kabel PLN")
    assert "diteruskan ke PLN" in outbox_rows(engine, cid)[-1].text


def test_stop_stops_every_message_and_mulai_starts_them_again(
    engine: Engine, normalize: Run
) -> None:
    normalize(raw("sms-1", LAMP, PHONE))
    _, reference = _complaint(engine, "sms-1")
    stats = normalize(raw("sms-stop", " berhenti ", PHONE, minutes=1))
    assert stats.created == 0 and stats.attached == 0 and stats.ignored == 1
    with engine.connect() as conn:
        stop = conn.execute(
            select(raw_messages.c.status, raw_messages.c.error, raw_messages.c.complaint_id).where(
                raw_messages.c.external_id == "sms-stop"
            )
        ).one()
    assert (stop.status, stop.error, stop.complaint_id) == ("ignored", "opt-out: BERHENTI", None)
    before = len(outbox_rows(engine))
    change_status(engine, reference, "in_progress", actor="sari")
    normalize(raw("sms-3", HOLE, PHONE, minutes=2))  # a new complaint: no acknowledgement
    assert len(outbox_rows(engine)) == before
    normalize(raw("sms-start", "MULAI", PHONE, minutes=3))
    replay(engine, replay_normalizer(), Slice())  # a replay does not say STOP again
    change_status(engine, reference, "resolved", actor="sari", note="Sudah diperbaiki")
    rows = outbox_rows(engine)
    assert len(rows) == before + 1 and "selesai" in rows[-1].text


def test_stop_words_are_per_channel(
    engine: Engine, normalize: Run, configure: Callable[..., Setup]
) -> None:
    configure(stop_words={"sms": ["STOP"], "*": []})
    stats = normalize(
        raw("sms-stop", "BERHENTI", PHONE),  # not a stop word on SMS any more: a complaint
        raw("tg-stop", "STOP", "telegram:9", channel="telegram"),  # none on telegram
    )
    assert stats.created == 2


def _walkin(tmp_path: Path, entry_id: str, contact: str | None, n: int) -> object:
    channel = WalkinChannel("loket", WalkinConfig(), ChannelContext(tmp_path))
    entry = WalkinEntry(
        entry_id=entry_id,
        entered_at=recent(n),
        reporter=Reporter(name=f"Warga {n}", phone=f"0812-0001-234{n}", email=f"w{n}@example.com"),
        text=(LAMP, HOLE, "Sampah menumpuk di pasar Mampang sudah seminggu, bau sekali.")[n],
        consent=True,
        contact=contact,  # type: ignore[arg-type]
    )
    return channel.raw(entry)


def test_walk_in_reporters_hear_only_through_the_contact_they_chose(
    engine: Engine, normalize: Run, tmp_path: Path
) -> None:
    normalize(_walkin(tmp_path, "w-none", None, 0))  # type: ignore[arg-type]
    _, silent = _complaint(engine, "w-none")
    change_status(engine, silent, "in_progress", actor="sari")
    assert outbox_rows(engine) == []
    normalize(_walkin(tmp_path, "w-mail", "email", 1))  # type: ignore[arg-type]
    normalize(_walkin(tmp_path, "w-sms", "phone", 2))  # type: ignore[arg-type]
    rows = outbox_rows(engine)
    assert sorted((r.channel, r.recipient) for r in rows) == [
        ("email", "mailto:w1@example.com"),
        ("sms", "tel:+6281200012342"),
    ]
    assert rows[0].subject.startswith("Aduan ADU-")  # no citizen's subject to answer


def test_channels_and_events_switch_off(
    engine: Engine, normalize: Run, configure: Callable[..., Setup]
) -> None:
    configure(channels={"sms": False}, events={"in_progress": False})
    normalize(raw("sms-1", LAMP, PHONE), raw("tg-1", HOLE, "telegram:5", channel="telegram"))
    assert [r.channel for r in outbox_rows(engine)] == ["telegram/main"]
    _, reference = _complaint(engine, "tg-1")
    change_status(engine, reference, "in_progress", actor="sari")
    assert len(outbox_rows(engine)) == 1
    configure(channels={"sms/main": True, "sms": False})  # an instance over its type
    _, sms = _complaint(engine, "sms-1")
    change_status(engine, sms, "in_progress", actor="sari")
    change_status(engine, sms, "resolved", actor="sari", note="Beres")
    channels = [r.channel for r in outbox_rows(engine)]
    assert channels == ["telegram/main", "sms/main", "sms/main"]


def test_an_agency_set_by_a_human_is_told_once(engine: Engine, normalize: Run) -> None:
    normalize(raw("sms-1", LAMP, PHONE))
    cid, reference = _complaint(engine, "sms-1")
    set_manual(engine, reference, category="waste", actor="desk:sari")
    set_manual(engine, reference, category="waste", actor="desk:sari")  # nothing changed
    set_manual(engine, reference, category="street_lighting", actor="desk:sari")
    set_manual(engine, reference, category="waste", actor="desk:sari")  # back: told already
    triaged = [r for r in outbox_rows(engine, cid) if r.event.startswith("triaged:")]
    assert [r.event for r in triaged] == ["triaged:sudin-lh", "triaged:sudin-bina-marga"]
    assert "diteruskan ke sudin-lh" in triaged[0].text  # the test's labels know no sudin-lh


def test_the_overdue_apology_is_off_by_default(
    engine: Engine, normalize: Run, configure: Callable[..., Setup]
) -> None:
    normalize(raw("sms-1", LAMP, PHONE))
    cid, _ = _complaint(engine, "sms-1")
    later = utcnow() + timedelta(days=30)
    escalate(engine, EscalationSettings(), now=later)
    assert [r.event for r in outbox_rows(engine, cid)] == ["received"]
    configure(events={"overdue_apology": True})
    normalize(raw("sms-2", HOLE, "tel:+628129999000", minutes=1))
    other, _ = _complaint(engine, "sms-2")
    escalate(engine, EscalationSettings(), now=later)
    escalate(engine, EscalationSettings(), now=later + timedelta(hours=1))
    assert [r.event for r in outbox_rows(engine, other)] == ["received", "overdue"]
    assert "Mohon maaf" in outbox_rows(engine, other)[-1].text


def test_no_other_persons_data_reaches_a_message(engine: Engine, normalize: Run) -> None:
    budi = "Saya Budi Santoso, 0812-3456-7890. " + LAMP
    siti = "Nama: Siti Aminah, NIK 3174051203850001. " + HOLE
    normalize(
        raw("a", budi, "tel:+6281234567890", display_name="Budi Santoso"),
        raw("b", siti, "mailto:siti@example.com", channel="email", display_name="Siti Aminah"),
    )
    for external_id in ("a", "b"):
        _, reference = _complaint(engine, external_id)
        change_status(
            engine,
            reference,
            "resolved",
            actor="sari",
            note="Sudah dicek petugas lapangan (0813-9999-8888, joko@example.com).",
        )
    rows = outbox_rows(engine)
    assert len(rows) == 4
    for row in rows:
        for secret in (
            "Budi",
            "Siti",
            "3456",
            "3174051203850001",
            "siti@",
            "Joko",
            "9999-8888",
            "joko@",
            "Kemang",
            "Kahfi",
            "Lampu",
            "lubang",
        ):
            assert secret not in row.text, (row.event, secret)
    with engine.connect() as conn:
        shown = sent(conn, rows[0].complaint_id)
    assert shown[0]["recipient"] == "tel:…7890" and shown[0]["event"] == "received"
    assert "Catatan: Sudah dicek petugas lapangan <phone>, <email>).\nPantau:" in rows[-1].text


def test_rows_carry_when_the_citizen_last_wrote(engine: Engine, normalize: Run) -> None:
    normalize(raw("sms-w", LAMP, PHONE))
    complaint_id, reference = _complaint(engine, "sms-w")
    change_status(engine, reference, "in_progress", actor="sari")
    with engine.connect() as conn:
        received_at = conn.execute(
            select(complaints.c.received_at).where(complaints.c.id == complaint_id)
        ).scalar_one()
    windows = [(row.event, row.last_inbound_at) for row in ob.list_rows(engine)]
    assert sorted(event.split(":")[0] for event, _ in windows) == ["received", "status"]
    assert all(at is not None and abs((at - received_at).total_seconds()) < 1 for _, at in windows)


def test_a_telegram_answer_names_the_citizens_message(engine: Engine, normalize: Run) -> None:
    normalize(raw("tg-1", HOLE, "telegram:777", channel="telegram", ref="777:42"))
    [row] = outbox_rows(engine)
    assert (row.channel, row.recipient, row.in_reply_to) == (
        "telegram/main",
        "telegram:777",
        "777:42",
    )
