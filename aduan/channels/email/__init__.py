"""The ``email`` pull channel: IMAP mailboxes read with imapclient.

A city publishes one or more complaint addresses; each mailbox is one
instance (``[channels.email.<name>]``, see :mod:`.config`). Authentication is
IMAP LOGIN over implicit TLS or STARTTLS, certificates verified.

Cursor (one JSON value per instance, committed with the rows it covers)::

    {"folders": {"INBOX": {"uidvalidity": 1795983620, "last_uid": 812},
                 "Pengaduan": {"uidvalidity": 1795983621, "last_uid": 40}}}

Each poll selects every folder, searches ``UID last+1:*``, keeps ``uid > last``
and fetches ``BODY.PEEK[]`` in chunks; the raw payload is the exact RFC 822
bytes. When a folder's UIDVALIDITY changes, the folder is read again from the
start, and the archive key (Message-ID plus a content hash, :mod:`.keys`)
absorbs every message already stored. After the batch is committed,
``acknowledge`` leaves the mail, sets ``\\Seen`` or moves it; mail is never
deleted. With ``idle = true`` the daemon is woken by IMAP IDLE (:mod:`.idle`).

Sample raw: ``RawMessage(channel="email", account="city",
external_id="<a1@example.com>#sha256:9f2c...", payload=b"From: Warga
<warga@example.com>\\r\\nSubject: Lampu jalan mati\\r\\n...",
content_type="message/rfc822", meta={"folder": "INBOX", "uid": 7,
"uidvalidity": 1795983620})``.

The channel is a :class:`~aduan.channels.replies.Replier`: ``send(Outbound)``
answers in the citizen's thread over the instance's SMTP server (:mod:`.smtp`).

Module map: config (settings), client (IMAP and errors), keys (archive key),
parse + body (``read``), idle (IDLE watcher), backlog (mbox/Maildir import),
smtp (replies).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from email.errors import MessageError
from pathlib import Path

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from aduan.channels.base import ChannelContext, PullChannel
from aduan.channels.email.backlog import exported_messages
from aduan.channels.email.client import (
    Fetched,
    apply_action,
    close_quietly,
    connect,
    fetch_bodies,
    first_uid_since,
    select,
    uids_after,
)
from aduan.channels.email.config import EmailConfig
from aduan.channels.email.idle import IdleWatcher
from aduan.channels.email.keys import external_id, header_block
from aduan.channels.email.parse import parse_date, read_email
from aduan.channels.email.smtp import replier
from aduan.channels.replies import Outbound, Sent
from aduan.core.clock import utcnow
from aduan.core.errors import BadPayload, ChannelError
from aduan.core.logs import get_logger
from aduan.core.messages import Batch, Cursor, Message, RawMessage

log = get_logger("aduan.channels.email")

CONTENT_TYPE = "message/rfc822"


class EmailChannel(PullChannel):
    """One IMAP mailbox."""

    type = "email"
    Config = EmailConfig

    def __init__(self, name: str, config: EmailConfig, context: ChannelContext) -> None:
        super().__init__(name, config, context)
        self.settings: EmailConfig = config
        self._client: IMAPClient | None = None
        self._lock = threading.Lock()
        self._watcher: IdleWatcher | None = None

    @property
    def where(self) -> str:
        return f"email/{self.name} ({self.settings.host}:{self.settings.server_port})"

    # -- connection ---------------------------------------------------------------

    def _connection(self) -> IMAPClient:
        if self._client is not None:
            try:
                self._client.noop()
                return self._client
            except (IMAPClientError, OSError):
                self._drop()
        self._client = connect(self.settings, self.where)
        return self._client

    def _drop(self) -> None:
        if self._client is not None:
            close_quietly(self._client)
            self._client = None

    def close(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
        with self._lock:
            self._drop()

    # -- pull ---------------------------------------------------------------------

    def fetch(self, cursor: Cursor | None, limit: int) -> Batch:
        folders: dict[str, dict[str, int]] = {
            str(k): dict(v) for k, v in dict((cursor or {}).get("folders", {})).items()
        }
        raws: list[RawMessage] = []
        more = False
        with self._lock:
            try:
                client = self._connection()
                for folder in self.settings.folders:
                    uidvalidity = select(client, folder, self.where)
                    state = folders.get(folder)
                    last = 0
                    if state is not None and state.get("uidvalidity") == uidvalidity:
                        last = int(state.get("last_uid", 0))
                    elif state is not None:
                        log.warning(
                            "uidvalidity_changed",
                            channel=self.where,
                            folder=folder,
                            old=state.get("uidvalidity"),
                            new=uidvalidity,
                        )
                    uids = uids_after(client, last, self.where)
                    take = uids[: max(0, limit - len(raws))]
                    more = more or len(take) < len(uids)
                    for found in fetch_bodies(client, take, self.settings.fetch_chunk, self.where):
                        raws.append(self._raw(folder, uidvalidity, found))
                    folders[folder] = {
                        "uidvalidity": uidvalidity,
                        "last_uid": take[-1] if take else last,
                    }
            except ChannelError:
                self._drop()
                raise
        return Batch(raws, {"folders": folders}, more=more)

    def rewind(self, cursor: Cursor | None, since: datetime) -> Cursor:
        """Each folder's cursor moved back to the first message received since ``since``."""
        folders: dict[str, dict[str, int]] = {
            str(k): dict(v) for k, v in dict((cursor or {}).get("folders", {})).items()
        }
        with self._lock:
            try:
                client = self._connection()
                for folder in self.settings.folders:
                    uidvalidity = select(client, folder, self.where)
                    first = first_uid_since(client, since.date(), self.where)
                    state = folders.get(folder, {})
                    last = int(state.get("last_uid", 0))
                    if state.get("uidvalidity") != uidvalidity:
                        last = 0
                    if first is not None:
                        last = min(last, first - 1)
                    folders[folder] = {"uidvalidity": uidvalidity, "last_uid": last}
            except ChannelError:
                self._drop()
                raise
        return {"folders": folders}

    def _raw(self, folder: str, uidvalidity: int, found: Fetched) -> RawMessage:
        return RawMessage(
            channel=self.type,
            account=self.name,
            external_id=external_id(found.body),
            payload=found.body,
            content_type=CONTENT_TYPE,
            received_at=found.internal_date or utcnow(),
            meta={"folder": folder, "uid": found.uid, "uidvalidity": uidvalidity},
        )

    def acknowledge(self, batch: Batch) -> None:
        """Apply ``after_store`` to the committed messages (a failure leaves them in place)."""
        if self.settings.after_store == "leave" or not batch.messages:
            return
        groups: dict[tuple[str, int], list[int]] = {}
        for raw in batch.messages:
            key = (str(raw.meta["folder"]), int(raw.meta["uidvalidity"]))
            groups.setdefault(key, []).append(int(raw.meta["uid"]))
        with self._lock:
            try:
                client = self._connection()
                for (folder, uidvalidity), uids in groups.items():
                    apply_action(client, self.settings, folder, uidvalidity, uids, self.where)
            except ChannelError:
                self._drop()
                raise

    # -- IDLE ---------------------------------------------------------------------

    def watch(self, on_mail: Callable[[], None]) -> bool:
        """Start waiting in IDLE when configured; ``on_mail`` is called on new mail."""
        if not self.settings.idle or self._watcher is not None:
            return False
        self._watcher = IdleWatcher(self.settings, self.where, on_mail)
        self._watcher.start()
        return True

    # -- replies ------------------------------------------------------------------

    def send(self, message: Outbound) -> Sent:
        """One reply over SMTP; :class:`~aduan.channels.replies.SendFailed` otherwise."""
        return replier(self.settings).send(message)

    # -- read and backlog ---------------------------------------------------------

    def read(self, raw: RawMessage) -> Message:
        try:
            return read_email(raw.payload, self.settings.max_attachment_bytes)
        except BadPayload:
            raise
        except (MessageError, ValueError, LookupError, UnicodeError, TypeError) as exc:
            raise BadPayload(f"unreadable email: {type(exc).__name__}: {exc}") from exc
        except (AttributeError, IndexError, KeyError, RecursionError) as exc:
            # the stdlib parser's own failures on broken structure: quarantine, go on
            raise BadPayload(f"unreadable email: {type(exc).__name__}: {exc}") from exc

    def backlog(self, path: Path, columns: Mapping[str, str] | None = None) -> Iterator[RawMessage]:
        """mbox file, Maildir folder or one .eml, keyed exactly like a live fetch."""
        for payload, delivered in exported_messages(path):
            yield RawMessage(
                channel=self.type,
                account=self.name,
                external_id=external_id(payload),
                payload=payload,
                content_type=CONTENT_TYPE,
                received_at=delivered or _date_header(payload) or utcnow(),
                meta={"source": path.name},
            )


def _date_header(payload: bytes) -> datetime | None:
    found = re.search(rb"^date[ \t]*:[ \t]*(.*)$", header_block(payload), re.I | re.M)
    return parse_date(found.group(1).decode("ascii", "replace").strip()) if found else None
