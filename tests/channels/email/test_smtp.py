"""Replies by e-mail, end to end through a real OpenSMTPD into the Dovecot mailboxes.

The citizen's complaint goes in over SMTP to the city's mailbox, the email
channel reads it over IMAP, answers it with ``send``; the answer is read back
from the citizen's mailbox over IMAP and threads with what they wrote (IMAP
``THREAD REFERENCES``). Refusals that a real server does not give on cue
(greylisting, a full mailbox) come from a scripted SMTP server.
"""

from __future__ import annotations

import email
import email.policy
import logging
import smtplib
import time
import uuid
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from aduan.channels.base import ChannelContext
from aduan.channels.email import EmailChannel
from aduan.channels.email.config import EmailConfig
from aduan.channels.email.smtp import reply_subject, thread
from aduan.channels.replies import Outbound, Replier, SendFailed
from tests.channels.email import smtp_stub
from tests.helpers import dovecot as dovecot_helper
from tests.helpers import opensmtpd
from tests.helpers.databases import skip_or_fail

TEXT = "Terima kasih, aduan Anda ADU-2026-000123 sudah kami terima. Lampu akan diperbaiki ✓"


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[dovecot_helper.Dovecot, opensmtpd.OpenSmtpd]]:
    if not (dovecot_helper.available() and dovecot_helper.lmtp_available()):
        skip_or_fail("dovecot-imapd and dovecot-lmtpd are not installed")
    if not opensmtpd.available():
        skip_or_fail("opensmtpd is not installed (or not root, which smtpd needs)")
    dovecot = dovecot_helper.Dovecot(lmtp=True).start()
    smtpd = opensmtpd.OpenSmtpd(dovecot).start()
    yield dovecot, smtpd
    smtpd.cleanup()
    dovecot.cleanup()


def address() -> str:
    return f"warga{uuid.uuid4().hex[:8]}@example.com"


def config(
    dovecot: dovecot_helper.Dovecot, smtpd: opensmtpd.OpenSmtpd, city: str, **smtp: Any
) -> EmailConfig:
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": dovecot.port,
        "tls": "starttls",
        "ca_file": dovecot.cert,
        "username": city,
        "password": SecretStr(dovecot_helper.PASSWORD),
        "timeout_seconds": 10,
        "smtp_host": "127.0.0.1",
        "smtp_port": smtpd.port,
        "smtp_security": "none",
        "from_address": f"Pengaduan Jaksel <{city}>",
    }
    values.update(smtp)
    return EmailConfig(**values)


def stub_config(port: int, **values: Any) -> EmailConfig:
    settings: dict[str, Any] = {
        "host": "127.0.0.1",
        "username": "pengaduan@jaksel.go.id",
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_security": "none",
        "timeout_seconds": 5,
    }
    return EmailConfig(**{**settings, **values})


def channel(cfg: EmailConfig, tmp_path: Path) -> EmailChannel:
    return EmailChannel("city", cfg, ChannelContext(tmp_path))


def wait_for(dovecot: dovecot_helper.Dovecot, user: str, count: int) -> list[EmailMessage]:
    """The messages of ``user``'s INBOX once there are ``count`` (delivery is queued)."""
    deadline = time.monotonic() + 15
    client = dovecot.client(user)
    try:
        while True:
            client.select_folder("INBOX")
            uids = client.search(["ALL"])
            if len(uids) >= count or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        fetched = client.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
        return [
            email.message_from_bytes(fetched[uid][b"BODY[]"], policy=email.policy.default)  # type: ignore[misc]
            for uid in uids
        ]
    finally:
        client.logout()


def complaint(citizen: str, city: str, message_id: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = f"Sari Warga <{citizen}>"
    mail["To"] = city
    mail["Subject"] = "Lampu jalan mati di Jl. Kemang"
    mail["Message-ID"] = message_id
    mail["References"] = "<earlier@example.com>"
    mail.set_content("Lampu jalan mati sejak seminggu, mohon diperbaiki.")
    return mail


def test_reply_lands_in_the_citizens_thread(servers: Any, tmp_path: Path) -> None:
    dovecot, smtpd = servers
    citizen, city = address(), f"pengaduan{uuid.uuid4().hex[:6]}@jaksel.go.id"
    original_id = f"<{uuid.uuid4().hex}@example.com>"
    sent_copy = complaint(citizen, city, original_id)
    with smtplib.SMTP("127.0.0.1", smtpd.port, timeout=10) as smtp:  # the citizen writes in
        smtp.send_message(sent_copy)
    dovecot.deliver(citizen, [sent_copy.as_bytes()])  # and keeps what they sent
    assert wait_for(dovecot, city, 1)

    mailbox = channel(config(dovecot, smtpd, city), tmp_path)
    try:
        assert isinstance(mailbox, Replier)
        [raw] = mailbox.fetch(None, 10).messages
        message = mailbox.read(raw)
        assert f"<{message.ref}>" == original_id  # the parser keeps ids bare
        outbound = Outbound(
            key="complaint-1:received:" + message.identities[0],
            recipient=message.identities[0],
            text=TEXT,
            subject=message.subject,
            in_reply_to=message.ref,
            references=tuple(reversed(message.refs)),
        )
        sent = mailbox.send(outbound)
    finally:
        mailbox.close()

    inbox = wait_for(dovecot, citizen, 2)
    [reply] = [m for m in inbox if m["Message-ID"] != original_id]
    assert reply["Message-ID"] == sent.provider_id and sent.status == "sent"
    assert reply["In-Reply-To"] == original_id
    assert reply["References"].split() == ["<earlier@example.com>", original_id]
    assert reply["Subject"] == "Re: Lampu jalan mati di Jl. Kemang"
    assert reply["From"].addresses[0].addr_spec == city
    assert reply["Auto-Submitted"] == "auto-replied"
    body = reply.get_body()
    assert body is not None and body.get_content().strip() == TEXT
    assert reply.get_content_charset() == "utf-8"

    client = dovecot.client(citizen)
    try:
        client.select_folder("INBOX")
        threads = client.thread(algorithm="REFERENCES")
    finally:
        client.logout()
    assert [len(_flatten(t)) for t in threads] == [2]  # one thread: complaint and reply


def _flatten(node: Any) -> list[int]:
    if isinstance(node, int):
        return [node]
    return [uid for child in node for uid in _flatten(child)]


LOGIN = ("pengaduan@jaksel.go.id", "rahasia-smtp")


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_and_login(servers: Any, security: str) -> None:
    dovecot, _ = servers  # its certificate (for 127.0.0.1) serves the scripted server
    script = smtp_stub.Script(
        cert=dovecot.cert,
        key=dovecot.root / "key.pem",
        implicit=security == "ssl",
        login=LOGIN,
    )
    to = address()
    with smtp_stub.serve(script) as port:
        cfg = stub_config(
            port,
            smtp_security=security,
            smtp_username=LOGIN[0],
            smtp_password=SecretStr(LOGIN[1]),
            ca_file=dovecot.cert,
        )
        sent = EmailChannel("city", cfg, ChannelContext(Path("."))).send(
            Outbound(key="k", recipient=f"mailto:{to}", text=TEXT)
        )
    assert script.logged_in == LOGIN[0]
    assert f"rcpt TO:<{to}>" in script.seen
    assert f"Message-ID: {sent.provider_id}" in script.seen
    assert "Subject: Tanggapan atas aduan Anda" in script.seen
    assert ("STARTTLS" in script.seen) is (security == "starttls")


def test_wrong_password_is_permanent(servers: Any) -> None:
    dovecot, _ = servers
    script = smtp_stub.Script(cert=dovecot.cert, key=dovecot.root / "key.pem", login=LOGIN)
    with smtp_stub.serve(script) as port:
        cfg = stub_config(
            port,
            smtp_security="starttls",
            smtp_username=LOGIN[0],
            smtp_password=SecretStr("salah"),
            ca_file=dovecot.cert,
        )
        with pytest.raises(SendFailed) as failed:
            EmailChannel("city", cfg, ChannelContext(Path("."))).send(
                Outbound(key="k", recipient=f"mailto:{address()}", text="x")
            )
    assert not failed.value.transient
    assert failed.value.reason == "smtp: 535 5.7.8 Authentication credentials invalid"


def test_unknown_certificate_is_permanent(servers: Any) -> None:
    dovecot, _ = servers
    script = smtp_stub.Script(cert=dovecot.cert, key=dovecot.root / "key.pem", implicit=True)
    with smtp_stub.serve(script) as port:
        cfg = stub_config(port, smtp_security="ssl")  # the system's CAs do not know it
        with pytest.raises(SendFailed) as failed:
            EmailChannel("city", cfg, ChannelContext(Path("."))).send(
                Outbound(key="k", recipient=f"mailto:{address()}", text="x")
            )
    assert not failed.value.transient
    assert "certificate does not verify" in failed.value.reason


def test_starttls_not_offered_is_permanent(servers: Any, tmp_path: Path) -> None:
    dovecot, smtpd = servers  # the plain listener has no certificate: no STARTTLS
    cfg = config(dovecot, smtpd, "pengaduan@jaksel.go.id", smtp_security="starttls")
    with pytest.raises(SendFailed) as failed:
        channel(cfg, tmp_path).send(Outbound(key="k", recipient=f"mailto:{address()}", text="x"))
    assert not failed.value.transient
    assert "STARTTLS" in failed.value.reason


REFUSALS = [
    # (label, greeting, replies, transient, reason starts with)
    ("greylisted", None, {"RCPT": "451 4.7.1 Greylisted, try again later"}, True, "smtp: 451"),
    ("queue full", None, {"END": "452 4.3.1 Insufficient system storage"}, True, "smtp: 452"),
    ("busy at greeting", "421 4.3.2 Too busy", {}, True, "smtp: 421"),
    ("no such user", None, {"RCPT": "550 5.1.1 <{to}>: Recipient rejected"}, False, "smtp: 550"),
    ("sender refused", None, {"MAIL": "553 5.7.1 Sender not allowed"}, False, "smtp: 553"),
    ("content refused", None, {"END": "554 5.7.1 Spam detected"}, False, "smtp: 554"),
    ("hangs up", None, {"DATA": "421 4.4.2 Bye"}, True, "smtp: 421"),
]


@pytest.mark.parametrize(
    ("label", "greeting", "replies", "transient", "reason"),
    REFUSALS,
    ids=[case[0] for case in REFUSALS],
)
def test_refusals(
    label: str,
    greeting: str | None,
    replies: dict[str, str],
    transient: bool,
    reason: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    to = address()
    script = smtp_stub.Script(replies={k: v.format(to=to) for k, v in replies.items()})
    if greeting:
        script.greeting = greeting
    caplog.set_level(logging.DEBUG)
    with smtp_stub.serve(script) as port:
        replier = EmailChannel("city", stub_config(port), ChannelContext(Path(".")))
        with pytest.raises(SendFailed) as failed:
            replier.send(Outbound(key="k", recipient=f"mailto:{to}", text=TEXT))
    assert failed.value.transient is transient
    assert failed.value.reason.startswith(reason)
    assert to not in failed.value.reason and to not in caplog.text


def test_accepted_by_a_scripted_server(caplog: pytest.LogCaptureFixture) -> None:
    to = address()
    script = smtp_stub.Script()
    caplog.set_level(logging.DEBUG)
    with smtp_stub.serve(script) as port:
        sent = EmailChannel("city", stub_config(port), ChannelContext(Path("."))).send(
            Outbound(key="k", recipient=f"mailto:{to}", text=TEXT, subject="Re: Got mampet")
        )
    assert f"rcpt TO:<{to}>" in script.seen
    assert "Subject: Re: Got mampet" in script.seen
    assert f"Message-ID: {sent.provider_id}" in script.seen
    assert to not in caplog.text


def test_connection_refused_is_transient() -> None:
    with smtp_stub.serve(smtp_stub.Script()) as port:
        pass  # closed again: nothing listens on the port now
    with pytest.raises(SendFailed) as failed:
        EmailChannel("city", stub_config(port), ChannelContext(Path("."))).send(
            Outbound(key="k", recipient=f"mailto:{address()}", text=TEXT)
        )
    assert failed.value.transient
    assert failed.value.reason == "smtp: connection failed (ConnectionRefusedError)"


@pytest.mark.parametrize(
    ("recipient", "values", "words"),
    [
        ("tel:+6281200012345", {}, "recipient is not an e-mail address (tel:)"),
        ("mailto:not-an-address", {}, "recipient is not an e-mail address (mailto:)"),
        ("mailto:a@example.com", {"smtp_host": None}, "replies are not configured"),
        ("mailto:a@example.com", {"smtp_username": "u"}, "without smtp_password"),
    ],
)
def test_not_sendable_is_permanent(recipient: str, values: dict[str, Any], words: str) -> None:
    with smtp_stub.serve(smtp_stub.Script()) as port:
        cfg = stub_config(port).model_copy(update=values)
        with pytest.raises(SendFailed) as failed:
            EmailChannel("city", cfg, ChannelContext(Path("."))).send(
                Outbound(key="k", recipient=recipient, text=TEXT)
            )
    assert not failed.value.transient
    assert words in failed.value.reason
    assert "+6281200012345" not in failed.value.reason


def test_subject_and_references() -> None:
    assert reply_subject("Lampu  mati", "x") == "Re: Lampu mati"
    assert reply_subject("RE: Lampu mati", "x") == "RE: Lampu mati"
    assert reply_subject(None, "Tanggapan") == "Tanggapan"
    assert thread("<b@x>", ("<a@x>",)) == ["<a@x>", "<b@x>"]
    assert thread("<b@x>", ("<a@x>", "<b@x>")) == ["<a@x>", "<b@x>"]
    assert thread("b@x", ("a@x", "not an id", "")) == ["<a@x>", "<b@x>"]
    long = tuple(f"<{n}@x>" for n in range(30))
    kept = thread("<last@x>", long)
    assert len(kept) == 20 and kept[0] == "<0@x>" and kept[-1] == "<last@x>"


def test_security_none_needs_loopback() -> None:
    with pytest.raises(ValueError, match="smtp_security = 'none'"):
        EmailConfig(
            host="127.0.0.1", username="u", smtp_host="smtp.example.org", smtp_security="none"
        )


def test_smtp_password_comes_only_from_the_environment(tmp_path: Path) -> None:
    from aduan.core.errors import ConfigError
    from aduan.runtime.loader import load_settings

    table = '[channels.email.city]\nhost = "127.0.0.1"\nusername = "p@jaksel.go.id"\n'
    table += 'smtp_host = "127.0.0.1"\nsmtp_username = "p@jaksel.go.id"\n'
    env = {
        "ADUAN_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}",
        "ADUAN_DATA_DIR": str(tmp_path / "data"),
        "ADUAN_CHANNELS__EMAIL__CITY__PASSWORD": "imap-rahasia",
    }
    leaked = tmp_path / "leaked.toml"
    leaked.write_text(table + 'smtp_password = "bocor"\n')
    with pytest.raises(ConfigError) as refused:
        load_settings(leaked, env=env)
    assert "ADUAN_CHANNELS__EMAIL__CITY__SMTP_PASSWORD" in str(refused.value)
    assert "bocor" not in str(refused.value)

    good = tmp_path / "aduan.toml"
    good.write_text(table)
    secret = "smtp-rahasia-9"
    env["ADUAN_CHANNELS__EMAIL__CITY__SMTP_PASSWORD"] = secret
    settings = load_settings(good, env=env)
    config = EmailConfig.model_validate(settings.channels["email"]["city"])
    assert config.smtp_password is not None and config.smtp_password.get_secret_value() == secret
    described = EmailChannel("city", config, ChannelContext(tmp_path)).describe()
    assert secret not in described and "smtp_password='********'" in described


def test_every_attempt_at_one_row_has_one_message_id() -> None:
    script = smtp_stub.Script(replies={"QUIT": "421 4.4.2 Closing, but the message is taken"})
    with smtp_stub.serve(script) as port:
        mailbox = EmailChannel("city", stub_config(port), ChannelContext(Path(".")))
        first, again, other = (
            mailbox.send(Outbound(key=key, recipient=f"mailto:{address()}", text=TEXT))
            for key in ("row-1", "row-1", "row-2")
        )
    assert first.provider_id == again.provider_id != other.provider_id
    assert str(first.provider_id).endswith("@jaksel.go.id>")  # a bad QUIT changes nothing


def test_missing_ca_file_is_permanent(tmp_path: Path) -> None:
    with smtp_stub.serve(smtp_stub.Script()) as port:
        cfg = stub_config(port, smtp_security="starttls", ca_file=tmp_path / "none.pem")
        with pytest.raises(SendFailed) as failed:
            EmailChannel("city", cfg, ChannelContext(tmp_path)).send(
                Outbound(key="k", recipient=f"mailto:{address()}", text=TEXT)
            )
    assert not failed.value.transient and "does not exist" in failed.value.reason
