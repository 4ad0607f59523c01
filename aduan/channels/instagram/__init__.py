"""Instagram professional account (Meta webhooks, ``object: "instagram"``): DMs, comments, mentions.

One instance per professional account, at ``/webhooks/instagram/<instance>``
(the app's callback URL for the ``instagram`` object). Authentication is
Meta's, the same as the Facebook page channel's, and checked by its code
(:class:`~aduan.channels.facebook.FacebookChannel`, which this channel
extends): the subscription GET (``hub.mode=subscribe``, ``hub.verify_token``, ``hub.challenge``) and
``X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body with the app
secret>`` on every POST, before anything is parsed. Secrets (app secret,
verify token, access token) come from the environment only.

A delivery's ``entry[]`` holds ``messaging[]`` (direct messages) and
``changes[]`` (``comments``, ``live_comments``, ``mentions``); each event is
stored as its own raw message (that entry with only that event), keyed
``mid:<mid>`` (``:edit:<n>``, ``:deleted``), ``comment:<id>`` or
``mention:<id>``; events without an id (reactions, reads) under their
content hash. :mod:`.events` says what each becomes. Entries for another
account than ``account_id`` are kept and ignored. Sample raw payload::

    {"id": "17841400000000001", "time": 1764400000000,
     "messaging": [{"sender": {"id": "6200000000000001"},
                    "recipient": {"id": "17841400000000001"}, "timestamp": 1764400000000,
                    "message": {"mid": "aWdfZAG1f...", "text": "Lampu jalan mati di Jl. Kemang"}}]}

Answers (:class:`~aduan.channels.replies.Replier`, :mod:`.graph` for the calls):
a DM answers through ``POST /{account_id}/messages`` only within 24 hours of
the citizen's last message; a complaint made of a comment is answered by a
private reply (``recipient: {"comment_id"}``, within 7 days of the comment)
or, with ``comment_replies = "public"``, under the comment (``POST
/{comment-id}/replies``). Files (images, videos, audio, files, story
mentions) are fetched by the media job (:mod:`aduan.daemon.media_job`) with
:meth:`InstagramChannel.fetch_media`; :meth:`InstagramChannel.probe` asks the
Graph API whether it still takes the token (``/healthz`` shows it).
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Literal

from pydantic import Field, SecretStr

from aduan.channels.base import ChannelContext
from aduan.channels.facebook import FacebookChannel, FacebookConfig
from aduan.channels.instagram.events import PREFIX, event_key, read_change, read_messaging
from aduan.channels.instagram.graph import TOKEN_REFUSED, Graph, graph_error
from aduan.channels.replies import Outbound, SendFailed, Sent
from aduan.core.clock import utcnow
from aduan.core.errors import BadPayload, FatalChannelError, TransientError
from aduan.core.messages import Disposition, Message, RawMessage

DM_WINDOW = (timedelta(hours=24), "24 hours")
PRIVATE_REPLY_WINDOW = (timedelta(days=7), "7 days")
MAX_TEXT_BYTES = 1000
"""Instagram's limit on a message's text (UTF-8 bytes)."""


class InstagramConfig(FacebookConfig):
    page_id: str = Field(
        "", description="The Facebook page linked to the account (shown only; not used)."
    )
    account_id: str = Field(
        "", description="Instagram professional account id (entry.id; the Send API's ig-user-id)."
    )
    access_token: SecretStr | None = Field(
        None,
        description="Access token (the linked page's with Facebook Login, the account's with "
        "Instagram Login) for replies, file downloads and the health probe.",
    )
    page_access_token: SecretStr | None = Field(
        None, description="Not used by Instagram: its token is access_token."
    )
    comment_replies: Literal["private", "public"] = Field(
        "private",
        description="Answer a comment by a private DM (7 days) or publicly under the comment.",
    )
    media_token_hosts: tuple[str, ...] = Field(
        ("fbsbx.com", "cdninstagram.com", "fbcdn.net"),
        description="Hosts (and their subdomains) a file download may send the token to.",
    )
    media_retry_hours: float = Field(
        48.0, gt=0, description="How long a failed file download is tried again."
    )
    probe_seconds: float = Field(
        600.0, gt=0, description="How often the Graph API is asked whether it takes the token."
    )
    required_secrets: ClassVar[tuple[str, ...]] = ("app_secret", "verify_token")


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


class InstagramChannel(FacebookChannel):
    """Meta's handshake, signature check, delivery splitting and backlog reading are the
    page channel's (inherited); the keys, the reading and the Graph API calls are Instagram's."""

    type = "instagram"
    identity_prefix = PREFIX
    Config = InstagramConfig
    config: InstagramConfig

    def __init__(self, name: str, config: InstagramConfig, context: ChannelContext) -> None:
        super().__init__(name, config, context)
        self._graph: Graph | None = None
        self._lock = threading.Lock()

    # -- intake ---------------------------------------------------------------

    def _raw(self, entry: dict[str, Any], **meta: Any) -> RawMessage:
        """A single-event entry as a raw message, keyed as :func:`.events.event_key` says
        (the page channel's ``parse`` and ``backlog`` split deliveries into entries)."""
        key = event_key(entry)
        payload = _dumps(entry)
        if key is None:
            return self.unkeyed(payload, "application/json", **meta)
        return RawMessage(
            self.type, self.name, key, payload, "application/json", utcnow(), meta=meta
        )

    def read(self, raw: RawMessage) -> Message:
        try:
            entry = json.loads(raw.payload)
            events = (entry.get("messaging") or []) + (entry.get("changes") or [])
        except (ValueError, TypeError, AttributeError) as exc:
            raise BadPayload(f"not an Instagram webhook entry: {exc!r}"[:200]) from exc
        if len(events) != 1 or not isinstance(events[0], dict):
            raise BadPayload("an Instagram entry with exactly one event was expected")
        owner = entry.get("id")
        account = self.config.account_id
        if account and owner is not None and str(owner) != account:
            return Message(
                text="",
                disposition=Disposition.IGNORE,
                ignore_reason=f"for another Instagram account ({owner})",
            )
        if entry.get("messaging"):
            return read_messaging(events[0], account)
        return read_change(events[0], account)

    # -- Graph API ------------------------------------------------------------

    def _client(self, what: str) -> Graph:
        token = self.config.access_token
        if token is None or not self.config.account_id:
            raise SendFailed(
                f"instagram: {what} is not configured (set access_token and account_id)",
                transient=False,
            )
        with self._lock:
            if self._graph is None:
                config = self.config
                base = f"{config.graph_api_base_url.rstrip('/')}/{config.graph_api_version}"
                self._graph = Graph(base, token.get_secret_value(), config.send_timeout_seconds)
            return self._graph

    def send(self, message: Outbound) -> Sent:
        """One answer: a DM inside the window, or a reply to the comment it answers."""
        kind, _, user = message.recipient.partition(":")
        if kind != PREFIX or not user:
            raise SendFailed(
                f"instagram: recipient is not an Instagram id ({kind}:)", transient=False
            )
        if len(message.text.encode()) > MAX_TEXT_BYTES:
            raise SendFailed(
                f"instagram: text over {MAX_TEXT_BYTES} bytes (Instagram's limit); shorten it",
                transient=False,
            )
        graph = self._client("sending")
        answered = message.in_reply_to or ""
        comment = answered.removeprefix("comment:") if answered.startswith("comment:") else None
        if comment and self.config.comment_replies == "public":
            data = graph.post(f"{comment}/replies", {"message": message.text})
            return Sent(str(data["id"]) if data.get("id") else None)
        window, recipient = DM_WINDOW, {"id": user}
        if comment:
            window, recipient = PRIVATE_REPLY_WINDOW, {"comment_id": comment}
        self._in_window(message.last_inbound_at, window, "private reply" if comment else "DM")
        body = {"recipient": recipient, "message": {"text": message.text}}
        data = graph.post(f"{self.config.account_id}/messages", body)
        sent = data.get("message_id")
        return Sent(str(sent) if sent else None)

    @staticmethod
    def _in_window(last: datetime | None, window: tuple[timedelta, str], what: str) -> None:
        span, said = window
        if last is None:
            raise SendFailed(
                f"instagram: outside the messaging window: no message from the citizen is known, "
                f"so no {what} may be sent "
                f"(Instagram allows one only within {said} of the citizen's last message)",
                transient=False,
            )
        at = last if last.tzinfo else last.replace(tzinfo=UTC)
        if utcnow() - at > span:
            raise SendFailed(
                f"instagram: outside the messaging window: the citizen last wrote at "
                f"{at.isoformat(timespec='minutes')}, and Instagram allows a {what} only "
                f"within {said} of it; answer on another channel",
                transient=False,
            )

    def probe(self) -> None:
        """Ask the Graph API for the account with the token: ``FatalChannelError`` when it
        refuses the token, ``TransientError`` when it cannot be asked now."""
        if self.config.access_token is None or not self.config.account_id:
            return
        graph = self._client("the health probe")
        try:
            response = graph.request("GET", self.config.account_id, params={"fields": "id"})
        except SendFailed as exc:
            raise TransientError(exc.reason) from None
        if response.is_success:
            return
        code, _sub, _said = graph_error(response)
        reason = f"instagram/{self.name}: the Graph API refused the access token"
        if code in TOKEN_REFUSED or response.status_code in (401, 403):
            raise FatalChannelError(f"{reason} (code {code}): renew it")
        if response.status_code >= 500 or response.status_code == 429:
            raise TransientError(f"instagram/{self.name}: Graph API HTTP {response.status_code}")
        raise FatalChannelError(
            f"instagram/{self.name}: the Graph API refused the account probe "
            f"(HTTP {response.status_code}, code {code}): check account_id and the token"
        )

    def fetch_media(self, url: str) -> bytes:
        """The file at ``url`` under ``max_attachment_bytes``: ``TransientError`` when a later
        try may work, ``BadPayload`` when none will (too large, refused, not a URL)."""
        try:
            graph = self._client("downloading files")
            return graph.download(
                url, self.config.max_attachment_bytes, self.config.media_token_hosts
            )
        except SendFailed as exc:
            if exc.transient:
                raise TransientError(exc.reason, exc.retry_after) from None
            raise BadPayload(exc.reason) from None
        except ValueError as exc:
            raise BadPayload(f"instagram: file not kept: {exc}") from None

    media_scheme = ""  # the CDN's https URLs, whatever the host

    def media_retry_seconds(self) -> float:
        return self.config.media_retry_hours * 3600

    def close(self) -> None:
        with self._lock:
            if self._graph is not None:
                self._graph.close()
                self._graph = None
        super().close()
