"""Fixtures of the email tests: the session's Dovecot, a fresh mailbox per test, a channel."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from aduan.channels.base import ChannelContext
from aduan.channels.email import EmailChannel
from aduan.channels.email.config import EmailConfig
from tests.helpers import dovecot as dovecot_helper
from tests.helpers.databases import skip_or_fail

ChannelFactory = Callable[..., EmailChannel]


@pytest.fixture(scope="session")
def dovecot() -> Iterator[dovecot_helper.Dovecot]:
    if not dovecot_helper.available():
        skip_or_fail("dovecot is not installed (apt-get install dovecot-imapd)")
    yield dovecot_helper.shared()


@pytest.fixture
def user(dovecot: dovecot_helper.Dovecot) -> str:
    return dovecot.new_user()


def email_config(server: dovecot_helper.Dovecot, user: str, **settings: Any) -> EmailConfig:
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": server.port,
        "tls": "starttls",
        "ca_file": server.cert,
        "username": user,
        "password": SecretStr(dovecot_helper.PASSWORD),
        "timeout_seconds": 10,
    }
    values.update(settings)
    return EmailConfig(**values)


@pytest.fixture
def make_channel(
    dovecot: dovecot_helper.Dovecot, user: str, tmp_path: Path
) -> Iterator[ChannelFactory]:
    made: list[EmailChannel] = []

    def factory(**settings: Any) -> EmailChannel:
        config = email_config(dovecot, user, **settings)
        made.append(EmailChannel("city", config, ChannelContext(tmp_path)))
        return made[-1]

    yield factory
    for channel in made:
        channel.close()


def complaint(n: int, *, message_id: bool = True, folder: str = "INBOX") -> bytes:
    """A synthetic complaint email number ``n``."""
    mid = f"Message-ID: <keluhan-{folder}-{n}@example.com>\r\n" if message_id else ""
    return (
        f"From: Warga {n} <warga{n}@example.com>\r\n"
        "To: pengaduan@example.go.id\r\n"
        f"Subject: Keluhan nomor {n}\r\n"
        "Date: Mon, 30 Nov 2026 08:00:00 +0700\r\n"
        f"{mid}"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        f"Got mampet di RT {n % 12 + 1}, air meluap ke jalan ({folder}).\r\n"
    ).encode()


@pytest.fixture
def own_dovecot(dovecot: dovecot_helper.Dovecot) -> Iterator[dovecot_helper.Dovecot]:
    """A server of the test's own, for faults that would disturb the shared one
    (killing it; failed logins, which Dovecot penalises per client address)."""
    server = dovecot_helper.Dovecot().start()
    yield server
    server.cleanup()
