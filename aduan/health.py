"""What the daemon knows about each channel instance, for ``/healthz`` and the scheduler.

A channel is ``ok``, ``backoff`` (transient errors: waiting until
``retry_at``) or ``paused`` (a fatal error a person must fix, such as bad
credentials). Every state carries the last success, the last error and the
count of consecutive failures.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from aduan.channels.base import utcnow

BACKOFF_BASE = 5.0
BACKOFF_MAX = 900.0


@dataclass
class ChannelHealth:
    state: str = "ok"
    last_success: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    consecutive_failures: int = 0
    retry_at: datetime | None = None
    last_fetched: int = 0
    lag_seconds: float | None = None

    def as_json(self) -> dict[str, object]:
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

    def get(self, key: str) -> ChannelHealth:
        with self._lock:
            return self.channels.setdefault(key, ChannelHealth())

    def success(self, key: str, fetched: int = 0) -> None:
        with self._lock:
            entry = self.channels.setdefault(key, ChannelHealth())
            entry.state = "ok"
            entry.last_success = utcnow()
            entry.consecutive_failures = 0
            entry.retry_at = None
            entry.last_fetched = fetched
            entry.lag_seconds = 0.0

    def failure(self, key: str, error: str, *, fatal: bool, retry_after: float | None) -> datetime:
        """Record a failure; return when the channel may be tried again."""
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
            delay = min(BACKOFF_MAX, BACKOFF_BASE * 2 ** (entry.consecutive_failures - 1))
            if retry_after is not None:
                delay = max(delay, retry_after)
            entry.state = "backoff"
            entry.retry_at = now + timedelta(seconds=delay)
            if entry.last_success is not None:
                entry.lag_seconds = (now - entry.last_success).total_seconds()
            return entry.retry_at

    def snapshot(self) -> dict[str, dict[str, object]]:
        with self._lock:
            return {key: value.as_json() for key, value in sorted(self.channels.items())}
