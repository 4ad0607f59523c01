"""To whom a complaint's messages go: the identity and channel of its first contact.

* A message that came on a channel that can answer (SMS, e-mail, Telegram, ...)
  is answered there: its instance (``sms/kannel``), its sender's first
  identity (``tel:+62...``); an e-mail in its thread (``In-Reply-To`` the
  citizen's Message-ID, ``References`` the thread, subject ``Re: ...``), and
  on the others ``in_reply_to`` is the citizen's message (``<chat>:<id>`` on Telegram).
* A walk-in entry is answered only through the contact the citizen asked for
  at the desk (``contact``: ``phone`` or ``email``), on the channel type
  ``[replies] walkin_channels`` names; without one, nothing is sent.
* Only channel types that answer (:data:`aduan.channels.registry.REPLYING`) get
  messages: news feeds and the partners' API never do; a channel switched off
  in ``[replies.channels]`` neither.

For a stored complaint the first source's raw message is read again
(:func:`first_contact`): nothing about the recipient is copied anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from aduan.channels.base import ChannelContext
from aduan.channels.registry import REGISTRY, REPLYING
from aduan.config.replies import RepliesSettings
from aduan.core.logs import get_logger
from aduan.core.messages import Message, RawMessage
from aduan.replies import Reader
from aduan.store.models import complaint_sources, raw_messages

log = get_logger("aduan.replies")
CONTACT_SCHEMES = {"phone": "tel", "email": "mailto"}
"""A walk-in's ``contact`` choice -> the identity scheme it is reached on."""


@dataclass(frozen=True, slots=True)
class Recipient:
    channel: str
    """The outbox's channel: an instance ``sms/kannel``, or a type ``sms`` (walk-ins)."""
    kind: str
    """The channel type, which picks the template and the SMS rules."""
    identity: str
    subject: str | None = None
    """E-mail: the citizen's subject, to answer with ``Re: ...``."""
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    last_inbound_at: datetime | None = None
    """When the citizen last wrote on that channel instance (24-hour windows: WhatsApp,
    Instagram, Messenger)."""


def from_message(
    channel: str, account: str, message: Message, settings: RepliesSettings
) -> Recipient | None:
    """The recipient of a complaint made by ``message`` on ``channel``/``account``."""
    if channel == "walkin":
        return _walkin(message, settings)
    if channel not in REPLYING or not settings.channel_on(channel, account):
        return None
    identity = next((i for i in message.identities if not i.startswith("nik:")), None)
    if identity is None:
        return None
    if channel != "email":  # the citizen's message, for a provider that threads (Telegram)
        return Recipient(f"{channel}/{account}", channel, identity, in_reply_to=message.ref)
    refs = tuple(dict.fromkeys([*message.refs, *([message.ref] if message.ref else [])]))
    return Recipient(
        f"{channel}/{account}",
        channel,
        identity,
        subject=message.subject,
        in_reply_to=message.ref,
        references=refs,
    )


def _walkin(message: Message, settings: RepliesSettings) -> Recipient | None:
    scheme = CONTACT_SCHEMES.get(str(message.extra.get("contact") or ""))
    if scheme is None:
        return None
    if scheme == "tel" and message.extra.get("phone_unparsable"):
        return None
    identity = next((i for i in message.identities if i.startswith(f"{scheme}:")), None)
    kind = settings.walkin_channels.get(scheme)
    if identity is None or kind not in REPLYING or not settings.channel_on(kind):
        return None
    return Recipient(kind, kind, identity)


def default_reader(raw: RawMessage) -> Message:
    """Read a raw with its channel type's defaults (no instance configured)."""
    cls = REGISTRY[raw.channel]
    return cls(raw.account, cls.reader_config(), ChannelContext(Path("aduan-data"))).read(raw)


def first_raw(conn: Connection, complaint_id: int) -> RawMessage | None:
    """The raw message that made the complaint."""
    row: Any = conn.execute(
        select(
            raw_messages.c.channel,
            raw_messages.c.account,
            raw_messages.c.external_id,
            raw_messages.c.payload,
            raw_messages.c.content_type,
            raw_messages.c.received_at,
            raw_messages.c.meta,
        )
        .join(complaint_sources, complaint_sources.c.raw_message_id == raw_messages.c.id)
        .where(
            complaint_sources.c.complaint_id == complaint_id,
            complaint_sources.c.role == "first",
        )
        .limit(1)
    ).first()
    if row is None:
        return None
    return RawMessage(
        channel=row.channel,
        account=row.account,
        external_id=row.external_id,
        payload=row.payload,
        content_type=row.content_type,
        received_at=row.received_at,
        meta=row.meta or {},
    )


def first_contact(
    conn: Connection, complaint_id: int, settings: RepliesSettings, reader: Reader | None
) -> Recipient | None:
    """The recipient of a stored complaint, read from its first source; None when there is
    none (or its raw cannot be read any more: logged, never raised)."""
    raw = first_raw(conn, complaint_id)
    if raw is None:
        return None
    if raw.channel != "walkin" and (
        raw.channel not in REPLYING or not settings.channel_on(raw.channel, raw.account)
    ):
        return None
    try:
        message = (reader or default_reader)(raw)
    except Exception as exc:  # an unreadable first source: no message, the change stands
        error = type(exc).__name__
        log.warning("reply_recipient_unreadable", complaint_id=complaint_id, error=error)
        return None
    found = from_message(raw.channel, raw.account, message, settings)
    if found is None:
        return None
    return replace(found, last_inbound_at=_last_inbound(conn, complaint_id, raw))


def _last_inbound(conn: Connection, complaint_id: int, first: RawMessage) -> datetime | None:
    """The newest of the complaint's sources on the first contact's channel instance."""
    latest = conn.execute(
        select(func.max(raw_messages.c.received_at))
        .join(complaint_sources, complaint_sources.c.raw_message_id == raw_messages.c.id)
        .where(
            complaint_sources.c.complaint_id == complaint_id,
            raw_messages.c.channel == first.channel,
            raw_messages.c.account == first.account,
        )
    ).scalar()
    return latest if isinstance(latest, datetime) else first.received_at
