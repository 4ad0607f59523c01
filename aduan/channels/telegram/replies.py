"""Answers on Telegram: the Bot API's ``sendMessage``, one request per message.

:func:`replier` builds the :class:`TelegramReplier` of a bot instance (its
token, ``api_base_url`` and timeout); :class:`~aduan.channels.telegram.TelegramChannel`
answers through it (its ``send``, which the outbox calls, and the receipts of
polling mode), so there is one way a message leaves for Telegram.

Request (JSON, the token in the path, so it never appears in a reason)::

    POST {api_base_url}/bot<token>/sendMessage
    {"chat_id": 3527065, "text": "...",
     "reply_parameters": {"message_id": 11, "allow_sending_without_reply": true}}

``reply_parameters`` (the Bot API 7 form of ``reply_to_message_id``) is set when
:attr:`Outbound.in_reply_to` names the citizen's message (``<chat>:<message_id>``,
as the channel's ``ref``); the answer still goes when that message was deleted.
Success is ``{"ok": true, "result": {"message_id": 12, ...}}``; the message id
is the provider id. A refusal is ``{"ok": false, "error_code": 429,
"description": "Too Many Requests: retry after 35", "parameters":
{"retry_after": 35}}``:

* 429 -> transient, ``retry_after`` from ``parameters``; 5xx, no answer -> transient;
* 400 (chat not found, text too long), 401 (bad token), 403 (the bot was
  blocked by the user), a group that moved (``migrate_to_chat_id``), a
  recipient that is not ``telegram:<chat id>`` -> permanent.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, NoReturn

from aduan.channels.replies import Outbound, SendFailed, Sent
from aduan.channels.sms.outbound import KeptClient, call, detail, unreadable

if TYPE_CHECKING:
    from aduan.channels.telegram import TelegramConfig

NAME = "telegram"


def chat_of(recipient: str) -> int:
    """The chat id of a ``telegram:<id>`` identity; anything else is refused for good."""
    kind, _, chat = recipient.partition(":")
    if kind != "telegram" or not chat.lstrip("-").isdigit():
        raise SendFailed(f"{NAME}: recipient is not a Telegram chat ({kind}:)", transient=False)
    return int(chat)


def replied_message(in_reply_to: str | None, chat: int) -> int | None:
    """The message id to answer, from ``<chat>:<message_id>`` (another chat's: none)."""
    if not in_reply_to:
        return None
    where, _, number = in_reply_to.rpartition(":")
    if where and where != str(chat):
        return None
    return int(number) if number.isdigit() else None


class TelegramReplier:
    """``sendMessage`` for one bot, over one HTTP client kept until :meth:`close`."""

    def __init__(self, config: TelegramConfig) -> None:
        self.config = config
        self.http = KeptClient()

    def close(self) -> None:
        self.http.close()

    def send(self, message: Outbound) -> Sent:
        token = self.config.token.get_secret_value() if self.config.token else ""
        if not token:
            raise SendFailed(f"{NAME}: sending is not configured (set token)", transient=False)
        chat = chat_of(message.recipient)
        body: dict[str, Any] = {"chat_id": chat, "text": message.text}
        parent = replied_message(message.in_reply_to, chat)
        if parent is not None:
            body["reply_parameters"] = {"message_id": parent, "allow_sending_without_reply": True}
        url = f"{self.config.api_base_url.rstrip('/')}/bot{token}/sendMessage"
        response = call(
            self.http.get(), NAME, "POST", url, json=body, timeout=self.config.timeout_seconds
        )
        try:
            answer = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            answer = None
        if not isinstance(answer, dict):
            if response.is_success:
                raise unreadable(NAME, "not a JSON object")
            self._refused(response.status_code, {}, token)
        if not answer.get("ok"):
            self._refused(response.status_code, answer, token)
        number = (answer.get("result") or {}).get("message_id")
        if not isinstance(number, int):
            raise unreadable(NAME, "no message_id")
        return Sent(provider_id=str(number))

    def _refused(self, status: int, answer: dict[str, Any], token: str) -> NoReturn:
        given = answer.get("error_code")
        code = given if isinstance(given, int) else status
        said = str(answer.get("description") or "").replace(token, "<token>")
        reason = f"{NAME}: {code}" + (f": {detail(said)}" if said.strip() else "")
        found = answer.get("parameters")
        parameters: dict[str, Any] = found if isinstance(found, dict) else {}
        if code == 429:
            wait = parameters.get("retry_after")
            retry = float(wait) if isinstance(wait, int | float) else None
            raise SendFailed(reason, transient=True, retry_after=retry)
        if "migrate_to_chat_id" in parameters:
            raise SendFailed(f"{reason} (the group moved to a new chat)", transient=False)
        raise SendFailed(reason, transient=code >= 500)


def replier(config: TelegramConfig) -> TelegramReplier:
    """The replier of a bot instance (sending fails for good until the token is set)."""
    return TelegramReplier(config)


__all__ = ["TelegramReplier", "chat_of", "replied_message", "replier"]
