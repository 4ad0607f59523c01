"""Clerks' credentials and sessions: scrypt password hashes, signed cookies, CSRF tokens.

* Passwords: ``scrypt$N$r$p$<salt b64>$<hash b64>`` (hashlib.scrypt, 16-byte random
  salt); checking is constant-time. A login for an unknown user still runs one
  scrypt so that timing does not tell which names exist.
* Session: a cookie holding ``{"user", "desk", "csrf", "sid", "epoch"}`` signed with
  itsdangerous (``URLSafeTimedSerializer``) and expiring after ``session_hours``;
  the server can revoke it (:mod:`aduan.desk.logins`).
* CSRF: one random token per session, put in every form and compared with
  :func:`hmac.compare_digest` on every POST; a missing or wrong token is a 403.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer

from aduan.config.desk import DeskSettings, DeskUser

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
_DUMMY = DeskUser(password_hash="scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA")  # noqa: S106


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def hash_password(password: str, salt: bytes | None = None) -> str:
    """A salted scrypt hash for the ``[desk.users.<name>]`` config."""
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def check_password(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, expected = stored.split("$")
        want = base64.b64decode(expected)
        got = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(want) or 32,
            maxmem=2**26,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


@dataclass(frozen=True)
class Clerk:
    user: str
    desk: str
    display_name: str


def authenticate(
    settings: DeskSettings, user: str, password: str, changed_hash: str | None = None
) -> Clerk | None:
    """The clerk ``user`` when ``password`` is theirs: the hash from ``aduan desk passwd``
    (``changed_hash``) when there is one, else the config's."""
    entry = settings.users.get(user)
    stored = changed_hash if entry is not None and changed_hash else None
    ok = check_password(password, stored or (entry or _DUMMY).password_hash)
    if entry is None or not ok:
        return None
    return Clerk(user, entry.desk or settings.default_desk, entry.display_name or user)


def proxy_clerk(settings: DeskSettings, client: str | None, header: str | None) -> Clerk | None:
    """The clerk a trusted reverse proxy names, or None (untrusted address, no header)."""
    if not settings.proxy_user_header or not header or client is None:
        return None
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return None
    for proxy in settings.trusted_proxies:
        if address in ipaddress.ip_network(proxy, strict=False):
            known = settings.users.get(header)
            desk = known.desk if known and known.desk else settings.default_desk
            name = known.display_name if known and known.display_name else header
            return Clerk(header.strip()[:100], desk, name)
    return None


def session_secret(settings: DeskSettings, data_dir: Path) -> str:
    """The configured secret, else one generated once under ``data_dir`` (mode 0600)."""
    if settings.session_secret is not None and settings.session_secret.get_secret_value():
        return settings.session_secret.get_secret_value()
    path = data_dir / "desk-session.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


class Sessions:
    """Signed, expiring session cookies carrying the clerk and the CSRF token."""

    cookie = "aduan_session"

    def __init__(self, secret: str, max_age_seconds: int) -> None:
        self.max_age = max_age_seconds
        self._serializer = URLSafeTimedSerializer(secret, salt="aduan-desk-session")

    def new(self, clerk: Clerk | None, epoch: str = "0") -> dict[str, str]:
        """A session for ``clerk`` (at the clerk's current ``epoch``), or an anonymous one
        (the login form's CSRF token)."""
        session = {"csrf": secrets.token_urlsafe(32)}
        if clerk is not None:
            session.update(user=clerk.user, desk=clerk.desk, name=clerk.display_name)
            session.update(sid=secrets.token_urlsafe(18), epoch=epoch)
        return session

    def dump(self, session: dict[str, str]) -> str:
        return self._serializer.dumps(session)

    def load(self, value: str | None) -> dict[str, str] | None:
        if not value:
            return None
        try:
            data = self._serializer.loads(value, max_age=self.max_age)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            return None
        return {str(k): str(v) for k, v in data.items()}


def csrf_ok(session: dict[str, str] | None, sent: str | None) -> bool:
    """True when ``sent`` is this session's token (constant-time)."""
    if session is None or not sent or "csrf" not in session:
        return False
    return hmac.compare_digest(session["csrf"].encode(), sent.encode())
