"""Password hashes, signed sessions and CSRF checks."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from aduan.config.desk import DeskSettings, DeskUser
from aduan.desk.auth import (
    Sessions,
    authenticate,
    check_password,
    csrf_ok,
    hash_password,
    proxy_clerk,
    session_secret,
)


def test_hash_is_salted_and_checks() -> None:
    first, second = hash_password("kata-sandi-loket"), hash_password("kata-sandi-loket")
    assert first != second and first.startswith("scrypt$16384$8$1$")
    assert check_password("kata-sandi-loket", first)
    assert not check_password("kata-sandi-lokeT", first)
    assert not check_password("x", "scrypt$broken")


def test_authenticate() -> None:
    settings = DeskSettings(users={"sari": DeskUser(password_hash=hash_password("rahasia123"))})
    clerk = authenticate(settings, "sari", "rahasia123")
    assert clerk is not None and clerk.desk == "loket-1"
    assert authenticate(settings, "sari", "salah") is None
    assert authenticate(settings, "budi", "rahasia123") is None


def test_config_refuses_a_plain_password() -> None:
    with pytest.raises(ValueError, match="hash-password"):
        DeskUser(password_hash="rahasia123")


def test_sessions_are_signed_and_expire() -> None:
    sessions = Sessions("s3cret", max_age_seconds=60)
    session = sessions.new(None)
    cookie = sessions.dump(session)
    assert sessions.load(cookie) == session
    body, _, signature = cookie.rpartition(".")
    # The signature's first character carries six bits of it (the last one only four,
    # so changing that one can leave the decoded signature as it was).
    forged = body + "." + ("B" if signature[0] == "A" else "A") + signature[1:]
    assert sessions.load(forged) is None
    assert Sessions("other", 60).load(cookie) is None
    assert Sessions("s3cret", max_age_seconds=-1).load(cookie) is None


def test_csrf_is_compared_to_the_session() -> None:
    session = Sessions("k", 60).new(None)
    assert csrf_ok(session, session["csrf"])
    assert not csrf_ok(session, session["csrf"] + "x")
    assert not csrf_ok(session, None)
    assert not csrf_ok(None, session["csrf"])


def test_proxy_header_only_from_trusted_addresses() -> None:
    settings = DeskSettings(proxy_user_header="X-Remote-User", trusted_proxies=["10.1.0.0/16"])
    assert proxy_clerk(settings, "10.1.2.3", "andi") is not None
    assert proxy_clerk(settings, "10.2.0.1", "andi") is None
    assert proxy_clerk(settings, "10.1.2.3", None) is None
    assert proxy_clerk(settings, "not-an-ip", "andi") is None


def test_session_secret_generated_once_and_private(tmp_path: Path) -> None:
    first = session_secret(DeskSettings(), tmp_path)
    assert first == session_secret(DeskSettings(), tmp_path) and len(first) > 40
    mode = stat.S_IMODE(os.stat(tmp_path / "desk-session.key").st_mode)
    assert mode == 0o600
    configured = DeskSettings(session_secret=SecretStr("from-env"))
    assert session_secret(configured, tmp_path) == "from-env"
