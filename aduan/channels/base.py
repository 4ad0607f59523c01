"""The channel contract: what every channel adapter gives and takes.

A channel turns one provider's traffic into :class:`RawMessage` rows (stored
verbatim before anything else happens) and later reads each of those rows
into the common parsed :class:`Message`.

* Pull channels (email, X, Telegram polling, news feeds) implement
  ``fetch(cursor, limit) -> Batch``. The caller stores ``batch.messages`` and
  ``batch.next_cursor`` in one transaction, then calls ``acknowledge(batch)``.
* Push channels (SMS gateways, Facebook, Telegram webhook, Open311, walk-in)
  implement ``verify(request)`` and ``parse(request) -> list[RawMessage]``.
  The web layer answers 2xx only after the rows are committed.
* Both implement a pure ``read(raw) -> Message``; whatever it raises reaches
  the caller as a ``BadPayload`` (:mod:`aduan.channels.guard`).

Adapters never commit, never sleep and never retry: they raise the errors of
:mod:`aduan.errors` and the scheduler or the web layer decides.

Sample: an SMS from a Twilio webhook becomes ``RawMessage(channel="sms",
account="twilio_main", external_id="SM123...", payload=b"From=%2B62811...",
content_type="application/x-www-form-urlencoded", ...)`` and then
``Message(text="Lampu jalan mati", identities=("tel:+628111272206",), ...)``.
"""

from __future__ import annotations

import builtins
import hashlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from aduan.channels.guard import guard_read
from aduan.errors import BadPayload, FatalChannelError

Cursor = dict[str, Any]
"""A pull channel's position, JSON-serialisable, owned by the channel."""


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class RawMessage:
    """One message exactly as the source delivered it, before any parsing.

    ``(channel, account, external_id)`` is unique in the store: a re-fetch, a
    gateway retry or a replay never adds a second row.
    """

    channel: str
    account: str
    external_id: str
    payload: bytes
    content_type: str
    received_at: datetime
    meta: Mapping[str, Any] = field(default_factory=dict)
    """Small facts ``read`` needs that are not in the payload (charset, folder, request path)."""

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.payload).hexdigest()


@dataclass(slots=True)
class Batch:
    """What one ``fetch`` returns: the messages and the cursor that covers them."""

    messages: list[RawMessage]
    next_cursor: Cursor
    more: bool = False
    """True when the source has more right now (the caller may fetch again at once)."""


class Disposition(StrEnum):
    """What the normalizer should make of a message."""

    COMPLAINT = "complaint"  # a complaint, or a follow-up when ``refs`` point at an earlier one
    EDIT = "edit"  # replaces the text of the message named by ``edit_of``
    IGNORE = "ignore"  # kept raw, not a complaint (auto-reply, command, own post, off-topic item)


class Attachment(BaseModel):
    """A file that came with a message. ``data`` is kept content-addressed by the store."""

    model_config = ConfigDict(frozen=True)

    filename: str | None = None
    content_type: str = "application/octet-stream"
    size: int | None = None
    sha256: str | None = None
    url: str | None = None  # where the provider keeps it, when it was not fetched
    data: bytes | None = Field(default=None, exclude=True, repr=False)


class Location(BaseModel):
    model_config = ConfigDict(frozen=True)

    lat: float | None = None
    lon: float | None = None
    address: str | None = None


class Fragment(BaseModel):
    """Part ``index`` of ``total`` of a message the gateway split (concatenated SMS)."""

    model_config = ConfigDict(frozen=True)

    group: str
    index: int
    total: int


class Message(BaseModel):
    """The common parsed form of any channel's message."""

    model_config = ConfigDict(frozen=True)

    text: str
    identities: tuple[str, ...] = ()
    """The sender's identities as prefixed strings, most specific first (``tel:+62...``)."""
    display_name: str | None = None
    sent_at: datetime | None = None
    disposition: Disposition = Disposition.COMPLAINT
    ignore_reason: str | None = None
    subject: str | None = None
    language: str | None = None
    attachments: tuple[Attachment, ...] = ()
    location: Location | None = None
    ref: str | None = None
    """The id other messages use to answer this one (an email's Message-ID)."""
    refs: tuple[str, ...] = ()
    """Ids of earlier messages this one answers (In-Reply-To, References, reply_to)."""
    edit_of: str | None = None
    """For ``EDIT``: the external id of the message being replaced."""
    linked_identities: tuple[str, ...] = ()
    """Identities the message proves belong to the sender (a shared contact's phone)."""
    fragment: Fragment | None = None
    extra: dict[str, Any] = Field(default_factory=dict)
    """Channel-specific facts worth keeping (partner ids, flags such as an unparsable phone)."""


class ChannelConfig(BaseModel):
    """Settings common to every channel instance; each channel extends it.

    Secrets are ``SecretStr`` fields and may only come from the environment or
    the secrets file, never from the committed config file.
    """

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(True, description="Poll or accept this instance.")
    cadence_seconds: float = Field(60.0, gt=0, description="How often the daemon polls it.")
    batch_size: int = Field(100, gt=0, le=10_000, description="Messages per fetch.")
    max_body_bytes: int = Field(
        1_000_000, gt=0, description="Largest webhook body accepted (413 above)."
    )
    max_attachment_bytes: int = Field(
        10_000_000, gt=0, description="Attachments above this are recorded but not kept."
    )


@dataclass(frozen=True, slots=True)
class ChannelContext:
    """What the runtime lends an adapter: where to keep files, the public URL."""

    data_dir: Path
    public_url: str = "http://127.0.0.1:8080"
    nik_key: Callable[[], bytes] | None = field(default=None, repr=False, compare=False)
    """The store's key for NIK hashes, fetched on first use (channels that take a NIK)."""


class Channel(ABC):
    """Base of every channel adapter."""

    type: ClassVar[str]
    Config: ClassVar[builtins.type[ChannelConfig]]

    def __init__(self, name: str, config: ChannelConfig, context: ChannelContext) -> None:
        self.name = name
        self.config = config
        self.context = context

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "read" in cls.__dict__:  # any exception in a read is the channel's BadPayload
            setattr(cls, "read", guard_read(cls.__dict__["read"]))  # noqa: B010

    def describe(self) -> str:
        """One line for operators; secrets masked."""
        fields = []
        for key, value in self.config:
            shown = "********" if isinstance(value, SecretStr) and value else value
            fields.append(f"{key}={shown!r}")
        return f"{self.type}/{self.name} ({', '.join(fields)})"

    @abstractmethod
    def read(self, raw: RawMessage) -> Message:
        """Parse one stored raw message. Pure; raises :class:`~aduan.errors.BadPayload`."""

    def wants_reference(self, raw: RawMessage) -> bool:
        """Should ``raw`` get its reference number at intake (so that an acknowledgement
        sent right after the commit can carry it)? The store then reserves one and puts it
        in ``meta["reference"]``; the normalizer gives it to the complaint."""
        return False

    @classmethod
    def reader_config(cls) -> ChannelConfig:
        """A config good enough to read stored raws of an instance that is no longer
        configured (an old mailbox, an imported backlog): defaults, no secrets."""
        return cls.Config.model_construct()

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections; the default holds none."""

    backlog_columns: ClassVar[bool] = False
    """True when :meth:`backlog` reads a table whose columns can be mapped (CSV)."""

    def backlog(self, path: Path, columns: Mapping[str, str] | None = None) -> Iterator[RawMessage]:
        """Raw messages from an exported backlog file, for ``aduan import``.

        The default reads JSON Lines, one provider payload per line, through
        :meth:`backlog_record`. Channels with other formats (mbox, CSV) override it;
        ``columns`` maps aduan's column names to the file's (CSV only).
        """
        with path.open("rb") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip():
                    yield self.backlog_record(line.rstrip(b"\r\n"), number)

    def backlog_record(self, line: bytes, number: int) -> RawMessage:
        """One backlog line as a raw message. A line that cannot be keyed is still kept
        (under its content hash) so that ``read`` quarantines it: nothing is dropped."""
        raise BadPayload(f"{self.type} cannot import backlog files")

    def unkeyed(self, payload: bytes, content_type: str, **meta: Any) -> RawMessage:
        """A raw message with no provider id of its own: keyed by its content hash."""
        return RawMessage(
            channel=self.type,
            account=self.name,
            external_id="sha256:" + hashlib.sha256(payload).hexdigest(),
            payload=payload,
            content_type=content_type,
            received_at=utcnow(),
            meta=meta,
        )


class PullChannel(Channel):
    """A channel aduan polls."""

    @abstractmethod
    def fetch(self, cursor: Cursor | None, limit: int) -> Batch:
        """Messages after ``cursor`` (None: from the start the channel allows)."""

    def acknowledge(self, batch: Batch) -> None:
        """Called after ``batch`` is committed (mark mail seen, move it...)."""

    def rewind(self, cursor: Cursor | None, since: datetime) -> Cursor:
        """A cursor from which ``fetch`` reads again what arrived since ``since``
        (``aduan poll --since``); what is already stored is absorbed by the unique key.
        Channels whose provider keeps no history say so."""
        raise FatalChannelError(f"{self.type} cannot fetch again from an older point")


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    """A push request as the web layer received it, independent of the web framework."""

    method: str
    url: str  # the public URL the provider called (configurable behind proxies)
    path: str  # what follows ``/webhooks/<type>/<instance>``, "" when nothing
    query: tuple[tuple[str, str], ...]
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    client: str | None = None

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)


@dataclass(frozen=True, slots=True)
class WebhookResponse:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"


class PushChannel(Channel):
    """A channel that receives webhooks at ``/webhooks/<type>/<instance>``."""

    @abstractmethod
    def verify(self, request: WebhookRequest) -> None:
        """Raise :class:`~aduan.errors.Unauthorized` or ``Forbidden`` unless authentic."""

    @abstractmethod
    def parse(self, request: WebhookRequest) -> list[RawMessage]:
        """The raw messages in an authentic request; ``BadRequest`` when malformed."""

    def handshake(self, request: WebhookRequest) -> WebhookResponse | None:
        """Answer a provider's verification request (Meta's GET challenge); None: not one."""
        return None

    def acknowledge(self, raws: list[RawMessage]) -> WebhookResponse:
        """The answer once ``raws`` are committed."""
        return WebhookResponse(200, b"OK")
