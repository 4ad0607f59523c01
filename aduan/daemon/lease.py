"""Leases on pull channels, so several replicas on one PostgreSQL never poll one channel at once.

With PostgreSQL, each replica holds one dedicated connection (autocommit,
``application_name=aduan-lease``) and, before polling a channel instance,
takes ``pg_try_advisory_lock(<stable 64-bit hash of "type/name">)`` on it.
A replica keeps the lock, and so the channel, for as long as it lives; the
others find it taken, skip that poll and show the channel as ``standby``.
A session-level advisory lock dies with its connection: when the holder is
killed, PostgreSQL drops the lock as soon as the socket closes, and the next
replica to try (within one cadence) takes the channel over. If the lease
connection itself is lost, every lease is considered lost and re-taken on a
new connection before the next poll.

With SQLite there is nothing to share: the daemon's flock on the database
file already refuses a second daemon, and :class:`LocalLeases` grants all.

Lock ids: ``pg_locks`` shows them as ``classid``/``objid`` (the high and low
32 bits) with ``locktype = 'advisory'``; :func:`lock_id` computes one.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Protocol

import psycopg
from sqlalchemy.engine import URL

from aduan.core.errors import StoreUnavailable
from aduan.core.logs import get_logger
from aduan.store.engine import advisory_lock_id, normalize_url

log = get_logger("aduan.lease")


def lock_id(key: str) -> int:
    """A stable signed 64-bit advisory lock id for the channel instance ``type/name``."""
    return advisory_lock_id(f"aduan.poll:{key}")


class Leases(Protocol):
    def acquire(self, key: str) -> bool:
        """True when this process may poll ``key`` now (it holds or just took the lease)."""
        ...

    def held(self) -> set[str]: ...

    def close(self) -> None: ...


class LocalLeases:
    """SQLite: one daemon per file, so every lease is ours."""

    def __init__(self) -> None:
        self._held: set[str] = set()

    def acquire(self, key: str) -> bool:
        self._held.add(key)
        return True

    def held(self) -> set[str]:
        return set(self._held)

    def close(self) -> None:
        self._held.clear()


def libpq_dsn(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class AdvisoryLeases:
    """PostgreSQL session advisory locks on one dedicated connection."""

    def __init__(self, url: URL, connect_timeout: int = 5) -> None:
        self._dsn = libpq_dsn(url)
        self._timeout = connect_timeout
        self._lock = threading.Lock()
        self._conn: psycopg.Connection[tuple[object, ...]] | None = None
        self._held: set[str] = set()

    def _connection(self) -> psycopg.Connection[tuple[object, ...]]:
        if self._conn is not None:
            try:
                self._conn.execute("SELECT 1")
            except psycopg.Error as exc:
                log.warning("lease_connection_lost", leases=sorted(self._held), error=str(exc))
                self._drop()
        if self._conn is None:
            try:
                self._conn = psycopg.connect(
                    self._dsn,
                    autocommit=True,
                    connect_timeout=self._timeout,
                    application_name="aduan-lease",
                    keepalives=1,
                    keepalives_idle=10,
                    keepalives_interval=5,
                    keepalives_count=3,
                )
            except psycopg.Error as exc:
                raise StoreUnavailable(f"lease connection: {str(exc).splitlines()[0]}") from exc
        return self._conn

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(psycopg.Error):
                self._conn.close()
        self._conn = None
        self._held.clear()

    def acquire(self, key: str) -> bool:
        with self._lock:
            conn = self._connection()
            if key in self._held:
                return True
            try:
                row = conn.execute("SELECT pg_try_advisory_lock(%s)", (lock_id(key),)).fetchone()
            except psycopg.Error as exc:
                self._drop()
                raise StoreUnavailable(f"lease: {str(exc).splitlines()[0]}") from exc
            got = bool(row and row[0])
            if got:
                self._held.add(key)
                log.info("lease_acquired", channel=key)
            return got

    def held(self) -> set[str]:
        with self._lock:
            return set(self._held)

    def close(self) -> None:
        """Release every lease (closing the session releases its advisory locks)."""
        if not self._lock.acquire(timeout=1.0):
            return  # a hung poll holds it; process exit closes the socket all the same
        try:
            if self._held:
                log.info("leases_released", channels=sorted(self._held))
            if self._conn is not None:
                # Closing the session frees its locks too, but the server does that after
                # the client has gone: unlocking first makes them free when close returns.
                with contextlib.suppress(psycopg.Error):
                    self._conn.execute("SELECT pg_advisory_unlock_all()")
            self._drop()
        finally:
            self._lock.release()


def leases_for(database_url: str) -> Leases:
    url = normalize_url(database_url)
    if url.get_backend_name() == "postgresql":
        return AdvisoryLeases(url)
    return LocalLeases()
