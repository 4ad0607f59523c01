"""Polling real Dovecot mailboxes: folders, cursor, UIDVALIDITY, TLS, faults, actions."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, func, select

from aduan.channels.base import ChannelContext
from aduan.channels.email import EmailChannel
from aduan.core.errors import FatalChannelError, TransientError
from aduan.daemon.ingest import poll_channel
from aduan.store import read_cursor
from aduan.store.models import raw_messages
from tests.channels.email.conftest import ChannelFactory, complaint, email_config
from tests.channels.email.proxy import CuttingProxy
from tests.conftest import free_port
from tests.helpers.dovecot import Dovecot


def stored(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(raw_messages.c.external_id)).scalars())


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(raw_messages)).scalar_one())


def test_polls_inbox_and_a_second_folder(
    dovecot: Dovecot, user: str, make_channel: ChannelFactory, sqlite_engine: Engine
) -> None:
    dovecot.deliver(user, [complaint(i) for i in range(3)])
    dovecot.deliver(user, [complaint(i, folder="Pengaduan") for i in range(2)], "Pengaduan")
    channel = make_channel(folders=["INBOX", "Pengaduan"])

    assert poll_channel(sqlite_engine, channel).stored == 5
    cursor = read_cursor(sqlite_engine, "email", "city")
    assert cursor is not None
    assert {k: v["last_uid"] for k, v in cursor["folders"].items()} == {
        "INBOX": 3,
        "Pengaduan": 2,
    }
    assert all(isinstance(v["uidvalidity"], int) for v in cursor["folders"].values())
    # `UID 4:*` answers with UID 3: nothing may be fetched again
    again = poll_channel(sqlite_engine, channel)
    assert (again.fetched, again.stored) == (0, 0)

    dovecot.deliver(user, [complaint(10)])
    assert poll_channel(sqlite_engine, channel).stored == 1
    assert count(sqlite_engine) == 6
    # BODY.PEEK[]: the mail stays unread on the server
    imap = dovecot.client(user)
    imap.select_folder("INBOX", readonly=True)
    assert len(imap.search(["UNSEEN"])) == 4
    imap.logout()


def test_payload_is_the_exact_message_and_reads(
    dovecot: Dovecot, user: str, make_channel: ChannelFactory
) -> None:
    dovecot.deliver(user, [complaint(1)])
    channel = make_channel()
    batch = channel.fetch(None, 10)
    (raw,) = batch.messages
    assert raw.payload == complaint(1)
    assert raw.external_id.startswith("<keluhan-INBOX-1@example.com>#sha256:")
    assert raw.meta["folder"] == "INBOX" and raw.meta["uid"] == 1
    assert raw.received_at.tzinfo is not None
    message = channel.read(raw)
    assert message.identities == ("mailto:warga1@example.com",)
    assert "Got mampet" in message.text


def test_batches_follow_the_limit(
    dovecot: Dovecot, user: str, make_channel: ChannelFactory, sqlite_engine: Engine
) -> None:
    dovecot.deliver(user, [complaint(i) for i in range(7)])
    channel = make_channel(batch_size=3, fetch_chunk=2)
    result = poll_channel(sqlite_engine, channel)
    assert (result.stored, result.batches) == (7, 3)


def test_uidvalidity_change_rereads_without_duplicates(
    dovecot: Dovecot, user: str, make_channel: ChannelFactory, sqlite_engine: Engine
) -> None:
    folder = "Pengaduan"
    first = [complaint(1, folder=folder), complaint(2, folder=folder, message_id=False)]
    dovecot.deliver(user, first, folder)
    channel = make_channel(folders=[folder])
    assert poll_channel(sqlite_engine, channel).stored == 2
    before = read_cursor(sqlite_engine, "email", "city")
    assert before is not None

    # The folder is rebuilt (a restore, a migration): same mail, new UIDs, new UIDVALIDITY.
    imap = dovecot.client(user)
    old_validity = imap.folder_status(folder, ["UIDVALIDITY"])[b"UIDVALIDITY"]
    for _ in range(20):
        imap.delete_folder(folder)
        imap.create_folder(folder)
        if imap.folder_status(folder, ["UIDVALIDITY"])[b"UIDVALIDITY"] != old_validity:
            break
        time.sleep(0.2)
    imap.logout()
    dovecot.deliver(user, [*first, complaint(3, folder=folder)], folder)

    result = poll_channel(sqlite_engine, channel)
    assert (result.fetched, result.stored, result.duplicates) == (3, 1, 2)
    assert count(sqlite_engine) == 3
    after = read_cursor(sqlite_engine, "email", "city")
    assert after is not None
    assert after["folders"][folder]["uidvalidity"] != before["folders"][folder]["uidvalidity"]
    assert after["folders"][folder]["last_uid"] == 3


def test_implicit_tls_with_the_ca_file(
    dovecot: Dovecot, user: str, make_channel: ChannelFactory, sqlite_engine: Engine
) -> None:
    dovecot.deliver(user, [complaint(1)])
    channel = make_channel(tls="implicit", port=dovecot.tls_port)
    assert poll_channel(sqlite_engine, channel).stored == 1


def test_starttls_with_the_ca_file(
    dovecot: Dovecot, user: str, make_channel: ChannelFactory
) -> None:
    dovecot.deliver(user, [complaint(1)])
    assert len(make_channel(tls="starttls").fetch(None, 10).messages) == 1


@pytest.mark.parametrize("tls", ["implicit", "starttls"])
def test_certificate_is_verified_by_default(
    dovecot: Dovecot, make_channel: ChannelFactory, tls: str
) -> None:
    port = dovecot.tls_port if tls == "implicit" else dovecot.port
    channel = make_channel(tls=tls, port=port, ca_file=None)
    with pytest.raises(FatalChannelError, match="certificate does not verify"):
        channel.fetch(None, 10)


def test_wrong_password_is_fatal(tmp_path: Path, own_dovecot: Dovecot) -> None:
    config = email_config(own_dovecot, "warga", password=SecretStr("salah"))
    channel = EmailChannel("city", config, ChannelContext(tmp_path))
    with pytest.raises(FatalChannelError, match="login refused") as caught:
        channel.fetch(None, 10)
    assert "salah" not in str(caught.value)


def test_missing_folder_is_fatal(dovecot: Dovecot, make_channel: ChannelFactory) -> None:
    with pytest.raises(FatalChannelError, match="cannot open folder 'Tidak-Ada'"):
        make_channel(folders=["Tidak-Ada"]).fetch(None, 10)


def test_unreachable_host_is_transient(tmp_path: Path, dovecot: Dovecot, user: str) -> None:
    config = email_config(dovecot, user, port=free_port(), timeout_seconds=2)
    channel = EmailChannel("city", config, ChannelContext(tmp_path))
    with pytest.raises(TransientError, match="network error"):
        channel.fetch(None, 10)


def test_connection_dropped_mid_batch_resumes_without_loss_or_duplicate(
    tmp_path: Path, dovecot: Dovecot, user: str, sqlite_engine: Engine
) -> None:
    messages = [complaint(i) + b"x" * 2000 + b"\r\n" for i in range(40)]
    dovecot.deliver(user, messages)
    proxy = CuttingProxy(dovecot.port)
    try:
        config = email_config(dovecot, user, port=proxy.port, batch_size=10, fetch_chunk=5)
        channel = EmailChannel("city", config, ChannelContext(tmp_path))
        assert poll_channel(sqlite_engine, channel, max_batches=1).stored == 10
        proxy.cut_after = 5_000  # the next batch dies inside its first FETCH
        channel.close()
        with pytest.raises(TransientError):
            poll_channel(sqlite_engine, channel)
        assert proxy.cuts >= 1
        assert count(sqlite_engine) == 10  # the cut batch was not committed, cursor unmoved
        proxy.cut_after = None
        result = poll_channel(sqlite_engine, channel)
        assert (result.stored, result.duplicates) == (30, 0)
        keys = stored(sqlite_engine)
        assert len(keys) == len(set(keys)) == 40
        channel.close()
    finally:
        proxy.close()


def test_after_store_seen_sets_the_flag(
    dovecot: Dovecot, user: str, make_channel: ChannelFactory, sqlite_engine: Engine
) -> None:
    dovecot.deliver(user, [complaint(i) for i in range(3)])
    assert poll_channel(sqlite_engine, make_channel(after_store="seen")).stored == 3
    imap = dovecot.client(user)
    imap.select_folder("INBOX", readonly=True)
    assert imap.search(["UNSEEN"]) == []
    assert len(imap.search(["SEEN"])) == 3
    imap.logout()


def test_after_store_move_moves_and_never_deletes(
    dovecot: Dovecot, user: str, make_channel: ChannelFactory, sqlite_engine: Engine
) -> None:
    dovecot.deliver(user, [complaint(i) for i in range(3)])
    imap = dovecot.client(user)
    imap.create_folder("Diproses")
    channel = make_channel(after_store="move", move_to="Diproses")
    assert poll_channel(sqlite_engine, channel).stored == 3
    assert imap.folder_status("INBOX", ["MESSAGES"])[b"MESSAGES"] == 0
    assert imap.folder_status("Diproses", ["MESSAGES"])[b"MESSAGES"] == 3
    dovecot.deliver(user, [complaint(9)])
    assert poll_channel(sqlite_engine, channel).stored == 1
    assert imap.folder_status("Diproses", ["MESSAGES"])[b"MESSAGES"] == 4
    imap.logout()
