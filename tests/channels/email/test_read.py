"""Email reading beyond the payload table (cases.py): attachment bytes and limits, keys."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from aduan.channels.base import ChannelContext
from aduan.channels.email import EmailChannel
from aduan.channels.email.config import EmailConfig
from aduan.channels.email.keys import external_id
from aduan.core.messages import RawMessage
from tests.channels.email.cases import CASES

FIXTURES = Path(__file__).parents[1] / "fixtures" / "email"


def channel(tmp_path: Path, **settings: Any) -> EmailChannel:
    config = EmailConfig(host="127.0.0.1", username="pengaduan", tls="none", **settings)
    return EmailChannel("city", config, ChannelContext(tmp_path))


def raw_of(name: str) -> RawMessage:
    payload = (FIXTURES / name).read_bytes()
    return RawMessage(
        "email", "city", external_id(payload), payload, "message/rfc822", datetime.now(UTC)
    )


def test_every_fixture_is_in_the_table() -> None:
    files = {p.name for p in FIXTURES.glob("*.eml")}
    assert files == {case.fixture for case in CASES}


@pytest.mark.parametrize("name", ["attachment.eml", "forwarded_attached.eml"])
def test_attachments_carry_their_bytes(name: str, tmp_path: Path) -> None:
    message = channel(tmp_path).read(raw_of(name))
    assert message.attachments
    for attachment in message.attachments:
        assert attachment.data is not None
        assert hashlib.sha256(attachment.data).hexdigest() == attachment.sha256


def test_attachment_over_the_limit_is_recorded_without_its_bytes(tmp_path: Path) -> None:
    message = channel(tmp_path, max_attachment_bytes=10).read(raw_of("attachment.eml"))
    (attachment,) = message.attachments
    assert attachment.size == 70 and attachment.sha256 and attachment.data is None


def test_raw_keeps_what_read_strips() -> None:
    raw = raw_of("quoted_reply_id.eml")
    assert b"menulis:" in raw.payload


def test_key_is_message_id_plus_hash_and_line_ending_blind() -> None:
    payload = (FIXTURES / "plain.eml").read_bytes()
    key = external_id(payload)
    assert key.startswith("<plain-001@mail.example.com>#sha256:")
    assert external_id(payload.replace(b"\r\n", b"\n")) == key
    assert external_id((FIXTURES / "no_sender.eml").read_bytes()).startswith("sha256:")
