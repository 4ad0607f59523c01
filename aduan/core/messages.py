"""The message model every part shares: raw messages, parsed messages, cursors.

A channel turns one provider's traffic into :class:`RawMessage` rows (stored
verbatim before anything else happens) and later reads each of those rows into
the common parsed :class:`Message`; the store keeps the first, the normalizer
makes complaints of the second.

Sample: an SMS from a Twilio webhook becomes ``RawMessage(channel="sms",
account="twilio_main", external_id="SM123...", payload=b"From=%2B62811...",
content_type="application/x-www-form-urlencoded", ...)`` and then
``Message(text="Lampu jalan mati", identities=("tel:+628111272206",), ...)``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Cursor = dict[str, Any]
"""A pull channel's position, JSON-serialisable, owned by the channel."""


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
    blobs: dict[str, bytes] = field(default_factory=dict)
    """Files fetched for these messages (a photo), by sha256: the caller keeps them
    before it stores the messages that name them; adapters never write."""


class Disposition(StrEnum):
    """What the normalizer should make of a message."""

    COMPLAINT = "complaint"  # a complaint, or a follow-up when ``refs`` point at an earlier one
    EDIT = "edit"  # replaces the text of the message named by ``edit_of``
    IGNORE = "ignore"  # kept raw, not a complaint (auto-reply, command, own post, off-topic item)
    RECEIPT = "receipt"  # a provider's delivery report for one of our replies (``Message.receipt``)


class Receipt(BaseModel):
    """A provider's word on a message aduan sent: it updates the outbox, never makes a complaint."""

    model_config = ConfigDict(frozen=True)

    provider_id: str
    """The provider's id of the sent message (Twilio SID, Kannel's DLR id, a wamid...)."""
    status: Literal["sent", "delivered", "read", "failed"]
    error: str | None = None


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
    hint: str | None = None
    """A category code a person suggested (a desk clerk's pick): triage weighs it as a
    hint; it is never part of the text or the subject."""
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
    receipt: Receipt | None = None
    """For ``RECEIPT``: the delivery report it carries."""
    extra: dict[str, Any] = Field(default_factory=dict)
    """Channel-specific facts worth keeping (partner ids, flags such as an unparsable phone)."""
