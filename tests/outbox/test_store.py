"""The outbox's store on SQLite and PostgreSQL: one row per key, leases, backoff, opt-out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select

from aduan.store import outbox as ob
from aduan.store.models import outbox

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)
POLICY = ob.RetryPolicy(max_attempts=3, backoff_base_seconds=10, backoff_max_seconds=25)
PHONE = "tel:+6281200012345"


def put(engine: Engine, complaint_id: int = 1, event: str = "received", **extra: object) -> bool:
    values: dict[str, object] = {
        "complaint_id": complaint_id,
        "event": event,
        "channel": "sms/kannel",
        "recipient": PHONE,
        "text": "Laporan Anda diterima: ADU-2026-00001",
        **extra,
    }
    with engine.begin() as conn:
        return ob.queue(conn, **values)  # type: ignore[arg-type]


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(outbox)).scalar_one())


def claim(engine: Engine, now: datetime, worker: str = "w1", limit: int = 10) -> list[ob.OutboxRow]:
    return ob.claim_due(engine, worker=worker, limit=limit, now=now, lease=LEASE)


def test_the_key_is_a_sha256_of_complaint_event_and_recipient() -> None:
    key = ob.outbox_key(42, "received", PHONE)
    assert len(key) == 64 and int(key, 16) >= 0
    assert key == ob.outbox_key(42, "received", PHONE)
    assert key != ob.outbox_key(42, "resolved", PHONE)
    assert key != ob.outbox_key(4, "2received", PHONE)


def test_queueing_twice_keeps_one_row(engine: Engine) -> None:
    assert put(engine) is True
    assert put(engine, text="another rendering") is False
    assert count(engine) == 1
    assert put(engine, event="resolved") is True
    assert count(engine) == 2


def test_a_queued_row_rolls_back_with_its_event(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.begin()
        ob.queue(conn, complaint_id=1, event="received", channel="sms/k", recipient=PHONE, text="x")
        conn.rollback()
    assert count(engine) == 0


def test_every_field_round_trips(engine: Engine) -> None:
    put(
        engine,
        channel="email/city",
        recipient="mailto:warga@example.com",
        subject="Re: Lampu mati",
        in_reply_to="<a@example.com>",
        references=("<z@example.com>", "<a@example.com>"),
        template="ack_v1",
        last_inbound_at=T0,
    )
    (row,) = ob.list_rows(engine)
    assert (row.channel, row.recipient, row.subject) == (
        "email/city",
        "mailto:warga@example.com",
        "Re: Lampu mati",
    )
    assert row.references == ("<z@example.com>", "<a@example.com>")
    assert (row.in_reply_to, row.template, row.last_inbound_at) == ("<a@example.com>", "ack_v1", T0)
    assert (row.status, row.attempts) == ("queued", 0)
    assert ob.get_row(engine, row.id) == row
    assert ob.get_row(engine, row.id + 100) is None


def test_an_opted_out_identity_gets_nothing_queued(engine: Engine) -> None:
    with engine.begin() as conn:
        assert ob.contact_allowed(conn, PHONE)
        ob.set_contact(conn, PHONE, allowed=False, by="sms:STOP", reason="replied STOP")
        assert not ob.contact_allowed(conn, PHONE)
    assert put(engine) is False
    assert count(engine) == 0
    with engine.begin() as conn:
        ob.set_contact(conn, PHONE, allowed=True, by="sms:MULAI", reason="replied MULAI")
    assert put(engine) is True


def test_not_before_holds_a_message_back(engine: Engine) -> None:
    later = datetime.now(UTC) + timedelta(hours=3)
    put(engine, not_before=later)
    assert claim(engine, later - timedelta(minutes=1)) == []
    assert [r.status for r in claim(engine, later)] == ["sending"]


def test_a_claimed_row_is_not_claimed_again_until_its_lease_runs_out(engine: Engine) -> None:
    put(engine)
    now = datetime.now(UTC)
    (row,) = claim(engine, now, "w1")
    assert (row.status, row.claimed_by, row.attempts) == ("sending", "w1", 1)
    assert claim(engine, now + LEASE / 2, "w2") == []
    (again,) = claim(engine, now + LEASE + timedelta(seconds=1), "w2")
    assert (again.id, again.claimed_by, again.attempts) == (row.id, "w2", 2)


def test_claims_come_oldest_due_first_and_respect_the_limit(engine: Engine) -> None:
    for n in range(5):
        put(engine, complaint_id=n)
    now = datetime.now(UTC) + timedelta(seconds=1)
    first = claim(engine, now, limit=3)
    rest = claim(engine, now, limit=3)
    assert [r.complaint_id for r in first] == [0, 1, 2]
    assert [r.complaint_id for r in rest] == [3, 4]


def test_sent_records_the_provider_id(engine: Engine) -> None:
    put(engine)
    now = datetime.now(UTC)
    (row,) = claim(engine, now)
    assert ob.record_sent(engine, row.id, "SM123", now)
    done = ob.get_row(engine, row.id)
    assert done is not None
    assert (done.status, done.provider_message_id, done.sent_at, done.claimed_by) == (
        "sent",
        "SM123",
        now,
        None,
    )
    assert not ob.record_sent(engine, row.id, "SM999", now)  # only a row being sent


def test_transient_failures_back_off_then_give_up(engine: Engine) -> None:
    put(engine)
    now = datetime.now(UTC)
    delays = []
    for _ in range(POLICY.max_attempts - 1):
        (row,) = claim(engine, now)
        status = ob.record_failure(engine, row.id, "sms: HTTP 503", True, now, POLICY)
        assert status == "queued"
        queued = ob.get_row(engine, row.id)
        assert queued is not None
        delays.append((queued.next_attempt_at - now).total_seconds())
        assert claim(engine, queued.next_attempt_at - timedelta(seconds=1)) == []
        now = queued.next_attempt_at
    assert delays == [10.0, 20.0]
    (row,) = claim(engine, now)
    assert ob.record_failure(engine, row.id, "sms: HTTP 503", True, now, POLICY) == "gave_up"
    final = ob.get_row(engine, row.id)
    assert final is not None
    assert (final.status, final.attempts, final.last_error) == ("gave_up", 3, "sms: HTTP 503")
    assert claim(engine, now + timedelta(days=1)) == []


def test_backoff_is_capped_and_honours_retry_after() -> None:
    assert [POLICY.delay(n) for n in (1, 2, 3, 4)] == [10, 20, 25, 25]
    assert POLICY.delay(1, retry_after=120) == 120


def test_a_permanent_failure_is_failed_at_once(engine: Engine) -> None:
    put(engine)
    now = datetime.now(UTC)
    (row,) = claim(engine, now)
    assert ob.record_failure(engine, row.id, "unknown number", False, now, POLICY) == "failed"
    assert claim(engine, now + timedelta(days=1)) == []


def test_release_gives_the_attempt_back(engine: Engine) -> None:
    put(engine)
    now = datetime.now(UTC)
    (row,) = claim(engine, now)
    ob.release(engine, [row.id], now + timedelta(seconds=30), now)
    back = ob.get_row(engine, row.id)
    assert back is not None
    assert (back.status, back.attempts, back.claimed_by) == ("queued", 0, None)
    assert claim(engine, now + timedelta(seconds=29)) == []


def test_cancel_and_retry(engine: Engine) -> None:
    put(engine)
    (row,) = ob.list_rows(engine)
    now = datetime.now(UTC)
    assert not ob.retry(engine, row.id, now)  # queued: nothing to retry
    assert ob.cancel(engine, row.id, now)
    assert claim(engine, now + timedelta(days=1)) == []
    assert not ob.cancel(engine, row.id, now)
    assert ob.retry(engine, row.id, now)
    (again,) = claim(engine, now)
    assert again.attempts == 1
    ob.record_sent(engine, again.id, "SM1", now)
    assert not ob.cancel(engine, again.id, now)  # it went: nothing to cancel


def test_receipts_move_a_sent_row_forward_never_back(engine: Engine) -> None:
    put(engine)
    now = datetime.now(UTC)
    (row,) = claim(engine, now)
    ob.record_sent(engine, row.id, "ref-1", now)
    with engine.begin() as conn:
        assert ob.record_receipt(conn, "ref-1", "delivered", channel="sms/kannel") == 1
        assert ob.record_receipt(conn, "ref-1", "sent") == 0
        assert ob.record_receipt(conn, "ref-1", "failed") == 0
        assert ob.record_receipt(conn, "ref-1", "delivered", channel="sms/other") == 0
        assert ob.record_receipt(conn, "unknown", "delivered") == 0
    got = ob.get_row(engine, row.id)
    assert got is not None and got.status == "delivered"


def test_a_failed_receipt_keeps_the_providers_reason(engine: Engine) -> None:
    put(engine)
    now = datetime.now(UTC)
    (row,) = claim(engine, now)
    ob.record_sent(engine, row.id, "ref-2", now)
    with engine.begin() as conn:
        assert ob.record_receipt(conn, "ref-2", "failed", error="absent subscriber") == 1
    got = ob.get_row(engine, row.id)
    assert got is not None and (got.status, got.last_error) == ("failed", "absent subscriber")


def test_summary_counts_per_channel(engine: Engine) -> None:
    put(engine, complaint_id=1)
    put(engine, complaint_id=2)
    put(engine, complaint_id=3, channel="email/city", recipient="mailto:w@example.com")
    now = datetime.now(UTC) + timedelta(seconds=5)
    rows = claim(engine, now, limit=1)
    ob.record_sent(engine, rows[0].id, "x", now)
    facts = ob.summary(engine, now)
    assert facts["queued"] == 2 and facts["due"] == 2
    assert 4 <= facts["oldest_queued_seconds"] < 60
    assert facts["channels"] == {
        "email/city": {"queued": 1},
        "sms/kannel": {"queued": 1, "sent": 1},
    }
    assert ob.list_rows(engine, ob.Filters(status="sent"))[0].id == rows[0].id
    assert len(ob.list_rows(engine, ob.Filters(channel="sms/kannel"))) == 2
    assert len(ob.list_rows(engine, ob.Filters(complaint_id=3))) == 1


def test_a_batch_is_queued_once_without_those_who_said_stop(engine: Engine) -> None:
    def message(complaint_id: int, phone: str) -> ob.Queued:
        return ob.Queued(complaint_id, "received", "sms/kannel", phone, f"Aduan {complaint_id}")

    with engine.begin() as conn:
        ob.set_contact(conn, "tel:+6281200000002", allowed=False, by="citizen", reason="STOP")
        ob.set_contact(conn, "tel:+6281200000003", allowed=True, by="citizen", reason="MULAI")
    assert put(engine, complaint_id=1, recipient="tel:+6281200000001") is True
    batch = [message(i, f"tel:+62812000000{i:02d}") for i in range(1, 1201)]
    batch.append(message(5, "tel:+6281200000005"))  # twice in one batch: once
    with engine.begin() as conn:
        assert ob.queue_many(conn, batch) == 1198  # 1 queued before, 2 said STOP
    with engine.begin() as conn:
        assert ob.queue_many(conn, batch) == 0  # a replay
        assert ob.queue_many(conn, []) == 0
    assert count(engine) == 1199
    rows = {r.recipient: r for r in ob.list_rows(engine, ob.Filters(limit=2000))}
    assert "tel:+6281200000002" not in rows and "tel:+6281200000003" in rows
    assert rows["tel:+6281200000001"].text == "Laporan Anda diterima: ADU-2026-00001"
    assert rows["tel:+628120000001200"].status == "queued"
