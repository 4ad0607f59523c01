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
:mod:`aduan.core.errors` and the scheduler or the web layer decides.
"""

from __future__ import annotations

import builtins
import hashlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from aduan.channels.guard import guard_read
from aduan.core.clock import utcnow
from aduan.core.errors import BadPayload, FatalChannelError
from aduan.core.messages import Batch, Cursor, Message, RawMessage


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
    service_codes: Callable[[], Collection[str]] | None = field(
        default=None, repr=False, compare=False
    )
    """The service codes in force, from the triage rules (Open311 checks requests by them)."""
    outbox_answers: frozenset[str] = frozenset()
    """Instances (``<type>/<name>``) whose citizens are acknowledged through the outbox
    (its ``received`` event is on for them): such a channel sends no receipt of its own."""


class Channel(ABC):
    """Base of every channel adapter."""

    type: ClassVar[str]
    Config: ClassVar[builtins.type[ChannelConfig]]
    """Its settings model; secrets are ``SecretStr`` fields, those it cannot run without
    named in the model's ``required_secrets``."""
    identity_prefix: ClassVar[str | None] = None
    """The prefix of the provider ids it gives reporters (``twitter:``), if any."""

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
        """Parse one stored raw message. Pure; raises :class:`~aduan.core.errors.BadPayload`."""

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
        """Raise :class:`~aduan.core.errors.Unauthorized` or ``Forbidden`` unless authentic."""

    @abstractmethod
    def parse(self, request: WebhookRequest) -> list[RawMessage]:
        """The raw messages in an authentic request; ``BadRequest`` when malformed."""

    def handshake(self, request: WebhookRequest) -> WebhookResponse | None:
        """Answer a provider's verification request (Meta's GET challenge); None: not one."""
        return None

    def acknowledge(self, raws: list[RawMessage]) -> WebhookResponse:
        """The answer once ``raws`` are committed."""
        return WebhookResponse(200, b"OK")
