"""Facebook page webhook (Meta Graph API "page" object): Messenger messages and feed comments.

Authentication: Meta signs every POST with ``X-Hub-Signature-256:
sha256=<hex HMAC-SHA256 of the raw body with the app secret>``, checked in
constant time over the bytes received (never re-serialised JSON). A
subscription is confirmed by a GET with ``hub.mode=subscribe``,
``hub.verify_token`` and ``hub.challenge``. Both are :mod:`aduan.channels.meta`'s,
as for every channel Meta pushes to.

One POST carries ``entry[]``, each with ``messaging[]`` (Messenger) or
``changes[]`` (page feed). Each event becomes its own raw message whose
payload is that entry with only that event, keyed by ``mid:<mid>`` or
``comment:<comment_id>``; events without an id of their own (reads,
deliveries, reactions) are kept under their content hash and ignored. An
exported backlog is JSON Lines of such entries.

The channel is a :class:`~aduan.channels.replies.Replier`: ``send(Outbound)``
answers through the Messenger Send API (:mod:`aduan.channels.messenger`) with the
page access token, within Meta's 24-hour window or with a message tag.

Sample raw payload::

    {"id": "104000000000001", "time": 1764400000000,
     "messaging": [{"sender": {"id": "6100000000000001"}, "recipient": {"id": "104000000000001"},
                    "timestamp": 1764400000000,
                    "message": {"mid": "m_abc", "text": "Sampah menumpuk di Pasar Minggu"}}]}
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field, SecretStr

from aduan.channels.base import (
    ChannelConfig,
    ChannelContext,
    PushChannel,
    WebhookRequest,
    WebhookResponse,
)
from aduan.channels.messenger import SendApi, replier
from aduan.channels.meta import check_signature, handshake
from aduan.channels.replies import Outbound, Sent
from aduan.core.clock import utcnow
from aduan.core.errors import BadPayload
from aduan.core.identity import handle_identity
from aduan.core.messages import Attachment, Disposition, Message, RawMessage


class FacebookConfig(ChannelConfig):
    page_id: str = Field("", description="Numeric id of the city's Facebook page.")
    app_secret: SecretStr | None = Field(None, description="App secret that signs the webhooks.")
    verify_token: SecretStr | None = Field(
        None, description="Token typed into the app dashboard for the GET verification."
    )
    page_access_token: SecretStr | None = Field(
        None, description="Page access token for the Send API (replies); none: no replies."
    )
    graph_api_base_url: str = Field(
        "https://graph.facebook.com", description="Graph API host (tests: a local server)."
    )
    graph_api_version: str = Field(
        "v21.0", pattern=r"^v\d+\.\d+$", description="Graph API version of the Send API."
    )
    message_tag: (
        Literal["HUMAN_AGENT", "ACCOUNT_UPDATE", "CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE"]
        | None
    ) = Field(
        None,
        description="Tag for answers after Meta's 24-hour window (HUMAN_AGENT: 7 days, "
        "needs Meta's approval); none: such answers are refused.",
    )
    send_timeout_seconds: float = Field(30.0, gt=0, description="HTTP timeout of a send.")
    required_secrets: ClassVar[tuple[str, ...]] = ("app_secret", "verify_token")


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _event_key(entry: dict[str, Any]) -> str | None:
    """``mid:<mid>`` / ``comment:<id>[:edit:<time>]`` for an entry with one event."""
    for event in entry.get("messaging") or []:
        mid = (event.get("message") or {}).get("mid")
        return f"mid:{mid}" if mid else None
    for change in entry.get("changes") or []:
        value = change.get("value") or {}
        if change.get("field") == "feed" and value.get("item") == "comment":
            comment = value.get("comment_id")
            if comment and value.get("verb") == "edited":
                return f"comment:{comment}:edit:{value.get('created_time', '')}"
            if comment and value.get("verb") in (None, "add"):
                return f"comment:{comment}"
        return None
    return None


def split_entries(body: Any) -> Iterator[dict[str, Any]]:
    """One single-event entry per Messenger event or feed change of a webhook body."""
    for entry in body["entry"]:
        head = {k: v for k, v in entry.items() if k not in ("messaging", "changes")}
        for key in ("messaging", "changes"):
            for event in entry.get(key) or []:
                yield {**head, key: [event]}


def _when(value: Any) -> datetime | None:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000 if value > 10**11 else value, UTC)
    return None


class FacebookChannel(PushChannel):
    type = "facebook"
    identity_prefix = "facebook"
    Config = FacebookConfig
    config: FacebookConfig

    def __init__(self, name: str, config: ChannelConfig, context: ChannelContext) -> None:
        super().__init__(name, config, context)
        self.replier: SendApi = replier(self.config)

    def send(self, message: Outbound) -> Sent:
        """One Messenger message; :class:`~aduan.channels.replies.SendFailed` otherwise."""
        return self.replier.send(message)

    def close(self) -> None:
        self.replier.close()

    def handshake(self, request: WebhookRequest) -> WebhookResponse | None:
        return handshake(request, self.config.verify_token)

    def verify(self, request: WebhookRequest) -> None:
        check_signature(request, self.config.app_secret)

    def _raw(self, entry: dict[str, Any], **meta: Any) -> RawMessage:
        key = _event_key(entry)
        payload = _dumps(entry)
        if key is None:
            return self.unkeyed(payload, "application/json", **meta)
        return RawMessage(
            self.type, self.name, key, payload, "application/json", utcnow(), meta=meta
        )

    def parse(self, request: WebhookRequest) -> list[RawMessage]:
        try:
            body = json.loads(request.body)
            return [self._raw(entry) for entry in split_entries(body)]
        except (ValueError, KeyError, TypeError, AttributeError):
            # Signed by Meta but not the shape we know: kept whole, quarantined by read.
            return [self.unkeyed(request.body, "application/json", whole_body=True)]

    def _line_raws(self, line: bytes, number: int) -> list[RawMessage]:
        """An exported entry (any number of events) as raw messages; unreadable: kept unkeyed."""
        try:
            entries = list(split_entries({"entry": [json.loads(line)]}))
        except (ValueError, KeyError, TypeError, AttributeError):
            entries = []
        if not entries:
            return [self.unkeyed(line, "application/json", line=number)]
        return [self._raw(entry, line=number) for entry in entries]

    def backlog(self, path: Path, columns: Mapping[str, str] | None = None) -> Iterator[RawMessage]:
        with path.open("rb") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip():
                    yield from self._line_raws(line.rstrip(b"\r\n"), number)

    def backlog_record(self, line: bytes, number: int) -> RawMessage:
        return self._line_raws(line, number)[0]

    def read(self, raw: RawMessage) -> Message:
        try:
            entry = json.loads(raw.payload)
            events = (entry.get("messaging") or []) + (entry.get("changes") or [])
        except (ValueError, TypeError, AttributeError) as exc:
            raise BadPayload(f"not a Facebook webhook entry: {exc!r}") from exc
        if len(events) != 1 or not isinstance(events[0], dict):
            raise BadPayload("a Facebook entry with exactly one event was expected")
        if entry.get("messaging"):
            return self._read_messaging(events[0])
        return self._read_change(events[0])

    def _read_messaging(self, event: dict[str, Any]) -> Message:
        message = event.get("message")
        if not isinstance(message, dict):
            kind = next((k for k in event if k not in ("sender", "recipient", "timestamp")), "?")
            return Message(text="", disposition=Disposition.IGNORE, ignore_reason=f"event {kind}")
        sender = (event.get("sender") or {}).get("id")
        if not sender:
            raise BadPayload("Messenger message without a sender")
        own = message.get("is_echo") or str(sender) == self.config.page_id
        attachments = tuple(
            Attachment(
                content_type="image/jpeg"
                if a.get("type") == "image"
                else "application/octet-stream",
                url=(a.get("payload") or {}).get("url"),
            )
            for a in message.get("attachments") or []
            if isinstance(a, dict)
        )
        reply = (message.get("reply_to") or {}).get("mid")
        return Message(
            text=str(message.get("text") or ""),
            identities=(handle_identity("facebook", sender),),
            sent_at=_when(event.get("timestamp")),
            disposition=Disposition.IGNORE if own else Disposition.COMPLAINT,
            ignore_reason="the page's own message" if own else None,
            attachments=attachments,
            ref=f"mid:{message.get('mid')}",
            refs=(f"mid:{reply}",) if reply else (),
            extra={"kind": "messenger"},
        )

    def _read_change(self, change: dict[str, Any]) -> Message:
        value = change.get("value")
        if not isinstance(value, dict):
            raise BadPayload("feed change without a value")
        item = value.get("item")
        if change.get("field") != "feed" or item != "comment":
            what = f"{change.get('field')} {item or ''} {value.get('verb') or ''}".strip()
            return Message(text="", disposition=Disposition.IGNORE, ignore_reason=what)
        sender = (value.get("from") or {}).get("id")
        if not sender:
            raise BadPayload("page comment without a sender")
        own = str(sender) == self.config.page_id
        verb = value.get("verb")
        disposition = Disposition.EDIT if verb == "edited" else Disposition.COMPLAINT
        reason: str | None = None
        if own:
            disposition, reason = Disposition.IGNORE, "the page's own comment"
        elif verb not in (None, "add", "edited"):
            disposition, reason = Disposition.IGNORE, f"comment {verb}"
        comment, parent = value.get("comment_id"), value.get("parent_id")
        photo = value.get("photo")
        return Message(
            text=str(value.get("message") or ""),
            identities=(handle_identity("facebook", sender),),
            display_name=(value.get("from") or {}).get("name"),
            sent_at=_when(value.get("created_time")),
            disposition=disposition,
            ignore_reason=reason,
            attachments=(Attachment(content_type="image/jpeg", url=photo),) if photo else (),
            ref=f"comment:{comment}",
            refs=(f"comment:{parent}",) if parent and parent != value.get("post_id") else (),
            edit_of=f"comment:{comment}" if disposition == Disposition.EDIT else None,
            extra={"kind": "comment", "post_id": value.get("post_id")},
        )
