"""Reading one Instagram webhook event (a single-event entry) into the common Message. Pure.

What each event becomes:

* ``messaging[].message`` with text and/or ``attachments`` (image, video,
  audio, file; the files' URLs are fetched later by the media job), a story
  reply (``reply_to.story``) or a story mention (attachment ``story_mention``):
  a complaint from ``instagram:<IGSID>``; ``reply_to.mid`` makes it a reply;
* the account's own messages (``is_echo``, or a sender that is the account):
  ignored;
* ``message.is_deleted`` (the citizen unsent a message): ignored with that
  reason. A complaint already made of it stays (a filed complaint is the
  desk's record; a clerk sees the unsend beside it), nothing new is made;
* ``message_edit`` (``mid``, ``text``, ``num_edit``): an ``EDIT`` of ``mid:<mid>``;
* reactions, reads/seen, postbacks, referrals, ``like_heart`` stickers: recorded, ignored;
* ``changes[]`` ``comments`` / ``live_comments`` (``id``, ``text``, ``from.id``,
  ``from.username``, ``media.id``, ``parent_id``): a complaint; comments on one
  media share ``extra["thread"] = "instagram:media:<id>"`` so that the normalizer
  can link different commenters' complaints about one problem to one incident;
  the account's own comments are ignored;
* ``changes[]`` ``mentions`` (``comment_id``, ``media_id``): the webhook carries
  no text nor author (reading them needs ``GET /{ig-user-id}?fields=mentioned_comment``),
  so a mention is kept and ignored with that reason, unless it carries ``text``
  and ``from`` (then it is read as a comment).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aduan.core.errors import BadPayload
from aduan.core.identity import handle_identity
from aduan.core.messages import Attachment, Disposition, Message

PREFIX = "instagram"
FILE_TYPES = {
    "image": "image/jpeg",
    "video": "video/mp4",
    "audio": "audio/mp4",
    "file": "application/octet-stream",
    "story_mention": "image/jpeg",
}
"""Attachment types that are files, and the content type assumed until downloaded."""
COMMENT_FIELDS = ("comments", "live_comments")


def when(value: Any) -> datetime | None:
    """A Meta time: milliseconds (messaging) or seconds (changes), or an ISO string."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if not -(10**15) < value < 10**15:  # not a time (nor a float Python can divide)
            return None
        seconds = value / 1000 if value > 10**11 else value
        if 0 <= seconds < 253_402_300_800:  # before year 10000
            return datetime.fromtimestamp(seconds, UTC)
        return None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("+0000", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def event_key(entry: dict[str, Any]) -> str | None:
    """The provider id of a single-event entry; None: keyed by its content hash."""
    for event in entry.get("messaging") or []:
        if not isinstance(event, dict):
            return None
        edit = event.get("message_edit")
        if isinstance(edit, dict) and edit.get("mid"):
            return f"mid:{edit['mid']}:edit:{edit.get('num_edit', '')}"
        message = event.get("message")
        if not isinstance(message, dict) or not message.get("mid"):
            return None
        if message.get("is_deleted"):
            return f"mid:{message['mid']}:deleted"
        return f"mid:{message['mid']}"
    for change in entry.get("changes") or []:
        value = change.get("value") if isinstance(change, dict) else None
        if not isinstance(value, dict):
            return None
        if change.get("field") in COMMENT_FIELDS and value.get("id"):
            return f"comment:{value['id']}"
        if change.get("field") == "mentions":
            target = value.get("comment_id") or value.get("media_id")
            return f"mention:{target}" if target else None
        return None
    return None


def _ignored(reason: str, **extra: Any) -> Message:
    return Message(text="", disposition=Disposition.IGNORE, ignore_reason=reason, extra=extra)


def _obj(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def _id(value: Any) -> str | None:
    """An id as Meta sends it (a numeric string, sometimes a number); None otherwise."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _attachments(
    message: dict[str, Any],
) -> tuple[tuple[Attachment, ...], dict[str, Any], set[str]]:
    """The files of a message, what else it shared (posts, reels: links, not files), and
    the attachment types seen."""
    files: list[Attachment] = []
    shared: list[dict[str, Any]] = []
    found = message.get("attachments") or []
    if not isinstance(found, list):
        raise BadPayload("attachments is not a list")
    for item in found:
        if not isinstance(item, dict):
            raise BadPayload("an attachment is not an object")
        kind = str(item.get("type") or "")
        payload = _obj(item.get("payload"))
        url = payload.get("url") if isinstance(payload.get("url"), str) else None
        if kind in FILE_TYPES and url:
            files.append(Attachment(content_type=FILE_TYPES[kind], url=url))
        elif kind:
            shared.append({"type": kind, "url": url})
    kinds = {str(item.get("type") or "") for item in found}
    return tuple(files), ({"shared": shared} if shared else {}), kinds


def read_messaging(event: dict[str, Any], account: str) -> Message:
    """One ``messaging[]`` event of the account ``account`` (its id; "" when unknown)."""
    sender = _id(_obj(event.get("sender")).get("id"))
    edit = event.get("message_edit")
    if isinstance(edit, dict):
        mid = _id(edit.get("mid"))
        if not mid or not sender:
            raise BadPayload("message_edit without a mid or a sender")
        return Message(
            text=str(edit.get("text") or ""),
            identities=(handle_identity(PREFIX, sender),),
            sent_at=when(event.get("timestamp")),
            disposition=Disposition.EDIT,
            edit_of=f"mid:{mid}",
            ref=f"mid:{mid}",
            extra={"kind": "message_edit", "num_edit": edit.get("num_edit")},
        )
    message = event.get("message")
    if not isinstance(message, dict):
        kind = next((k for k in event if k not in ("sender", "recipient", "timestamp")), "?")
        return _ignored(f"instagram {kind} event", kind=kind)
    mid = _id(message.get("mid"))
    if not sender or not mid:
        raise BadPayload("Instagram message without a sender or a mid")
    if message.get("is_echo") or sender == account:
        return _ignored("the account's own message", kind="echo")
    if message.get("is_deleted"):
        return _ignored("unsent by the sender; a complaint made of it stays", unsent=f"mid:{mid}")
    files, extra, kinds = _attachments(message)
    text = message.get("text")
    if text is not None and not isinstance(text, str):
        raise BadPayload("message text is not a string")
    if not text and not files and kinds <= {"like_heart", ""}:
        return _ignored("a like or an empty message", kind="like")
    reply = _obj(message.get("reply_to"))
    refs: tuple[str, ...] = ()
    if _id(reply.get("mid")):
        refs = (f"mid:{_id(reply.get('mid'))}",)
    story = _obj(reply.get("story"))
    kind = "story_reply" if story else "message"
    if "story_mention" in kinds:
        kind = "story_mention"
    if story:
        extra["story"] = {"id": _id(story.get("id")), "url": story.get("url")}
    quick = _obj(message.get("quick_reply"))
    if quick:
        extra["quick_reply"] = str(quick.get("payload") or "")[:200]
    return Message(
        text=text or "",
        identities=(handle_identity(PREFIX, sender),),
        sent_at=when(event.get("timestamp")),
        attachments=files,
        ref=f"mid:{mid}",
        refs=refs,
        extra={"kind": kind, **extra},
    )


def read_change(change: dict[str, Any], account: str) -> Message:
    """One ``changes[]`` item: a comment, a mention, or something recorded and ignored."""
    value = change.get("value")
    field = change.get("field")
    if not isinstance(value, dict):
        raise BadPayload(f"Instagram change {field!r} without a value object")
    if field == "mentions" and not (value.get("text") and value.get("from")):
        return _ignored(
            "a mention: its text and author are not in the webhook "
            "(GET /{ig-user-id}?fields=mentioned_comment reads them)",
            kind="mention",
            comment_id=_id(value.get("comment_id")),
            media_id=_id(value.get("media_id")),
        )
    if field not in (*COMMENT_FIELDS, "mentions"):
        return _ignored(f"instagram {field} change", kind=str(field))
    author = value.get("from")
    if not isinstance(author, dict):
        raise BadPayload("Instagram comment without a from object")
    sender = _id(author.get("id"))
    comment = _id(value.get("id")) or _id(value.get("comment_id"))
    if not sender or not comment:
        raise BadPayload("Instagram comment without an author id or a comment id")
    media = _obj(value.get("media"))
    media_id = _id(media.get("id")) or _id(value.get("media_id"))
    username = author.get("username")
    if sender == account:
        return _ignored("the account's own comment", kind="own_comment")
    text = value.get("text")
    if not isinstance(text, str):
        raise BadPayload("Instagram comment text is not a string")
    parent = _id(value.get("parent_id"))
    extra: dict[str, Any] = {"kind": "comment" if field != "mentions" else "mention"}
    if media_id:
        extra["thread"] = f"instagram:media:{media_id}"
        extra["media_id"] = media_id
        extra["media_product_type"] = media.get("media_product_type")
    return Message(
        text=text,
        identities=(handle_identity(PREFIX, sender),),
        display_name=username if isinstance(username, str) and username else None,
        sent_at=when(value.get("timestamp")),
        ref=f"comment:{comment}",
        refs=(f"comment:{parent}",) if parent else (),
        extra=extra,
    )
