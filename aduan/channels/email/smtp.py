"""Replies by e-mail: one message over SMTP, in the citizen's thread.

The mailbox's instance carries the SMTP settings (``smtp_host``, ``smtp_port``,
``smtp_security`` = ``ssl`` | ``starttls`` | ``none``, ``smtp_username`` and the
secret ``smtp_password`` from the environment, ``from_address``; see
:mod:`.config`). :func:`replier` builds the :class:`SmtpReplier` of an instance;
:class:`~aduan.channels.email.EmailChannel` answers through it, so the outbox
finds it as the channel's ``send``.

The message answers the citizen's: ``In-Reply-To`` is
:attr:`Outbound.in_reply_to` (their Message-ID), ``References`` the thread's
ids (:attr:`Outbound.references`, oldest first) ending with it, ``Subject``
``Re: <their subject>``. The reply's own ``Message-ID`` is new, on the sender's
domain, and made from the outbox key (``<aduan.<32 hex of its SHA-256>@domain>``),
so every attempt at one outbox row carries the same id: when a server took a
message but the answer was lost (a timeout after DATA) and the outbox retries,
mail clients see one message, not two. It is the provider id. Text is UTF-8
(quoted-printable when needed), headers RFC 2047. TLS uses the mailbox's
``verify`` and ``ca_file`` settings, as IMAP does.

Failures (:class:`~aduan.channels.replies.SendFailed`):

* no connection, a timeout, a dropped connection, a 4xx reply (greylisting,
  a full queue, ``421``/``450``/``451``/``452``) -> transient;
* a 5xx reply (``550 no such user``, ``535`` bad login, ``554``), a certificate
  that does not verify, a server without STARTTLS, a recipient that is not a
  ``mailto:`` identity, no SMTP configured -> permanent.

Reasons carry the server's reply code and words with addresses masked, never
the recipient: ``smtp: 550 5.1.1 <email>: Recipient address rejected``.

Sample message::

    From: Pengaduan Kota <pengaduan@example.go.id>
    To: warga@example.com
    Subject: Re: Lampu jalan mati
    Message-ID: <173....@example.go.id>
    In-Reply-To: <a1@example.com>
    References: <a0@example.com> <a1@example.com>
    Content-Type: text/plain; charset="utf-8"
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from aduan.channels.email.client import ssl_context
from aduan.channels.email.config import EmailConfig
from aduan.channels.replies import Outbound, SendFailed, Sent
from aduan.channels.sms.outbound import detail

NAME = "smtp"
MAX_REFERENCES = 20


def recipient_address(recipient: str) -> str:
    """The address of a ``mailto:`` identity; anything else is refused for good."""
    kind, _, address = recipient.partition(":")
    _, parsed = parseaddr(address)
    if kind != "mailto" or "@" not in parsed or parsed != address.strip():
        raise SendFailed(f"{NAME}: recipient is not an e-mail address ({kind}:)", transient=False)
    return parsed


def reply_subject(subject: str | None, default: str) -> str:
    """``Re: <subject>`` (once), or ``default`` when the citizen wrote none."""
    text = " ".join((subject or "").split())
    if not text:
        return default
    return text if text.lower().startswith("re:") else f"Re: {text}"


def msg_id(value: str) -> str | None:
    """A Message-ID in angle brackets (the parser keeps them bare); None when unusable."""
    bare = value.strip().removeprefix("<").removesuffix(">").strip()
    if not bare or any(c in bare for c in "<> \t\r\n") or len(bare) > 300:
        return None
    return f"<{bare}>"


def thread(in_reply_to: str | None, references: tuple[str, ...]) -> list[str]:
    """The References list: the thread's ids, oldest first, ending with ``in_reply_to``."""
    ids: list[str] = []
    for ref in (*references, in_reply_to or ""):
        found = msg_id(ref)
        if found and found not in ids:
            ids.append(found)
        elif found:  # answering an earlier message again: it moves to the end
            ids.remove(found)
            ids.append(found)
    # RFC 5322 3.6.4: keep the first and the most recent ones when the list is long.
    return ids if len(ids) <= MAX_REFERENCES else ids[:1] + ids[-(MAX_REFERENCES - 1) :]


def reply_id(key: str, domain: str) -> str:
    """The reply's Message-ID: the same for every attempt at one outbox row."""
    if not key:
        return make_msgid(domain=domain)
    return f"<aduan.{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


class SmtpReplier:
    """Sends an instance's replies through its SMTP server (a connection per message)."""

    def __init__(self, config: EmailConfig) -> None:
        self.config = config

    @property
    def sender(self) -> str:
        config = self.config
        logins = (config.smtp_username or "", config.username)
        sender = config.from_address or next((name for name in logins if "@" in name), None)
        if not config.smtp_host or not sender:
            raise SendFailed(
                f"{NAME}: replies are not configured (set smtp_host and from_address)",
                transient=False,
            )
        return sender

    def compose(self, message: Outbound) -> EmailMessage:
        """The reply as it goes on the wire (without sending it)."""
        sender = self.sender
        to = recipient_address(message.recipient)
        domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
        mail = EmailMessage()
        mail["From"] = sender
        mail["To"] = Address(addr_spec=to)
        mail["Subject"] = reply_subject(message.subject, self.config.reply_subject)
        mail["Date"] = formatdate(localtime=False, usegmt=True)
        mail["Message-ID"] = reply_id(message.key, domain)
        ids = thread(message.in_reply_to, message.references)
        parent = msg_id(message.in_reply_to or "")
        if parent:
            mail["In-Reply-To"] = parent
        if ids:
            mail["References"] = " ".join(ids)
        mail["Auto-Submitted"] = "auto-replied"  # RFC 3834: no auto-answer loops
        mail.set_content(message.text, charset="utf-8")
        return mail

    def send(self, message: Outbound) -> Sent:
        mail = self.compose(message)
        try:
            server = self._connect()
            try:
                self._login(server)
                refused = server.send_message(mail)
            finally:
                _quit(server)
        except SendFailed:
            raise
        except smtplib.SMTPRecipientsRefused as exc:
            code, said = next(iter(exc.recipients.values()), (550, b""))
            raise failure(code, said) from None
        except smtplib.SMTPResponseException as exc:  # sender, data, auth, connect refusals
            raise failure(exc.smtp_code, exc.smtp_error) from None
        except smtplib.SMTPNotSupportedError:
            raise SendFailed(
                f"{NAME}: the server does not offer STARTTLS", transient=False
            ) from None
        except FileNotFoundError:
            reason = f"{NAME}: ca_file {self.config.ca_file} does not exist"
            raise SendFailed(reason, transient=False) from None
        except ssl.SSLCertVerificationError as exc:
            reason = f"{NAME}: the server's certificate does not verify ({exc.verify_message})"
            raise SendFailed(reason, transient=False) from None
        except (smtplib.SMTPException, OSError) as exc:  # disconnected, refused, timeout, TLS
            reason = f"{NAME}: connection failed ({type(exc).__name__})"
            raise SendFailed(reason, transient=True) from None
        if refused:  # only one recipient: a partial refusal is not possible, but be sure
            code, said = next(iter(refused.values()))
            raise failure(code, said)
        return Sent(provider_id=str(mail["Message-ID"]))

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        host, port = str(config.smtp_host), config.smtp_server_port
        timeout = config.timeout_seconds
        if config.smtp_security == "ssl":
            return smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl_context(config))
        server = smtplib.SMTP(host, port, timeout=timeout)
        try:
            if config.smtp_security == "starttls":
                server.starttls(context=ssl_context(config))
        except BaseException:
            server.close()
            raise
        return server

    def _login(self, server: smtplib.SMTP) -> None:
        config = self.config
        if not config.smtp_username:
            return
        if config.smtp_password is None:
            raise SendFailed(f"{NAME}: smtp_username is set without smtp_password", transient=False)
        server.login(config.smtp_username, config.smtp_password.get_secret_value())


def _quit(server: smtplib.SMTP) -> None:
    """Say QUIT; the message is already taken or refused, so its answer changes nothing."""
    try:
        server.quit()
    except (smtplib.SMTPException, OSError):
        server.close()


def failure(code: int, said: bytes | str) -> SendFailed:
    """An SMTP reply as a failure: 4xx transient, anything else permanent."""
    text = said.decode("utf-8", "replace") if isinstance(said, bytes) else str(said)
    reason = f"{NAME}: {code}" + (f" {detail(text)}" if text.strip() else "")
    return SendFailed(reason, transient=400 <= code < 500)


def replier(config: EmailConfig) -> SmtpReplier:
    """The replier of a mailbox instance (sending fails for good until SMTP is configured)."""
    return SmtpReplier(config)


__all__ = ["SmtpReplier", "failure", "replier", "reply_id", "reply_subject", "thread"]
