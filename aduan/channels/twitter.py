"""X (Twitter) API v2: mentions of the city's account and its direct messages.

Authentication: an app-only bearer token reads mentions
(``GET /2/users/:id/mentions``); an OAuth 2.0 user-context token of the city's
account reads DM events (``GET /2/dm_events``), which need user context.

Mentions are pulled with ``since_id`` and paged with ``pagination_token``; the
cursor's new ``since_id`` is ``meta.newest_id`` of the *first* page and is
returned only once every page is in the batch, so it is committed with the
rows it covers. DM events have no ``since_id``: pages are read newest first
until a known event id, and the event id is the raw key (dedup).

``aduan poll twitter --since D`` rewinds: the next fetch asks for mentions
with ``start_time`` instead of ``since_id`` (X serves at most the 800 newest
mentions) and reads DM pages without stopping at known events (X keeps 30
days); what is already stored is absorbed by the raw archive's unique key.

Rate limits are never slept on (``wait_on_rate_limit=False``): a 429 becomes
:class:`~aduan.core.errors.TransientError` with the seconds until
``x-rate-limit-reset``. 401/403 are fatal for the channel.

The channel is a :class:`~aduan.channels.replies.Replier`: ``send(Outbound)``
answers a reporter by direct message (:mod:`aduan.channels.twitter_dm`).

Sample raw payload (one mention and the includes it needs, so ``read`` is pure)::

    {"data": {"id": "1860000000000000001", "text": "@dkijakarta lampu jalan mati",
              "author_id": "2244994945", "created_at": "2026-11-20T01:02:03.000Z",
              "edit_history_tweet_ids": ["1860000000000000001"]},
     "includes": {"users": [{"id": "2244994945", "name": "Warga", "username": "warga"}]}}
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests
import tweepy
from pydantic import Field, SecretStr
from requests.adapters import HTTPAdapter

from aduan.channels.base import ChannelConfig, ChannelContext, PullChannel
from aduan.channels.replies import Outbound, Sent
from aduan.channels.twitter_dm import DirectMessages, replier
from aduan.core.clock import utcnow
from aduan.core.errors import BadPayload, FatalChannelError, TransientError
from aduan.core.identity import handle_identity
from aduan.core.messages import (
    Attachment,
    Batch,
    Cursor,
    Disposition,
    Location,
    Message,
    RawMessage,
)

X_HOSTS = ("https://api.twitter.com", "https://api.x.com")
TWEET_FIELDS = [
    "created_at",
    "author_id",
    "conversation_id",
    "in_reply_to_user_id",
    "referenced_tweets",
    "attachments",
    "geo",
    "lang",
    "entities",
    "note_tweet",
]
EXPANSIONS = [
    "author_id",
    "attachments.media_keys",
    "geo.place_id",
    "referenced_tweets.id",
    "referenced_tweets.id.author_id",
]
USER_FIELDS = ["username", "name", "location", "verified"]
MEDIA_FIELDS = ["type", "url", "preview_image_url", "width", "height"]
PLACE_FIELDS = ["full_name", "geo", "country_code", "place_type"]
DM_FIELDS = ["id", "text", "event_type", "created_at", "sender_id", "dm_conversation_id"]
DM_FIELDS += ["attachments", "referenced_tweets"]
MEDIA_TYPES = {"photo": "image/jpeg", "video": "video/mp4", "animated_gif": "video/mp4"}
KNOWN_DM_IDS = 50
_LEADING_HANDLES = re.compile(r"^(?:@\w+\s+)+")


class TwitterConfig(ChannelConfig):
    user_id: str = Field("", description="Numeric id of the city's X account.")
    bearer_token: SecretStr | None = Field(None, description="App-only bearer token (mentions).")
    dm_token: SecretStr | None = Field(
        None, description="OAuth 2.0 user-context token of the city's account; DMs off when unset."
    )
    api_base_url: str = Field(
        "https://api.twitter.com", description="X API base URL (tests point it at a local server)."
    )
    max_pages: int = Field(
        8, gt=0, le=50, description="Pages read per fetch at most (batch_size items, 5-100, each)."
    )
    timeout_seconds: float = Field(30.0, gt=0, description="HTTP timeout per request.")
    required_secrets: ClassVar[tuple[str, ...]] = ("bearer_token",)


class _Rebase(HTTPAdapter):
    """Sends requests meant for api.twitter.com to ``base`` (tweepy hard-codes the host)."""

    def __init__(self, base: str, timeout: float) -> None:
        super().__init__()
        self.base = base.rstrip("/")
        self.timeout = timeout

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        parts = urlsplit(request.url or "")
        request.url = self.base + parts.path + (f"?{parts.query}" if parts.query else "")
        kwargs["timeout"] = kwargs.get("timeout") or self.timeout
        return super().send(request, **kwargs)


def _error(exc: Exception, what: str) -> TransientError | FatalChannelError:
    """The aduan error for a tweepy or requests failure (no sleeping, no retrying here)."""
    if isinstance(exc, tweepy.TooManyRequests):
        reset = float(getattr(exc, "reset_time", 0) or 0)
        wait = max(1.0, reset - time.time()) if reset else 900.0
        return TransientError(f"X rate limit on {what}; reset in {wait:.0f} s", retry_after=wait)
    if isinstance(exc, tweepy.Unauthorized | tweepy.Forbidden):
        status = exc.response.status_code
        return FatalChannelError(f"X refused {what} ({status}): check the tokens and access level")
    if isinstance(exc, tweepy.TwitterServerError):
        return TransientError(f"X server error on {what} ({exc.response.status_code})")
    if isinstance(exc, tweepy.HTTPException):
        return FatalChannelError(f"X rejected {what} ({exc.response.status_code}): {exc}")
    if isinstance(exc, ValueError):
        return TransientError(f"X sent an unreadable answer to {what}")
    return TransientError(f"X unreachable for {what}: {type(exc).__name__}")


def _pick_includes(includes: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    """The part of a page's ``includes`` that one tweet or DM event refers to."""
    users = {u.get("id"): u for u in includes.get("users", [])}
    media = {m.get("media_key"): m for m in includes.get("media", [])}
    places = {p.get("id"): p for p in includes.get("places", [])}
    tweets = {t.get("id"): t for t in includes.get("tweets", [])}
    picked: dict[str, list[Any]] = {}
    user_ids = [item.get("author_id"), item.get("sender_id")]
    refs = [tweets[r["id"]] for r in item.get("referenced_tweets", []) if r.get("id") in tweets]
    user_ids += [t.get("author_id") for t in refs]
    picked["users"] = [users[u] for u in dict.fromkeys(user_ids) if u in users]
    keys = (item.get("attachments") or {}).get("media_keys", [])
    picked["media"] = [media[k] for k in keys if k in media]
    place = (item.get("geo") or {}).get("place_id")
    picked["places"] = [places[place]] if place in places else []
    picked["tweets"] = refs
    return {k: v for k, v in picked.items() if v}


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


class TwitterChannel(PullChannel):
    type = "twitter"
    identity_prefix = "twitter"
    Config = TwitterConfig
    config: TwitterConfig

    def __init__(self, name: str, config: ChannelConfig, context: ChannelContext) -> None:
        super().__init__(name, config, context)
        self._clients: dict[str, tweepy.Client] = {}
        self.replier: DirectMessages = replier(self.config)

    def send(self, message: Outbound) -> Sent:
        """One direct message; :class:`~aduan.channels.replies.SendFailed` otherwise."""
        return self.replier.send(message)

    def _client(self, key: str) -> tweepy.Client:
        """The client for ``"app"`` (bearer token, mentions) or ``"dm"`` (user-context token)."""
        token = self.config.dm_token if key == "dm" else self.config.bearer_token
        if token is None:
            raise FatalChannelError(f"twitter/{self.name}: {key} token not configured")
        if key not in self._clients:
            client = tweepy.Client(
                bearer_token=token.get_secret_value(), wait_on_rate_limit=False, return_type=dict
            )
            adapter = _Rebase(self.config.api_base_url, self.config.timeout_seconds)
            for host in X_HOSTS:
                client.session.mount(host, adapter)
            self._clients[key] = client
        return self._clients[key]

    def _raw(self, kind: str, item: Any, includes: dict[str, Any]) -> RawMessage:
        """One tweet or DM event with its includes; one without an id is kept unkeyed."""
        if not isinstance(item, dict) or not item.get("id"):
            return self.unkeyed(_dumps({"data": item}), "application/json", kind=kind)
        payload = _dumps({"data": item, "includes": _pick_includes(includes, item)})
        return RawMessage(
            channel=self.type,
            account=self.name,
            external_id=f"{kind}:{item['id']}",
            payload=payload,
            content_type="application/json",
            received_at=utcnow(),
            meta={"kind": kind},
        )

    def _mentions(
        self, since_id: str | None, size: int, start_time: str | None = None
    ) -> tuple[list[RawMessage], str | None]:
        client = self._client("app")
        raws: list[RawMessage] = []
        newest: str | None = None
        token: str | None = None
        for page in range(self.config.max_pages):
            try:
                answer: Any = client.get_users_mentions(
                    self.config.user_id,
                    since_id=since_id,
                    start_time=None if since_id else start_time,
                    pagination_token=token,
                    max_results=size,
                    expansions=EXPANSIONS,
                    tweet_fields=TWEET_FIELDS,
                    user_fields=USER_FIELDS,
                    media_fields=MEDIA_FIELDS,
                    place_fields=PLACE_FIELDS,
                )
            except (tweepy.TweepyException, requests.RequestException, ValueError) as exc:
                raise _error(exc, "mentions") from exc
            meta = answer.get("meta") or {}
            if page == 0:
                newest = meta.get("newest_id")
            includes = answer.get("includes") or {}
            for tweet in answer.get("data") or []:
                raws.append(self._raw("tweet", tweet, includes))
            token = meta.get("next_token")
            if not token:
                break
        return raws, newest

    def _dms(self, known: list[str]) -> tuple[list[RawMessage], list[str]]:
        client = self._client("dm")
        raws: list[RawMessage] = []
        token: str | None = None
        seen = set(known)
        for _ in range(self.config.max_pages):
            try:
                answer: Any = client.get_direct_message_events(
                    event_types="MessageCreate",
                    dm_event_fields=DM_FIELDS,
                    expansions=["sender_id", "attachments.media_keys"],
                    user_fields=USER_FIELDS,
                    media_fields=MEDIA_FIELDS,
                    max_results=100,
                    pagination_token=token,
                    user_auth=False,
                )
            except (tweepy.TweepyException, requests.RequestException, ValueError) as exc:
                raise _error(exc, "direct messages") from exc
            includes = answer.get("includes") or {}
            reached_known = False
            for event in answer.get("data") or []:
                if str(event.get("id")) in seen:
                    reached_known = True
                    break
                raws.append(self._raw("dm", event, includes))
            token = (answer.get("meta") or {}).get("next_token")
            if reached_known or not token:
                break
        ids = [raw.external_id.removeprefix("dm:") for raw in raws]
        return raws, (ids + known)[:KNOWN_DM_IDS]

    def rewind(self, cursor: Cursor | None, since: datetime) -> Cursor:
        """Mentions from ``since`` on, and every DM event X still keeps."""
        start = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"since_id": None, "start_time": start, "dm_known": []}

    def fetch(self, cursor: Cursor | None, limit: int) -> Batch:
        cursor = dict(cursor or {})
        since_id, start_time = cursor.get("since_id"), cursor.get("start_time")
        raws, newest = self._mentions(since_id, max(5, min(limit, 100)), start_time)
        next_cursor: Cursor = {"since_id": newest or since_id}
        if next_cursor["since_id"] is None and start_time:
            next_cursor["start_time"] = start_time  # nothing found yet: ask the same again
        if self.config.dm_token is not None:
            dms, known = self._dms(list(cursor.get("dm_known", [])))
            raws += dms
            next_cursor["dm_known"] = known
        return Batch(raws, next_cursor, more=False)

    def backlog_record(self, line: bytes, number: int) -> RawMessage:
        try:
            record = json.loads(line)
            item, includes = record["data"], record.get("includes") or {}
            kind = "dm" if "event_type" in item or "sender_id" in item else "tweet"
            raw = self._raw(kind, item, includes)
            return replace(raw, payload=line, meta={"kind": kind, "line": number})
        except (ValueError, KeyError, TypeError):
            return self.unkeyed(line, "application/json", line=number)

    def read(self, raw: RawMessage) -> Message:
        try:
            record = json.loads(raw.payload)
            item = record["data"]
            includes = record.get("includes") or {}
            item_id = str(item["id"])
        except (ValueError, KeyError, TypeError) as exc:
            raise BadPayload(f"not an X API v2 tweet or DM event: {exc!r}") from exc
        if not isinstance(item, dict) or not isinstance(includes, dict):
            raise BadPayload("X item is not an object")
        if "event_type" in item and item["event_type"] != "MessageCreate":
            reason = f"DM event {item['event_type']}"
            return Message(text="", disposition=Disposition.IGNORE, ignore_reason=reason)
        note = (item.get("note_tweet") or {}).get("text")
        text = note if isinstance(note, str) else item.get("text")
        if not isinstance(text, str):
            raise BadPayload("X item has no text")
        if "event_type" in item or "sender_id" in item:
            return self._read_dm(item, includes, text, item_id)
        return self._read_tweet(item, includes, text, item_id)

    def _sender(self, includes: dict[str, Any], user_id: Any) -> tuple[str, str | None]:
        if not user_id:
            raise BadPayload("X item has no author")
        users: list[dict[str, Any]] = includes.get("users", [])
        user = next((u for u in users if u.get("id") == user_id), {})
        return handle_identity("twitter", user_id), user.get("name") or user.get("username")

    def _read_tweet(
        self, item: dict[str, Any], includes: dict[str, Any], text: str, item_id: str
    ) -> Message:
        identity, name = self._sender(includes, item.get("author_id"))
        own = self.config.user_id
        disposition, reason = Disposition.COMPLAINT, None
        refs = {r.get("type"): str(r.get("id")) for r in item.get("referenced_tweets") or []}
        originals = {t.get("id"): t for t in includes.get("tweets", [])}
        retweeted = originals.get(refs.get("retweeted"), {})
        if own and item.get("author_id") == own:
            disposition, reason = Disposition.IGNORE, "the city's own post or reply"
        elif "retweeted" in refs and retweeted.get("author_id") == own:
            disposition, reason = Disposition.IGNORE, "retweet of the city's own post"
        location = None
        place = next(iter(includes.get("places", [])), None)
        point = (item.get("geo") or {}).get("coordinates") or {}
        coords = point.get("coordinates") if point.get("type") == "Point" else None
        if place or coords:
            location = Location(
                lon=coords[0] if coords else None,
                lat=coords[1] if coords else None,
                address=(place or {}).get("full_name"),
            )
        attachments = tuple(
            Attachment(
                content_type=MEDIA_TYPES.get(m.get("type", ""), "application/octet-stream"),
                url=m.get("url") or m.get("preview_image_url"),
            )
            for m in includes.get("media", [])
        )
        replied = [f"tweet:{refs[k]}" for k in ("replied_to", "quoted") if k in refs]
        return Message(
            text=_LEADING_HANDLES.sub("", text).strip(),
            identities=(identity,),
            display_name=name,
            sent_at=_parse_time(item.get("created_at")),
            disposition=disposition,
            ignore_reason=reason,
            language=item.get("lang"),
            attachments=attachments,
            location=location,
            ref=f"tweet:{item_id}",
            refs=tuple(replied),
            extra={"conversation_id": item.get("conversation_id"), "kind": "mention"},
        )

    def _read_dm(
        self, item: dict[str, Any], includes: dict[str, Any], text: str, item_id: str
    ) -> Message:
        identity, name = self._sender(includes, item.get("sender_id"))
        own = self.config.user_id and item.get("sender_id") == self.config.user_id
        attachments = tuple(
            Attachment(
                content_type=MEDIA_TYPES.get(m.get("type", ""), "application/octet-stream"),
                url=m.get("url") or m.get("preview_image_url"),
            )
            for m in includes.get("media", [])
        )
        return Message(
            text=text.strip(),
            identities=(identity,),
            display_name=name,
            sent_at=_parse_time(item.get("created_at")),
            disposition=Disposition.IGNORE if own else Disposition.COMPLAINT,
            ignore_reason="the city's own direct message" if own else None,
            attachments=attachments,
            ref=f"dm:{item_id}",
            extra={"conversation_id": item.get("dm_conversation_id"), "kind": "dm"},
        )

    def close(self) -> None:
        self.replier.close()
        for client in self._clients.values():
            client.session.close()
        self._clients.clear()
