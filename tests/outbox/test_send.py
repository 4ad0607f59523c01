"""The send job against local providers: sent once, retried after a backoff, never crashed.

The provider is the Twilio fake speaking Twilio's wire format (and Kannel's for a
refusal); time is a clock the test moves, so backoffs take no real time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from structlog.testing import capture_logs

from aduan.channels.base import ChannelContext
from aduan.channels.replies import Outbound, Sent
from aduan.channels.sms import SmsChannel
from aduan.channels.sms.base import SmsConfig
from aduan.channels.sms.kannel import message_ref
from aduan.config.outbox import OutboxSettings
from aduan.runtime.outbox import Sender, TokenBucket, send_due
from aduan.store import outbox as ob
from tests.channels.local_http import serve
from tests.channels.sms import fake_gateways as fg
from tests.outbox.helpers import CHANNEL, PHONE, CountingTwilio, twilio_channel

SETTINGS = OutboxSettings(
    backoff_base_seconds=10, backoff_max_seconds=40, max_attempts=20, rate_per_second=1000
)


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def put(engine: Engine, n: int, channel: str = CHANNEL, recipient: str = PHONE) -> None:
    with engine.begin() as conn:
        for i in range(n):
            ob.queue(
                conn,
                complaint_id=i,
                event="received",
                channel=channel,
                recipient=recipient,
                text=f"Laporan Anda diterima: ADU-2026-{i:05d}",
            )


def statuses(engine: Engine) -> list[str]:
    return sorted(r.status for r in ob.list_rows(engine, ob.Filters(limit=10_000)))


def test_a_walk_in_row_names_a_type_and_goes_through_an_instance_of_it(
    engine: Engine, tmp_path: Path
) -> None:
    put(engine, 1, channel="sms")  # a walk-in's contact: the type, no instance of its own
    put(engine, 1, channel="telegram", recipient="telegram:77")  # no instance of that type
    fake = CountingTwilio()
    with twilio_channel(tmp_path, fake) as channel:
        result = send_due(engine, {CHANNEL: channel}, SETTINGS)
    assert result.sent == 1 and len(fake.accepted) == 1
    assert statuses(engine) == ["failed", "sent"]


def test_queued_messages_are_sent_with_the_providers_id(engine: Engine, tmp_path: Path) -> None:
    put(engine, 3)
    fake = CountingTwilio()
    with twilio_channel(tmp_path, fake) as channel:
        result = send_due(engine, {CHANNEL: channel}, SETTINGS)
    assert (result.claimed, result.sent) == (3, 3)
    assert sorted(fake.accepted) == [f"Laporan Anda diterima: ADU-2026-{i:05d}" for i in range(3)]
    rows = ob.list_rows(engine)
    assert {r.status for r in rows} == {"sent"}
    assert all(r.provider_message_id and r.provider_message_id.startswith("SM") for r in rows)
    assert fg.form(fake.seen[0])["To"] == "+6281200012345"


def test_a_provider_down_for_a_while_gets_every_message_once(
    engine: Engine, tmp_path: Path
) -> None:
    put(engine, 20)
    fake = CountingTwilio(down=True)
    clock = Clock(datetime.now(UTC) + timedelta(seconds=1))
    with twilio_channel(tmp_path, fake) as channel:
        sender = Sender(engine, {CHANNEL: channel}, SETTINGS, "w1", clock=clock)
        for _ in range(6):  # down: each run probes once and hands the rest back
            result = sender.run()
            assert (result.sent, result.retrying) == (0, 1)
            clock.advance(SETTINGS.backoff_max_seconds)
        assert len(fake.seen) == 6 and fake.accepted == []
        assert statuses(engine) == ["queued"] * 20
        fake.down = False
        while sender.run().claimed:
            clock.advance(SETTINGS.backoff_max_seconds)
    assert sorted(fake.accepted) == [f"Laporan Anda diterima: ADU-2026-{i:05d}" for i in range(20)]
    assert statuses(engine) == ["sent"] * 20
    # Six tries failed (one probe a run), then each message went once.
    assert sum(r.attempts for r in ob.list_rows(engine)) == 6 + 20


def kannel_channel(tmp_path: Path, base: str, password: str) -> SmsChannel:
    """An ``sms`` instance named ``kannel`` sending through the Kannel fake at ``base``."""
    config = SmsConfig.model_validate(
        {
            "gateway": "kannel",
            "url_secret": "s",
            "sendsms_url": f"{base}/cgi-bin/sendsms",
            "sendsms_username": fg.KANNEL_USER,
            "sendsms_password": password,
        }
    )
    return SmsChannel("kannel", config, ChannelContext(tmp_path))


def test_a_refusal_is_failed_at_once(engine: Engine, tmp_path: Path) -> None:
    put(engine, 1, channel="sms/kannel")
    with serve(fg.FakeKannel()) as base:
        channel = kannel_channel(tmp_path, base, "wrong")
        result = send_due(engine, {"sms/kannel": channel}, SETTINGS)
        channel.close()
    assert (result.sent, result.failed) == (0, 1)
    (row,) = ob.list_rows(engine)
    assert row.status == "failed" and "403" in (row.last_error or "")
    assert "wrong" not in (row.last_error or "")


def test_kannel_messages_carry_the_reference_made_from_the_key(
    engine: Engine, tmp_path: Path
) -> None:
    put(engine, 1, channel="sms/kannel")
    with serve(fg.FakeKannel()) as base:
        channel = kannel_channel(tmp_path, base, fg.KANNEL_PASSWORD)
        send_due(engine, {"sms/kannel": channel}, SETTINGS)
        channel.close()
    (row,) = ob.list_rows(engine)
    assert (row.status, row.provider_message_id) == ("sent", message_ref(row.key))


class Broken:
    """A replier with a bug: raises what no replier should."""

    def send(self, message: Outbound) -> Sent:
        raise KeyError(f"no template for {message.recipient}")


def test_a_replier_bug_is_a_transient_failure_with_the_recipient_masked(engine: Engine) -> None:
    put(engine, 2)
    with capture_logs() as logs:
        result = send_due(engine, {CHANNEL: Broken()}, SETTINGS)
    # A bug may be this message's alone: the others are tried all the same.
    assert (result.claimed, result.retrying, result.released) == (2, 2, 0)
    rows = ob.list_rows(engine)
    assert {r.status for r in rows} == {"queued"}
    assert all("KeyError" in (r.last_error or "") for r in rows)
    assert all("6281200012345" not in (r.last_error or "") for r in rows)
    assert logs and "6281200012345" not in repr(logs)
    assert any(e.get("recipient") == "tel:…2345" for e in logs)


def test_a_channel_without_a_replier_fails_its_messages(engine: Engine) -> None:
    put(engine, 1, channel="walkin/desk")
    result = send_due(engine, {}, SETTINGS)
    assert result.failed == 1
    (row,) = ob.list_rows(engine)
    assert row.status == "failed" and "walkin/desk" in (row.last_error or "")


def test_a_rate_limited_channel_hands_its_rows_back(engine: Engine, tmp_path: Path) -> None:
    put(engine, 3)
    slow = OutboxSettings(rate_per_second=0.01, burst=1)
    fake = CountingTwilio()
    slept: list[float] = []
    with twilio_channel(tmp_path, fake) as channel:
        sender = Sender(engine, {CHANNEL: channel}, slow, "w1", sleep=slept.append)
        result = sender.run()
    assert (result.sent, result.released) == (1, 2)
    assert slept == [] and len(fake.accepted) == 1
    waiting = [r for r in ob.list_rows(engine) if r.status == "queued"]
    assert all(r.attempts == 0 for r in waiting)
    assert all(r.next_attempt_at > datetime.now(UTC) + timedelta(seconds=60) for r in waiting)


def test_the_token_bucket_spends_its_burst_then_paces() -> None:
    t = [0.0]
    bucket = TokenBucket(rate=2.0, burst=3, clock=lambda: t[0])
    assert [bucket.take() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take() == pytest.approx(0.5)
    t[0] += 0.5
    assert bucket.take() == 0.0
    t[0] += 100
    assert [bucket.take() for _ in range(4)][-1] == pytest.approx(0.5)


def test_a_short_wait_for_a_token_is_slept(engine: Engine, tmp_path: Path) -> None:
    put(engine, 3)
    paced = OutboxSettings(rate_per_second=20, burst=1)
    fake = CountingTwilio()
    with twilio_channel(tmp_path, fake) as channel:
        result = Sender(engine, {CHANNEL: channel}, paced, "w1").run()
    assert (result.sent, result.released) == (3, 0)


def test_lanes_send_recipients_at_once_and_each_ones_messages_in_order(
    engine: Engine, tmp_path: Path
) -> None:
    with engine.begin() as conn:
        for event in ("received", "triaged"):  # queued in this order: due in this order
            for i in range(5):
                ob.queue(
                    conn,
                    complaint_id=i,
                    event=event,
                    channel=CHANNEL,
                    recipient=f"tel:+62812000000{i:02d}",
                    text=f"{event} {i}",
                )
    fake = CountingTwilio(delay=0.02)
    settings = OutboxSettings(concurrency=4, rate_per_second=1000, burst=100)
    with twilio_channel(tmp_path, fake) as channel:
        result = Sender(engine, {CHANNEL: channel}, settings, "w1").run()
    assert result.sent == 10 and len(set(fake.accepted)) == 10
    order = [fg.form(seen)["Body"] for seen in fake.seen]
    for i in range(5):
        assert order.index(f"received {i}") < order.index(f"triaged {i}")


def test_no_row_is_started_once_the_lease_runs_short(engine: Engine, tmp_path: Path) -> None:
    """A slow batch hands its last rows back rather than send them after another
    replica may have claimed them (the lease ran out)."""
    put(engine, 3)
    clock = Clock(datetime.now(UTC) + timedelta(seconds=1))
    short = OutboxSettings(lease_seconds=10, rate_per_second=1000)

    def ticking() -> datetime:
        clock.advance(3)  # every look at the clock: a send that takes a while
        return clock()

    fake = CountingTwilio()
    with twilio_channel(tmp_path, fake) as channel:
        result = Sender(engine, {CHANNEL: channel}, short, "w1", clock=ticking).run()
    assert result.sent < 3 and result.sent + result.released == 3
    assert len(fake.accepted) == result.sent
    back = [r for r in ob.list_rows(engine) if r.status == "queued"]
    assert len(back) == result.released and all(r.attempts == 0 for r in back)
