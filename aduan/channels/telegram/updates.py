"""Reading a stored Telegram ``Update`` (the Bot API's raw JSON) into a :class:`Message`.

Pure: no network, no files. The photo's bytes were fetched before the row
was stored (polling mode) and are known here only by the sha256 kept in the
raw's ``meta["photo"]``.

Keys: a message is ``<chat id>:<message id>``; an edit is
``<chat id>:<message id>:edit:<edit_date>`` (its ``edit_of`` is the
original's key); every other update is ``update:<update_id>``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aduan.core.errors import BadPayload
from aduan.core.identity import handle_identity, phone_identity
from aduan.core.messages import Attachment, Disposition, Location, Message, RawMessage

MESSAGE_KINDS = ("message", "edited_message")
"""Updates a citizen sends the bot; anything else is kept raw and ignored."""


def update_kind(update: Mapping[str, Any]) -> str:
    """The update's type: the one key besides ``update_id`` (``message``, ``channel_post``...)."""
    kinds = [key for key in update if key != "update_id"]
    return kinds[0] if kinds else "empty"


def update_key(update: Mapping[str, Any]) -> str:
    """The raw message's external id for one update (see the module docstring)."""
    kind = update_kind(update)
    message = update.get(kind)
    if kind in MESSAGE_KINDS and isinstance(message, dict):
        chat_object = message.get("chat")
        chat = chat_object.get("id") if isinstance(chat_object, dict) else None
        number = message.get("message_id")
        if isinstance(chat, int | str) and isinstance(number, int | str):
            if kind == "edited_message":
                return f"{chat}:{number}:edit:{message.get('edit_date', update['update_id'])}"
            return f"{chat}:{number}"
    return f"update:{update['update_id']}"


def largest_photo(message: Mapping[str, Any]) -> dict[str, Any] | None:
    sizes = message.get("photo") or []
    return dict(sizes[-1]) if sizes else None


def _command(message: Mapping[str, Any]) -> str | None:
    for entity in message.get("entities") or []:
        if entity.get("type") == "bot_command" and entity.get("offset") == 0:
            text = str(message.get("text", ""))
            return text[: int(entity.get("length", len(text)))].split("@", 1)[0]
    return None


def _when(value: Any) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if isinstance(value, int | float) else None


def _attachment(message: Mapping[str, Any], meta: Mapping[str, Any]) -> tuple[Attachment, ...]:
    photo = largest_photo(message)
    if photo is None:
        return ()
    kept = meta.get("photo") or {}
    if kept.get("file_id") != photo.get("file_id"):
        kept = {}
    return (
        Attachment(
            filename=str(kept["file_path"]).rsplit("/", 1)[-1] if kept.get("file_path") else None,
            content_type="image/jpeg",
            size=kept.get("size") or photo.get("file_size"),
            sha256=kept.get("sha256"),
            url=f"telegram-file:{photo['file_id']}",
        ),
    )


def read_update(raw: RawMessage) -> Message:
    """The parsed message of one stored update; :class:`BadPayload` when it is not one."""
    try:
        update = json.loads(raw.payload)
        update_id = update["update_id"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BadPayload(f"not a Telegram update: {exc!r}") from exc
    if not isinstance(update_id, int):
        raise BadPayload("Telegram update_id is not a number")
    kind = update_kind(update)
    if kind not in MESSAGE_KINDS:
        return Message(text="", disposition=Disposition.IGNORE, ignore_reason=f"update type {kind}")
    message = update[kind]
    if not isinstance(message, dict) or not isinstance(message.get("chat"), dict):
        raise BadPayload(f"Telegram {kind} without a chat")
    sender = message.get("from")
    if not isinstance(sender, dict) or "id" not in sender:
        raise BadPayload(f"Telegram {kind} without a sender")
    identity = handle_identity("telegram", sender["id"])
    name = " ".join(str(sender[k]) for k in ("first_name", "last_name") if sender.get(k)) or None
    text = message.get("text") or message.get("caption") or ""
    chat_id, number = message["chat"].get("id"), message.get("message_id")
    reply = message.get("reply_to_message") or {}
    common: dict[str, Any] = {
        "identities": (identity,),
        "display_name": name,
        "sent_at": _when(message.get("edit_date") or message.get("date")),
        "ref": f"{chat_id}:{number}",
        "refs": (f"{chat_id}:{reply['message_id']}",) if reply.get("message_id") else (),
        "extra": {"chat_id": chat_id, "update_id": update_id},
    }
    if kind == "edited_message":
        return Message(
            text=text, disposition=Disposition.EDIT, edit_of=f"{chat_id}:{number}", **common
        )
    command = _command(message)
    if command:
        common["extra"]["command"] = command
        return Message(
            text=text, disposition=Disposition.IGNORE, ignore_reason="bot command", **common
        )
    location = None
    if isinstance(message.get("location"), dict):
        spot = message["location"]
        location = Location(lat=spot.get("latitude"), lon=spot.get("longitude"))
    if isinstance(message.get("venue"), dict):
        venue = message["venue"]
        spot = venue.get("location") or {}
        address = ", ".join(str(venue[k]) for k in ("title", "address") if venue.get(k))
        location = Location(lat=spot.get("latitude"), lon=spot.get("longitude"), address=address)
    linked: tuple[str, ...] = ()
    contact = message.get("contact")
    if isinstance(contact, dict) and contact.get("user_id") == sender["id"]:
        phone = phone_identity(str(contact.get("phone_number", "")))
        linked = (phone.identity,)
        common["extra"]["phone_valid"] = phone.valid
    return Message(
        text=text,
        attachments=_attachment(message, raw.meta),
        location=location,
        linked_identities=linked,
        **common,
    )
