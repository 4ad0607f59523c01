"""The Cloud API's webhook body: split into one raw per message or status, read back.

A delivery is ``{"object": "whatsapp_business_account", "entry": [{"id": WABA,
"changes": [{"field": "messages", "value": {...}}]}]}``; each ``value`` holds
``metadata``, ``contacts[]`` (the senders' profiles), ``messages[]`` and/or
``statuses[]``. Every message and every status becomes its own raw whose
payload is the same envelope holding only that item (and its sender's
contact), so a stored raw is again a valid delivery:

* a message: keyed by its ``wamid``;
* a status: ``status:<wamid>:<status>`` (each state of a sent message once);
* anything else (another ``field``, a ``value`` with only ``errors``): kept
  under its content hash and read as IGNORE.

Sample message raw::

    {"object": "whatsapp_business_account", "entry": [{"id": "102290129340398",
     "changes": [{"field": "messages", "value": {"messaging_product": "whatsapp",
      "metadata": {"display_phone_number": "6281100001111", "phone_number_id": "106540352242922"},
      "contacts": [{"profile": {"name": "Sari"}, "wa_id": "6281234567890"}],
      "messages": [{"from": "6281234567890", "id": "wamid.HBgN...", "timestamp": "1764400000",
                    "type": "text", "text": {"body": "Lampu jalan mati di Jl. Kemang"}}]}}]}]}
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import orjson

from aduan.core.errors import BadPayload
from aduan.core.identity import phone_identity
from aduan.core.messages import Attachment, Disposition, Location, Message, Receipt
from aduan.core.privacy import mask_text

OBJECT = "whatsapp_business_account"
MEDIA_TYPES = ("image", "video", "audio", "document", "sticker")
MEDIA_SCHEME = "whatsapp-media:"
"""Attachment URLs of media still held by Meta: ``whatsapp-media:<media id>``."""
RECEIPT_STATUSES = ("sent", "delivered", "read", "failed")


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON (orjson: ~10x the standard library, which mattered under load);
    what orjson refuses (a lone surrogate, an integer past 64 bits) goes as ASCII escapes."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, separators=(",", ":")).encode()


def loads(body: bytes) -> Any:
    """A delivery's JSON (orjson: ~2.5x the standard library); what orjson refuses and the
    standard library reads (a lone surrogate, an integer past 64 bits, NaN) is read by the
    latter. ``ValueError`` when neither reads it."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body)


def _open(head: dict[str, Any], field: Any) -> bytes:
    """The bytes of an envelope up to its change's ``value`` (closed by :data:`_CLOSE`)."""
    entry = dumps(head)[:-1] + (b"," if head else b"")
    return b'{"object":"%s","entry":[%s"changes":[{"field":%s,"value":' % (
        OBJECT.encode(),
        entry,
        dumps(field),
    )


_CLOSE = b"}]}]}"
"""What closes an envelope opened by :func:`_open` after its ``value``."""


def _by_sender(contacts: list[Any]) -> dict[str, list[Any]]:
    """The contacts of a change by ``wa_id`` (a delivery of many messages would otherwise
    scan every contact for every message)."""
    found: dict[str, list[Any]] = {}
    if not isinstance(contacts, list):
        return found
    for contact in contacts:
        wa_id = contact.get("wa_id") if isinstance(contact, dict) else None
        if isinstance(wa_id, str):
            found.setdefault(wa_id, []).append(contact)
    return found


def split(body: Any) -> Iterator[tuple[str | None, bytes]]:
    """``(key, envelope)`` for each message, status or other change of a delivery (key None:
    keep under the content hash), each envelope as JSON bytes. ``KeyError``/``TypeError``/
    ``AttributeError`` when the body is not a delivery at all.

    An envelope is written from pieces serialised once per change (the entry's head, the
    value's other fields) around the item's own (its message and sender's contact, or its
    status): a delivery of ten messages is not serialised ten times over."""
    if body.get("object") != OBJECT:
        raise KeyError("object")
    for entry in body["entry"]:
        changes = entry["changes"]
        head = {k: v for k, v in entry.items() if k != "changes"}
        for change in changes:
            value = change.get("value")
            field = change.get("field")
            if field != "messages" or not isinstance(value, dict):
                yield None, _open(head, field) + dumps(value) + _CLOSE
                continue
            opened = _open(head, "messages")
            rest = {k: v for k, v in value.items() if k not in ("messages", "statuses", "contacts")}
            common = opened + dumps(rest)[:-1] + (b"," if rest else b"")
            contacts = value.get("contacts") or []
            senders = _by_sender(contacts)
            items = 0
            for message in value.get("messages") or []:
                items += 1
                sender = message.get("from") if isinstance(message, dict) else None
                own = senders.get(sender) if isinstance(sender, str) else None
                wamid = message.get("id") if isinstance(message, dict) else None
                key = wamid if isinstance(wamid, str) and wamid else None
                one = b'"contacts":%s,"messages":[%s]}' % (
                    dumps(own or contacts[:1]),
                    dumps(message),
                )
                yield key, common + one + _CLOSE
            for status in value.get("statuses") or []:
                items += 1
                sid = status.get("id") if isinstance(status, dict) else None
                state = status.get("status") if isinstance(status, dict) else None
                key = f"status:{sid}:{state}" if isinstance(sid, str) and sid else None
                with_contacts = (
                    b'"contacts":%s,' % dumps(value["contacts"]) if "contacts" in value else b""
                )
                one = with_contacts + b'"statuses":[%s]}' % dumps(status)
                yield key, common + one + _CLOSE
            if not items:
                yield None, opened + dumps(value) + _CLOSE


def _when(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def read_change(payload: bytes) -> Message:
    """The common message of one stored envelope (see :func:`split`)."""
    try:
        body = json.loads(payload)
        entries = body["entry"]
        changes = entries[0]["changes"] if len(entries) == 1 else None
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise BadPayload(f"not a WhatsApp webhook delivery: {exc!r}") from exc
    if body.get("object") != OBJECT or not isinstance(changes, list) or len(changes) != 1:
        raise BadPayload("a WhatsApp delivery with exactly one change was expected")
    change = changes[0]
    value = change.get("value") if isinstance(change, dict) else None
    if not isinstance(value, dict):
        raise BadPayload("WhatsApp change without a value")
    if change.get("field") != "messages":
        return _ignore(f"field {change.get('field')}")
    messages, statuses = value.get("messages") or [], value.get("statuses") or []
    if len(messages) + len(statuses) != 1:
        if not messages and not statuses and value.get("errors"):
            return _ignore(f"webhook errors: {_errors(value.get('errors'))}")
        raise BadPayload("a WhatsApp change with exactly one message or status was expected")
    if statuses:
        return read_status(statuses[0])
    return read_message(messages[0], value.get("contacts") or [])


def _ignore(reason: str, **fields: Any) -> Message:
    return Message(text="", disposition=Disposition.IGNORE, ignore_reason=reason, **fields)


def _errors(errors: Any) -> str:
    if not isinstance(errors, list) or not errors or not isinstance(errors[0], dict):
        return "unknown"
    first = errors[0]
    words = " ".join(str(first[k]) for k in ("code", "title") if first.get(k) not in (None, ""))
    return mask_text(words)[:200] or "unknown"


def read_status(status: Any) -> Message:
    """A status of a message aduan sent: a RECEIPT for the outbox (or IGNORE)."""
    if not isinstance(status, dict) or not status.get("id"):
        raise BadPayload("WhatsApp status without a message id")
    state = str(status.get("status") or "")
    facts = {"provider_status": state}
    if state not in RECEIPT_STATUSES:
        return _ignore(f"message status {state!r}", extra=facts)
    error = _errors(status.get("errors")) if state == "failed" else None
    return Message(
        text="",
        disposition=Disposition.RECEIPT,
        receipt=Receipt.model_validate(
            {"provider_id": str(status["id"]), "status": state, "error": error}
        ),
        sent_at=_when(status.get("timestamp")),
        extra=facts,
    )


def sender_identity(wa_id: str) -> tuple[str, bool]:
    """``tel:+<wa_id>``: a WhatsApp id is the full international number without its '+'."""
    digits = wa_id.strip().lstrip("+")
    phone = phone_identity("+" + digits if digits.isdigit() else wa_id)
    return phone.identity, phone.valid


def read_message(message: Any, contacts: list[Any]) -> Message:
    """One inbound message: text, media, location, contacts, replies; others IGNORE."""
    if not isinstance(message, dict):
        raise BadPayload("WhatsApp message is not an object")
    sender = message.get("from")
    if not isinstance(sender, str) or not sender.strip():
        raise BadPayload("WhatsApp message without a sender")
    identity, valid = sender_identity(sender)
    profile = next(
        (c.get("profile") for c in contacts if isinstance(c, dict) and c.get("wa_id") == sender),
        None,
    )
    name = profile.get("name") if isinstance(profile, dict) else None
    kind = str(message.get("type") or "")
    context = message.get("context") if isinstance(message.get("context"), dict) else {}
    answered = context.get("id") if context and not context.get("forwarded") else None
    extra: dict[str, Any] = {"type": kind}
    if not valid:
        extra["unparsable_phone"] = True
    common: dict[str, Any] = {
        "identities": (identity,),
        "display_name": str(name) if name else None,
        "sent_at": _when(message.get("timestamp")),
        "ref": str(message.get("id") or "") or None,
        "refs": (str(answered),) if answered else (),
        "extra": extra,
    }
    found = message.get(kind)
    body: dict[str, Any] = found if isinstance(found, dict) else {}
    if kind == "text":
        return Message(text=str(body.get("body") or ""), **common)
    if kind in MEDIA_TYPES:
        return _media(kind, body, common)
    if kind == "location":
        return _location(body, common)
    if kind == "contacts":
        return _contacts(message.get("contacts"), sender, name, common)
    if kind == "interactive":
        reply = body.get(str(body.get("type") or "")) or {}
        reply = reply if isinstance(reply, dict) else {}
        parts = (reply.get("title"), reply.get("description"), reply.get("body"))
        extra["reply_id"] = reply.get("id")
        return Message(text="\n".join(str(p) for p in parts if p), **common)
    if kind == "button":
        extra["payload"] = body.get("payload")
        return Message(text=str(body.get("text") or ""), **common)
    if kind == "reaction":
        emoji = body.get("emoji") or "removed"
        return _ignore(f"reaction {emoji}", **common)
    return _ignore(f"message type {kind or 'missing'}", **common)


def _media(kind: str, body: dict[str, Any], common: dict[str, Any]) -> Message:
    media_id = body.get("id")
    if not media_id:
        raise BadPayload(f"WhatsApp {kind} without a media id")
    if body.get("sha256"):
        common["extra"]["media_sha256"] = body["sha256"]
    attachment = Attachment(
        filename=body.get("filename") or None,
        content_type=str(body.get("mime_type") or "application/octet-stream"),
        url=f"{MEDIA_SCHEME}{media_id}",
    )
    return Message(text=str(body.get("caption") or ""), attachments=(attachment,), **common)


def _location(body: dict[str, Any], common: dict[str, Any]) -> Message:
    try:
        lat, lon = float(body["latitude"]), float(body["longitude"])
    except (KeyError, TypeError, ValueError) as exc:
        raise BadPayload("WhatsApp location without coordinates") from exc
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise BadPayload("WhatsApp location outside the globe")
    words = [str(body[k]) for k in ("name", "address") if body.get(k)]
    location = Location(lat=lat, lon=lon, address=", ".join(words) or None)
    return Message(text=", ".join(words), location=location, **common)


def _contacts(cards: Any, sender: str, name: Any, common: dict[str, Any]) -> Message:
    """A shared contact card. Its phone numbers prove an identity link only when the card
    is the sender's own (one of its numbers is the sender's WhatsApp id, or its name is
    the sender's profile name): a card of someone else (the RT head) links nobody."""
    if not isinstance(cards, list):
        raise BadPayload("WhatsApp contacts message without contacts")
    linked: list[str] = []
    for card in cards:
        if not isinstance(card, dict):
            continue
        phones = [p for p in card.get("phones") or [] if isinstance(p, dict)]
        formatted = (card.get("name") or {}).get("formatted_name")
        own = any(p.get("wa_id") == sender for p in phones) or (
            bool(name) and str(formatted or "").strip().casefold() == str(name).casefold()
        )
        if not own:
            continue
        for phone in phones:
            number = str(phone.get("wa_id") or phone.get("phone") or "")
            found = sender_identity(number)[0] if phone.get("wa_id") else None
            identity = found or phone_identity(number).identity
            if identity.startswith("tel:") and identity not in linked:
                linked.append(identity)
    common["extra"]["cards"] = len(cards)
    own_identity = common["identities"][0]
    return Message(
        text="",
        linked_identities=tuple(i for i in linked if i != own_identity),
        **common,
    )
