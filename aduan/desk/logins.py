"""Clerks' logins on the server side: revocable sessions, changed passwords, throttling.

* Every session cookie names a session id and the clerk's *epoch*. The store's
  ``meta`` table (shared by every daemon and the CLI) holds each clerk's epoch,
  the sessions revoked at logout (until they would have expired anyway) and
  passwords changed with ``aduan desk passwd`` (which override the config's
  hash). A cookie is honoured only while its id is not revoked and its epoch
  is the clerk's current one: logging out kills that session, changing a
  password kills all of the clerk's sessions, whoever still holds the cookie.
* :class:`LoginThrottle` counts failed logins per (user, client address):
  after :data:`FREE_FAILURES`, each further failure doubles the wait before
  that pair may try again (1 s, 2 s, 4 s ... up to :data:`MAX_WAIT_SECONDS`).
  An attacker elsewhere slows only itself; the clerk at their own desk is
  never locked out by someone else's guesses.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import Engine, delete, select, update

from aduan.store.models import Meta
from aduan.store.raw import upsert_statement

meta = Meta.__table__  # type: ignore[attr-defined]
FREE_FAILURES = 5
MAX_WAIT_SECONDS = 900.0
MAX_TRACKED = 20_000


def _user_key(kind: str, user: str) -> str:
    return f"desk.{kind}:{hashlib.sha256(user.encode()).hexdigest()[:40]}"


def new_session_id() -> str:
    return secrets.token_urlsafe(18)


class SessionState:
    """Epochs, revoked sessions and changed passwords, in the store's ``meta`` table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def epoch(self, user: str) -> str:
        with self.engine.connect() as conn:
            value = conn.execute(
                select(meta.c.value).where(meta.c.key == _user_key("epoch", user))
            ).scalar_one_or_none()
        return str(value or "0")

    def valid(self, user: str, session_id: str, epoch: str) -> bool:
        """Whether the session ``session_id`` of ``user`` at ``epoch`` still stands."""
        keys = (_user_key("epoch", user), f"desk.revoked:{session_id}")
        with self.engine.connect() as conn:
            rows = conn.execute(select(meta.c.key, meta.c.value).where(meta.c.key.in_(keys)))
            found: dict[str, str] = {str(k): str(v) for k, v in rows}
        return keys[1] not in found and str(found.get(keys[0], "0")) == epoch

    def revoke(self, session_id: str, until: float) -> None:
        """Refuse ``session_id`` from now on; forget revocations past their expiry."""
        now = f"{int(time.time()):012d}"
        with self.engine.begin() as conn:
            conn.execute(delete(meta).where(meta.c.key.like("desk.revoked:%"), meta.c.value < now))
            stmt = upsert_statement(conn, meta).values(
                key=f"desk.revoked:{session_id}", value=f"{int(until):012d}"
            )
            conn.execute(stmt.on_conflict_do_nothing(index_elements=["key"]))

    def revoke_all(self, user: str) -> None:
        """End every session of ``user`` (a new epoch)."""
        key = _user_key("epoch", user)
        with self.engine.begin() as conn:
            current = conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar()
            if current is None:
                conn.execute(meta.insert().values(key=key, value="1"))
            else:
                bumped = str(int(current) + 1)
                conn.execute(update(meta).where(meta.c.key == key).values(value=bumped))

    def password_hash(self, user: str) -> str | None:
        with self.engine.connect() as conn:
            value = conn.execute(
                select(meta.c.value).where(meta.c.key == _user_key("password", user))
            ).scalar_one_or_none()
        return str(value) if value else None

    def set_password(self, user: str, password_hash: str) -> None:
        """Keep ``user``'s new password hash and end all of their sessions."""
        key = _user_key("password", user)
        with self.engine.begin() as conn:
            stmt = upsert_statement(conn, meta).values(key=key, value=password_hash)
            conn.execute(
                stmt.on_conflict_do_update(index_elements=["key"], set_={"value": password_hash})
            )
        self.revoke_all(user)


@dataclass
class _Failures:
    count: int = 0
    last: float = 0.0


class LoginThrottle:
    """Failed logins per (user, address), with waits that double after a few."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], _Failures] = {}

    @staticmethod
    def _key(user: str, address: str) -> tuple[str, str]:
        return user.strip().lower()[:100], address

    def wait(self, user: str, address: str, now: float | None = None) -> float:
        """Seconds before this pair may try again (0: now)."""
        seen = self._seen.get(self._key(user, address))
        if seen is None or seen.count < FREE_FAILURES:
            return 0.0
        delay = min(MAX_WAIT_SECONDS, 2.0 ** (seen.count - FREE_FAILURES))
        left = seen.last + delay - (time.monotonic() if now is None else now)
        return max(0.0, left)

    def failed(self, user: str, address: str, now: float | None = None) -> None:
        if len(self._seen) >= MAX_TRACKED:
            oldest = sorted(self._seen, key=lambda k: self._seen[k].last)[: MAX_TRACKED // 10]
            for key in oldest:
                del self._seen[key]
        seen = self._seen.setdefault(self._key(user, address), _Failures())
        seen.count += 1
        seen.last = time.monotonic() if now is None else now

    def succeeded(self, user: str, address: str) -> None:
        self._seen.pop(self._key(user, address), None)
