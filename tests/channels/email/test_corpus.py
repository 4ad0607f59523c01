"""Every message of CPython's own email test corpus goes through poll and read.

The corpus (``test/test_email/data/msg_*.txt`` of the running Python's
standard library; Debian ships it in ``libpython3.11-testsuite``) is full of
odd structure, charsets and broken headers. Each message must end stored, and
then read as a :class:`Message` or quarantined as a :class:`BadPayload`;
none may stop the batch.
"""

from __future__ import annotations

import sys
import sysconfig
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from aduan.core.clock import utcnow
from aduan.core.errors import BadPayload
from aduan.core.messages import Message, RawMessage
from aduan.daemon.ingest import poll_channel
from aduan.store.models import raw_messages
from tests.channels.email.conftest import ChannelFactory
from tests.helpers.dovecot import Dovecot


def corpus_dir() -> Path:
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    candidates = [
        Path(sysconfig.get_paths()["stdlib"]) / "test" / "test_email" / "data",
        Path("/usr/lib") / version / "test" / "test_email" / "data",
    ]
    for folder in candidates:
        if any(folder.glob("msg_*.txt")):
            return folder
    pytest.fail(
        "CPython's email test corpus is missing (looked in "
        + ", ".join(map(str, candidates))
        + "); on Debian install libpython3.11-testsuite"
    )


def test_every_corpus_message_polls_and_reads(
    dovecot: Dovecot, user: str, make_channel: ChannelFactory, sqlite_engine: Engine
) -> None:
    files = sorted(corpus_dir().glob("msg_*.txt"))
    assert len(files) > 40
    dovecot.deliver(user, [f.read_bytes() for f in files])
    channel = make_channel(batch_size=25)

    result = poll_channel(sqlite_engine, channel)
    assert result.fetched == len(files)
    assert result.rejected == 0
    with sqlite_engine.connect() as conn:
        rows = conn.execute(
            select(raw_messages.c.external_id, raw_messages.c.payload, raw_messages.c.meta)
        ).all()
    distinct = {bytes(p).replace(b"\r\n", b"\n") for p in (f.read_bytes() for f in files)}
    assert len(rows) == len(distinct)

    outcomes: dict[str, int] = {"message": 0, "bad_payload": 0}
    for key, payload, meta in rows:
        raw = RawMessage("email", "city", key, bytes(payload), "message/rfc822", utcnow(), meta)
        try:
            message = channel.read(raw)
        except BadPayload as exc:
            assert str(exc)
            outcomes["bad_payload"] += 1
            continue
        assert isinstance(message, Message)
        outcomes["message"] += 1
    print(f"corpus: {len(rows)} stored, {outcomes}")
    assert outcomes["message"] > len(rows) * 0.8, outcomes
