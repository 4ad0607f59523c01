"""Answers on X as direct messages (X API v2, "Create DM message by participant ID").

:func:`replier` builds the :class:`DirectMessages` replier of an X instance;
:class:`~aduan.channels.twitter.TwitterChannel` answers through it (its ``send``,
which the outbox calls). Authentication is the instance's ``dm_token``, the
OAuth 2.0 user-context token of the city's account that already reads its DMs
(scopes ``dm.write``, ``dm.read``, ``tweet.read``, ``users.read``), sent as
``Authorization: Bearer``. The recipient is the reporter identity ``twitter:<user id>``::

    POST {api_base_url}/2/dm_conversations/with/2244994945/messages
    {"text": "Aduan Anda ADU-2026-000123 sudah kami terima."}

    201 {"data": {"dm_conversation_id": "1500000000000000001-2244994945",
                  "dm_event_id": "1582838000000000000"}}

The ``dm_event_id`` is the provider id. Refusals come as
``{"title": "Forbidden", "detail": "You are not permitted to send a Direct
Message to this user.", "type": "about:blank", "status": 403}`` (or
``{"errors": [{"message": ...}], "title": ..., "detail": ...}``):

* 429 -> transient, ``retry_after`` = ``x-rate-limit-reset`` (epoch seconds) - now;
  5xx, no answer -> transient;
* 400, 401 (token revoked), 403 (the user does not accept DMs from the city,
  or blocked it), 404 -> permanent; so is a recipient that is not ``twitter:<id>``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx

from aduan.channels.replies import Outbound, SendFailed, Sent
from aduan.channels.sms.outbound import KeptClient, call, detail, unreadable

if TYPE_CHECKING:
    from aduan.channels.twitter import TwitterConfig

NAME = "x"


def user_of(recipient: str) -> str:
    """The user id of a ``twitter:<id>`` identity; anything else is refused for good."""
    kind, _, user = recipient.partition(":")
    if kind != "twitter" or not user.isdigit():
        raise SendFailed(f"{NAME}: recipient is not an X user id ({kind}:)", transient=False)
    return user


def reset_wait(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds until ``x-rate-limit-reset`` (at least 1); None when absent or unreadable."""
    value = (headers.get("x-rate-limit-reset") or "").strip()
    if not value.isdigit():
        return None
    return max(1.0, int(value) - (time.time() if now is None else now))


def problem(response: httpx.Response) -> str:
    """What an X error answer says: ``title: detail`` and the first error message."""
    try:
        data = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return response.text[:300]
    if not isinstance(data, dict):
        return ""
    parts = [str(data[key]) for key in ("title", "detail") if data.get(key)]
    errors = data.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        message = errors[0].get("message")
        if message and message not in parts:
            parts.append(str(message))
    return ": ".join(parts)


class DirectMessages:
    """Sends an X instance's answers as DMs, over one HTTP client kept until :meth:`close`."""

    def __init__(self, config: TwitterConfig) -> None:
        self.config = config
        self.http = KeptClient()

    def close(self) -> None:
        self.http.close()

    def send(self, message: Outbound) -> Sent:
        token = self.config.dm_token
        if token is None:
            raise SendFailed(f"{NAME}: sending is not configured (set dm_token)", transient=False)
        user = user_of(message.recipient)
        base = self.config.api_base_url.rstrip("/")
        response = call(
            self.http.get(),
            NAME,
            "POST",
            f"{base}/2/dm_conversations/with/{user}/messages",
            json={"text": message.text},
            headers={"Authorization": f"Bearer {token.get_secret_value()}"},
            timeout=self.config.timeout_seconds,
        )
        if not response.is_success:
            status = response.status_code
            said = problem(response)
            reason = f"{NAME}: HTTP {status}" + (f": {detail(said)}" if said.strip() else "")
            if status == 429:
                raise SendFailed(reason, transient=True, retry_after=reset_wait(response.headers))
            raise SendFailed(reason, transient=status >= 500)
        try:
            data: Any = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            raise unreadable(NAME, "not JSON") from None
        event = (data.get("data") or {}).get("dm_event_id") if isinstance(data, dict) else None
        if not isinstance(event, str) or not event:
            raise unreadable(NAME, "no dm_event_id")
        return Sent(provider_id=event)


def replier(config: TwitterConfig) -> DirectMessages:
    """The replier of an X instance (sending fails for good until ``dm_token`` is set)."""
    return DirectMessages(config)


__all__ = ["DirectMessages", "problem", "replier", "reset_wait", "user_of"]
