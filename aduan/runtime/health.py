"""What the daemon knows about each channel instance, for ``/healthz`` and the scheduler.

A pull channel is ``ok``, ``backoff`` (transient errors: waiting until
``retry_at``), ``paused`` (a fatal error a person must fix, such as bad
credentials), ``waiting`` (the store is unreachable: the cursor did not move,
the next poll retries) or ``standby`` (another replica holds its lease). A
webhook channel is ``ok`` with the time of its last accepted request. Every
entry carries the last success, the last error, the count of consecutive
failures and ``lag_seconds``: seconds since the last successful poll (pull)
or the last accepted request (webhook), computed when asked. A webhook channel
whose provider refuses its credentials when probed (a revoked Graph API token)
is ``failing`` until a probe succeeds again.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from aduan.core.clock import utcnow

BACKOFF_BASE = 5.0
BACKOFF_MAX = 900.0


@dataclass
class ChannelHealth:
    state: str = "ok"
    mode: str = "poll"
    last_success: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    consecutive_failures: int = 0
    retry_at: datetime | None = None
    last_fetched: int = 0
    lag_seconds: float | None = None

    def as_json(self, now: datetime | None = None) -> dict[str, object]:
        if self.last_success is not None:
            self.lag_seconds = round(((now or utcnow()) - self.last_success).total_seconds(), 3)
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, datetime):
                out[key] = value.isoformat()
        return out


class Health:
    """Thread-safe per-channel health, keyed ``"<type>/<name>"``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.channels: dict[str, ChannelHealth] = {}

    def get(self, key: str, mode: str = "poll") -> ChannelHealth:
        with self._lock:
            return self.channels.setdefault(key, ChannelHealth(mode=mode))

    def success(self, key: str, fetched: int = 0) -> None:
        with self._lock:
            entry = self.channels.setdefault(key, ChannelHealth())
            entry.state = "ok"
            entry.last_success = utcnow()
            entry.consecutive_failures = 0
            entry.retry_at = None
            entry.last_fetched = fetched
            entry.lag_seconds = 0.0

    def accepted(self, key: str) -> None:
        """A webhook request of ``key`` was committed (or spooled) and answered 2xx."""
        with self._lock:
            entry = self.channels.setdefault(key, ChannelHealth(mode="webhook"))
            entry.mode = "webhook"
            entry.last_success = utcnow()
            entry.lag_seconds = 0.0

    def refused(self, key: str, error: str) -> None:
        """A probe found the channel's credentials refused (its webhooks may still arrive)."""
        with self._lock:
            entry = self.channels.setdefault(key, ChannelHealth(mode="webhook"))
            entry.state = "failing"
            entry.last_error = error
            entry.last_error_at = utcnow()
            entry.consecutive_failures += 1

    def probed(self, key: str) -> None:
        """A probe found the credentials taken: a ``failing`` channel is ``ok`` again."""
        with self._lock:
            entry = self.channels.setdefault(key, ChannelHealth(mode="webhook"))
            if entry.state == "failing":
                entry.state = "ok"
                entry.consecutive_failures = 0

    def standby(self, key: str) -> None:
        """Another replica holds this channel's lease."""
        with self._lock:
            entry = self.channels.setdefault(key, ChannelHealth())
            entry.state = "standby"
            entry.retry_at = None

    def waiting(self, key: str, error: str) -> None:
        """The store is unreachable: nothing moved; the next poll tries again."""
        with self._lock:
            entry = self.channels.setdefault(key, ChannelHealth())
            entry.state = "waiting"
            entry.last_error = error
            entry.last_error_at = utcnow()
            entry.consecutive_failures += 1

    def failure(
        self,
        key: str,
        error: str,
        *,
        fatal: bool,
        retry_after: float | None,
        base: float = BACKOFF_BASE,
    ) -> datetime:
        """Record a failure; return when the channel may be tried again.

        The delay doubles from ``base`` (the channel's cadence) with each
        consecutive failure, up to :data:`BACKOFF_MAX`, and is never shorter
        than the provider's ``retry_after``.
        """
        with self._lock:
            entry = self.channels.setdefault(key, ChannelHealth())
            now = utcnow()
            entry.consecutive_failures += 1
            entry.last_error = error
            entry.last_error_at = now
            if fatal:
                entry.state = "paused"
                entry.retry_at = None
                return now + timedelta(days=3650)
            delay = min(BACKOFF_MAX, base * 2 ** (entry.consecutive_failures - 1))
            if retry_after is not None:
                delay = max(delay, retry_after)
            entry.state = "backoff"
            entry.retry_at = now + timedelta(seconds=delay)
            return entry.retry_at

    def snapshot(self) -> dict[str, dict[str, object]]:
        now = utcnow()
        with self._lock:
            return {key: value.as_json(now) for key, value in sorted(self.channels.items())}
