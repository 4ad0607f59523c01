"""Sending what the outbox holds: claim due rows, hand each to its channel's Replier, record.

The send job (:mod:`aduan.daemon.jobs`, every ``outbox.cadence_seconds``) runs
:meth:`Sender.run` in the scheduler's thread; intake never waits on it, so a
provider that is down slows nothing but its own messages. One run:

1. claims up to ``outbox.batch`` due rows for a lease (:func:`claim_due`);
2. sends ``outbox.concurrency`` recipients' messages at a time (one recipient's
   in order); per row, takes a token from its channel instance's bucket (``rate_per_second``,
   ``burst``, ``[outbox.rates]``); a short wait is slept, a long one hands the
   channel's rows back untried until a token is due;
3. sends through the instance's Replier (:func:`aduan.channels.registry.replier_for`)
   and records: ``Sent`` -> sent (or delivered); ``SendFailed(transient=True)`` ->
   retried after a backoff, the channel's other rows handed back for the same
   wait (a probe per lane, not a burst, while a provider is down); a permanent
   ``SendFailed`` -> failed; any other exception -> a transient failure (a bug in
   one replier never stops the job);
4. stops handing out rows before the lease runs short, so another replica
   never claims a row this one is still sending.

Recipients appear in logs masked (``tel:…2345``), errors through the privacy mask.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine

from aduan.channels.replies import Outbound, Replier, SendFailed
from aduan.config.outbox import OutboxSettings
from aduan.core.clock import utcnow
from aduan.core.logs import get_logger
from aduan.core.privacy import mask_identity, mask_text
from aduan.runtime import metrics
from aduan.store.outbox import (
    OutboxRow,
    RetryPolicy,
    claim_due,
    record_failure,
    record_sent,
    release,
)

log = get_logger("aduan.outbox")

LEASE_MARGIN = 0.8
"""Rows are handed out only while this fraction of the lease is left unused."""


class TokenBucket:
    """``rate`` tokens a second, at most ``burst`` saved up; thread-safe."""

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.tokens = float(burst)
        self.clock = clock
        self.last = clock()
        self._lock = threading.Lock()

    def take(self) -> float:
        """0.0 when a token was taken; otherwise the seconds until one will be there."""
        with self._lock:
            now = self.clock()
            self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
            self.last = now
            if self.tokens >= 1.0:
                self.tokens -= 1.0
                return 0.0
            return (1.0 - self.tokens) / self.rate


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def outbound(row: OutboxRow) -> Outbound:
    return Outbound(
        key=row.key,
        recipient=row.recipient,
        text=row.text,
        subject=row.subject,
        in_reply_to=row.in_reply_to,
        references=row.references,
        last_inbound_at=row.last_inbound_at,
        template=row.template,
    )


@dataclass
class SendResult:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    released: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)


@dataclass
class _Batch:
    """What the lanes of one run share: counts, channels on hold, rows handed back."""

    result: SendResult
    deadline: datetime
    """No row is started after this (the lease must outlast every send)."""
    held: dict[str, datetime] = field(default_factory=dict)
    handed_back: dict[datetime, list[int]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hand_back(self, row: OutboxRow, until: datetime) -> None:
        with self.lock:
            self.handed_back.setdefault(until, []).append(row.id)

    def held_until(self, channel: str) -> datetime | None:
        with self.lock:
            return self.held.get(channel)

    def hold(self, channel: str, until: datetime) -> datetime:
        with self.lock:
            self.held[channel] = until = max(until, self.held.get(channel, until))
            return until

    def count(self, channel: str, outcome: str) -> None:
        with self.lock:
            setattr(self.result, outcome, getattr(self.result, outcome) + 1)
            if outcome == "sent":
                self.result.by_channel[channel] = self.result.by_channel.get(channel, 0) + 1


@dataclass
class Sender:
    """Sends due outbox rows; keeps each channel instance's token bucket between runs."""

    engine: Engine
    repliers: Mapping[str, Replier]
    settings: OutboxSettings = field(default_factory=OutboxSettings)
    worker: str = field(default_factory=worker_name)
    clock: Callable[[], datetime] = utcnow
    sleep: Callable[[float], None] = time.sleep
    max_wait: float = 1.0
    """Longest wait for a token that is slept; a longer one hands the rows back."""
    buckets: dict[str, TokenBucket] = field(default_factory=dict)

    @property
    def policy(self) -> RetryPolicy:
        s = self.settings
        return RetryPolicy(s.max_attempts, s.backoff_base_seconds, s.backoff_max_seconds)

    def bucket(self, channel: str) -> TokenBucket:
        if channel not in self.buckets:
            self.buckets[channel] = TokenBucket(self.settings.rate_of(channel), self.settings.burst)
        return self.buckets[channel]

    def run(self, should_stop: Callable[[], bool] = lambda: False) -> SendResult:
        """One batch: claim, send, record; see the module's docstring."""
        lease = timedelta(seconds=self.settings.lease_seconds)
        claimed_at = self.clock()
        rows = claim_due(
            self.engine,
            worker=self.worker,
            limit=self.settings.batch,
            now=claimed_at,
            lease=lease,
        )
        batch = _Batch(SendResult(claimed=len(rows)), claimed_at + lease * LEASE_MARGIN)
        # One recipient's messages go in the order they were due (received before
        # triaged); different recipients' messages go ``concurrency`` at a time.
        by_recipient: dict[str, list[OutboxRow]] = {}
        for row in rows:
            by_recipient.setdefault(row.recipient, []).append(row)
        lanes = list(by_recipient.values())
        workers = min(self.settings.concurrency, len(lanes))
        if workers <= 1:
            for lane in lanes:
                self._lane(lane, batch, should_stop)
        else:
            with ThreadPoolExecutor(workers, thread_name_prefix="outbox") as pool:
                for done in [pool.submit(self._lane, lane, batch, should_stop) for lane in lanes]:
                    done.result()
        result = batch.result
        for until, ids in batch.handed_back.items():
            release(self.engine, ids, until, self.clock())
            result.released += len(ids)
        if result.claimed:
            log.info(
                "outbox_run",
                claimed=result.claimed,
                sent=result.sent,
                retrying=result.retrying,
                failed=result.failed,
                released=result.released,
            )
        return result

    def _lane(self, rows: list[OutboxRow], batch: _Batch, should_stop: Callable[[], bool]) -> None:
        for row in rows:
            now = self.clock()
            if should_stop() or now > batch.deadline:
                batch.hand_back(row, now)
                continue
            until = batch.held_until(row.channel)
            if until is not None:
                batch.hand_back(row, until)
                continue
            wait = self._token(row.channel)
            if wait > 0:
                batch.hand_back(row, batch.hold(row.channel, now + timedelta(seconds=wait)))
                continue
            self._send(row, batch)

    def _token(self, channel: str) -> float:
        """0 when a token was taken (after a short sleep if need be), else the long wait."""
        bucket = self.bucket(channel)
        wait = bucket.take()
        while 0 < wait <= self.max_wait:
            self.sleep(wait)
            wait = bucket.take()
        return wait

    def _replier(self, channel: str) -> Replier | None:
        """An instance's replier (``sms/kannel``); for a bare type (``sms``: a walk-in's
        contact, no instance of its own), the first configured instance of that type."""
        if "/" in channel:
            return self.repliers.get(channel)
        of_type = sorted(key for key in self.repliers if key.split("/", 1)[0] == channel)
        return self.repliers[of_type[0]] if of_type else None

    def _send(self, row: OutboxRow, batch: _Batch) -> None:
        replier = self._replier(row.channel)
        if replier is None:
            self._failed(row, batch, f"no channel instance {row.channel} can send", False, None)
            return
        try:
            sent = replier.send(outbound(row))
        except SendFailed as exc:
            status = self._failed(row, batch, exc.reason, exc.transient, exc.retry_after)
            if exc.transient and status == "queued":
                wait = self.policy.delay(1, exc.retry_after)
                batch.hold(row.channel, self.clock() + timedelta(seconds=wait))
        except Exception as exc:  # a replier's bug: retried like a transient failure
            reason = mask_text(f"{type(exc).__name__}: {exc}")
            log.warning("outbox_replier_crashed", channel=row.channel, error=reason)
            self._failed(row, batch, reason, True, None)
        else:
            record_sent(self.engine, row.id, sent.provider_id, self.clock(), sent.status)
            batch.count(row.channel, "sent")
            metrics.outbox_sent(row.channel)

    def _failed(
        self,
        row: OutboxRow,
        batch: _Batch,
        reason: str,
        transient: bool,
        retry_after: float | None,
    ) -> str | None:
        status = record_failure(
            self.engine, row.id, reason, transient, self.clock(), self.policy, retry_after
        )
        batch.count(row.channel, "retrying" if status == "queued" else "failed")
        metrics.outbox_failed(row.channel, status or "lost")
        log.warning(
            "outbox_send_failed",
            outbox_id=row.id,
            channel=row.channel,
            recipient=mask_identity(row.recipient),
            attempt=row.attempts,
            status=status,
            error=reason,
        )
        return status


def send_due(
    engine: Engine,
    repliers: Mapping[str, Replier],
    settings: OutboxSettings | None = None,
    *,
    should_stop: Callable[[], bool] = lambda: False,
    worker: str | None = None,
) -> SendResult:
    """One run of a fresh :class:`Sender` (the daemon keeps one, with its buckets)."""
    sender = Sender(engine, repliers, settings or OutboxSettings(), worker or worker_name())
    return sender.run(should_stop)


__all__ = ["SendResult", "Sender", "TokenBucket", "outbound", "send_due", "worker_name"]
