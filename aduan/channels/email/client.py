"""The IMAP side of the email channel: connect, read folders by UID, apply the after-store action.

Every socket operation has a timeout (``SocketTimeout(connect, read)``). TLS is
implicit (IMAPS, port 993) or a STARTTLS upgrade, certificates verified by
default against the system store or ``ca_file``. Failures map onto
:mod:`aduan.core.errors`:

* a refused login, a certificate that does not verify, a missing folder or a
  server without STARTTLS/MOVE -> :class:`FatalChannelError` (a person must act);
* an unreachable host, a timeout, a dropped connection, a server BYE ->
  :class:`TransientError` (retry later; the cursor did not move).

Mail is read with ``BODY.PEEK[]`` (flags untouched) and never deleted.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from imapclient import IMAPClient, SocketTimeout
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError

from aduan.channels.email.config import EmailConfig
from aduan.core.errors import FatalChannelError, TransientError


@dataclass(frozen=True, slots=True)
class Fetched:
    """One message as the server holds it."""

    uid: int
    body: bytes
    internal_date: datetime | None


@contextmanager
def imap_errors(where: str) -> Iterator[None]:
    """Turn library and socket errors into aduan's error tree, naming ``where``."""
    try:
        yield
    except (FatalChannelError, TransientError):
        raise
    except LoginError as exc:
        text = _text(exc)
        if "UNAVAILABLE" in text.upper():
            raise TransientError(f"{where}: server cannot log in right now: {text}") from exc
        raise FatalChannelError(
            f"{where}: login refused (check username and password): {text}"
        ) from exc
    except ssl.SSLCertVerificationError as exc:
        raise FatalChannelError(
            f"{where}: the server's TLS certificate does not verify ({exc.verify_message}); "
            "set ca_file for a private certificate"
        ) from exc
    except IMAPClientAbortError as exc:
        raise TransientError(f"{where}: connection lost: {_text(exc)}") from exc
    except TimeoutError as exc:
        raise TransientError(f"{where}: timed out") from exc
    except OSError as exc:  # refused, unreachable, reset, EOF, TLS failures
        raise TransientError(f"{where}: network error: {exc}") from exc
    except IMAPClientError as exc:
        text = _text(exc)
        if any(word in text.upper() for word in ("UNAVAILABLE", "BYE", "SOCKET", "EOF")):
            raise TransientError(f"{where}: {text}") from exc
        raise FatalChannelError(f"{where}: server refused: {text}") from exc


def _text(exc: BaseException) -> str:
    text = str(exc)
    return text[:300] if text else type(exc).__name__


def ssl_context(config: EmailConfig) -> ssl.SSLContext:
    """Verification on by default; ``ca_file`` for a private CA; ``verify=false`` only if asked."""
    context = ssl.create_default_context(cafile=str(config.ca_file) if config.ca_file else None)
    if not config.verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def connect(config: EmailConfig, where: str) -> IMAPClient:
    """A logged-in connection to the mailbox."""
    timeout = SocketTimeout(connect=config.timeout_seconds, read=config.timeout_seconds)
    if config.ca_file is not None and not config.ca_file.is_file():
        raise FatalChannelError(f"{where}: ca_file {config.ca_file} is not a readable file")
    with imap_errors(where):
        context = ssl_context(config) if config.tls != "none" else None
        client = IMAPClient(
            config.host,
            port=config.server_port,
            ssl=config.tls == "implicit",
            ssl_context=context,
            timeout=timeout,
        )
        client.normalise_times = False  # INTERNALDATE with its zone, not naive local time
        try:
            if config.tls == "starttls":
                if b"STARTTLS" not in client.capabilities():
                    raise FatalChannelError(f"{where}: server does not offer STARTTLS")
                client.starttls(ssl_context=context)
            password = config.password.get_secret_value() if config.password else ""
            client.login(config.username, password)
        except BaseException:
            close_quietly(client)
            raise
    return client


def close_quietly(client: IMAPClient) -> None:
    """Log out, or drop the socket when the connection is already dead."""
    try:
        client.logout()
    except (IMAPClientError, OSError):
        with suppress(IMAPClientError, OSError):
            client.shutdown()


def select(client: IMAPClient, folder: str, where: str, *, readonly: bool = True) -> int:
    """Select ``folder``; return its UIDVALIDITY."""
    with imap_errors(where):
        try:
            info: dict[bytes, Any] = client.select_folder(folder, readonly=readonly)
        except IMAPClientAbortError:
            raise
        except IMAPClientError as exc:
            raise FatalChannelError(
                f"{where}: cannot open folder {folder!r}: {_text(exc)}"
            ) from exc
    return int(info[b"UIDVALIDITY"])


def uids_after(client: IMAPClient, last_uid: int, where: str) -> list[int]:
    """UIDs above ``last_uid`` in the selected folder, ascending.

    ``UID n:*`` always includes the highest UID even when it is below n
    (RFC 3501 6.4.8), so the answer is filtered here.
    """
    with imap_errors(where):
        found = client.search(["UID", f"{last_uid + 1}:*"])
    return sorted(uid for uid in found if uid > last_uid)


def first_uid_since(client: IMAPClient, since: date, where: str) -> int | None:
    """The lowest UID of the selected folder received on or after ``since``."""
    with imap_errors(where):
        found = client.search(["SINCE", since])
    return min(found) if found else None


def fetch_bodies(
    client: IMAPClient, uids: Sequence[int], chunk: int, where: str
) -> Iterator[Fetched]:
    """The exact RFC 822 bytes of ``uids`` with ``BODY.PEEK[]`` (\\Seen untouched)."""
    for start in range(0, len(uids), chunk):
        part = list(uids[start : start + chunk])
        with imap_errors(where):
            answer: dict[int, dict[bytes, Any]] = client.fetch(
                part, ["BODY.PEEK[]", "INTERNALDATE"]
            )
        for uid in part:
            data = answer.get(uid)
            if data is None or b"BODY[]" not in data:
                continue  # expunged by someone else between SEARCH and FETCH
            body = data[b"BODY[]"]
            when = data.get(b"INTERNALDATE")
            yield Fetched(uid, bytes(body or b""), when if isinstance(when, datetime) else None)


def apply_action(
    client: IMAPClient,
    config: EmailConfig,
    folder: str,
    uidvalidity: int,
    uids: Sequence[int],
    where: str,
) -> None:
    """Set \\Seen on, or move, messages already stored. Never deletes."""
    if config.after_store == "leave" or not uids:
        return
    if select(client, folder, where, readonly=False) != uidvalidity:
        return  # the folder was rebuilt since the fetch: those UIDs name other messages
    with imap_errors(where):
        if config.after_store == "seen":
            client.add_flags(list(uids), [b"\\Seen"], silent=True)
        else:
            assert config.move_to is not None
            if not client.has_capability("MOVE"):
                raise FatalChannelError(
                    f"{where}: server lacks IMAP MOVE; use after_store = 'seen' (aduan never "
                    "deletes mail, so it cannot emulate a move)"
                )
            client.move(list(uids), config.move_to)
