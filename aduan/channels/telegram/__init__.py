"""Telegram bot (Bot API through python-telegram-bot): polling or webhook, chosen in config.

Authentication: the bot token (``123456:AA...``) is part of every Bot API URL,
so it must never be printed: errors are re-worded without it and httpx's
request log (which shows URLs) is kept at WARNING. In webhook mode Telegram
sends ``X-Telegram-Bot-Api-Secret-Token`` (the ``secret_token`` given to
``setWebhook``), checked in constant time; a wrong or missing one is 401.

* ``mode = "polling"``: ``getUpdates(offset=cursor)``; the next offset
  (last update_id + 1) is returned as the batch's cursor, so Telegram drops
  an update only after its row is committed. A photo's largest size is
  downloaded with ``getFile`` during the fetch (under ``max_attachment_bytes``)
  and handed to the caller with the batch (which keeps it as a blob before the
  rows); its sha256 goes in the raw's meta, so ``read`` is pure.
* ``mode = "webhook"``: ``/webhooks/telegram/<instance>``; the answer to a
  command (or the optional receipt) rides back in the webhook response as a
  ``sendMessage`` method call, so no request is made while answering. Photos
  are recorded by ``file_id`` only (no download inside the request).

The receipt (``acknowledge``) is sent only while the outbox does not acknowledge
this instance (``ChannelContext.outbox_answers``: the ``received`` event and the
send job on): a citizen gets one acknowledgement, the outbox's, never two.

The channel is a :class:`~aduan.channels.replies.Replier`: ``send(Outbound)`` is
one ``sendMessage`` (:mod:`.replies`), which polling mode's receipts use too.

The raw payload is the update's JSON exactly as the Bot API sent it, e.g.::

    {"update_id": 900001, "message": {"message_id": 11, "date": 1764400000,
     "from": {"id": 3527065, "is_bot": false, "first_name": "Sari"},
     "chat": {"id": 3527065, "type": "private"}, "text": "Got mampet di Jl. Kemang"}}
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, Literal, TypeVar

import telegram
from pydantic import Field, SecretStr, model_validator
from telegram.request import HTTPXRequest

from aduan.channels.base import (
    Channel,
    ChannelConfig,
    ChannelContext,
    PullChannel,
    PushChannel,
    WebhookRequest,
    WebhookResponse,
)
from aduan.channels.replies import Outbound, SendFailed, Sent
from aduan.channels.telegram.replies import TelegramReplier, replier
from aduan.channels.telegram.updates import largest_photo, read_update, update_key, update_kind
from aduan.core.clock import utcnow
from aduan.core.errors import BadPayload, FatalChannelError, TransientError, Unauthorized
from aduan.core.logs import get_logger
from aduan.core.messages import Batch, Cursor, Disposition, Message, RawMessage

# httpx's INFO lines and PTB's DEBUG lines carry the token URL and whole updates (personal data).
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("telegram").setLevel(logging.WARNING)
log = get_logger("aduan.channels.telegram")
T = TypeVar("T")


class TelegramConfig(ChannelConfig):
    token: SecretStr | None = Field(None, description="Bot token from @BotFather.")
    mode: Literal["polling", "webhook"] = Field("polling", description="getUpdates or webhook.")
    webhook_secret: SecretStr | None = Field(
        None, description="secret_token given to setWebhook (webhook mode; 1-256 of A-Za-z0-9_-)."
    )
    api_base_url: str = Field(
        "https://api.telegram.org", description="Bot API server (a local Bot API server, tests)."
    )
    allowed_updates: list[str] = Field(
        default_factory=lambda: ["message", "edited_message"],
        description="Update types asked for with getUpdates.",
    )
    download_photos: bool = Field(True, description="Fetch photos with getFile (polling mode).")
    acknowledge: bool = Field(False, description="Answer each complaint with a receipt.")
    receipt_text: str = Field(
        "Aduan Anda sudah kami terima. Terima kasih.", description="The receipt's text."
    )
    start_text: str = Field(
        "Selamat datang di layanan aduan warga. Tuliskan aduan Anda, lampirkan foto atau lokasi.",
        description="Answer to /start and other commands.",
    )
    timeout_seconds: float = Field(30.0, gt=0, description="HTTP timeout per Bot API call.")
    required_secrets: ClassVar[tuple[str, ...]] = ("token",)

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> TelegramConfig:
        if self.mode == "webhook" and self.enabled and self.webhook_secret is None:
            raise ValueError("webhook mode needs webhook_secret (sent as the secret_token)")
        return self


class TelegramChannel(Channel):
    """Shared by both modes; instantiating it gives the class for ``config.mode``."""

    type = "telegram"
    identity_prefix = "telegram"
    Config = TelegramConfig
    config: TelegramConfig

    def __new__(cls, name: str, config: ChannelConfig, context: ChannelContext) -> TelegramChannel:
        if cls is TelegramChannel:
            mode = getattr(config, "mode", "polling")
            cls = TelegramWebhook if mode == "webhook" else TelegramPolling
        return super().__new__(cls)

    def __init__(self, name: str, config: ChannelConfig, context: ChannelContext) -> None:
        super().__init__(name, config, context)
        self.replier: TelegramReplier = replier(self.config)

    def send(self, message: Outbound) -> Sent:
        """One ``sendMessage``; :class:`~aduan.channels.replies.SendFailed` otherwise."""
        return self.replier.send(message)

    def close(self) -> None:
        self.replier.close()

    def read(self, raw: RawMessage) -> Message:
        return read_update(raw)

    def _scrub(self, text: str) -> str:
        token = self.config.token.get_secret_value() if self.config.token else ""
        return text.replace(token, "<token>") if token else text

    def _raw(self, update: Any, body: bytes | None = None, **meta: Any) -> RawMessage:
        """One update as a raw message; a body that is not an update is kept unkeyed."""
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            payload = body if body is not None else json.dumps(update).encode()
            return self.unkeyed(payload, "application/json", **meta)
        payload = body if body is not None else _dumps(update)
        return RawMessage(
            channel=self.type,
            account=self.name,
            external_id=update_key(update),
            payload=payload,
            content_type="application/json",
            received_at=utcnow(),
            meta={"update_type": update_kind(update), **meta},
        )

    def backlog_record(self, line: bytes, number: int) -> RawMessage:
        try:
            update = json.loads(line)
        except ValueError:
            return self.unkeyed(line, "application/json", line=number)
        return self._raw(update, line, line=number)

    @property
    def receipts(self) -> bool:
        """Whether this bot answers a complaint with its own receipt: ``acknowledge`` on
        and the outbox not already acknowledging this instance's citizens (one message)."""
        return self.config.acknowledge and (
            f"{self.type}/{self.name}" not in self.context.outbox_answers
        )

    def wants_reference(self, raw: RawMessage) -> bool:
        """Receipts carry the reference number, so complaints get theirs at intake."""
        if not self.receipts:
            return False
        try:
            message = self.read(raw)
        except BadPayload:
            return False
        return message.disposition == Disposition.COMPLAINT and not message.extra.get("command")

    def _answer(self, raw: RawMessage) -> tuple[int, str] | None:
        """(chat id, text) the bot should send after ``raw`` is stored, if any."""
        try:
            message = self.read(raw)
        except BadPayload:  # a quarantined update gets no answer
            return None
        chat = message.extra.get("chat_id")
        if not isinstance(chat, int):
            return None
        if message.extra.get("command"):
            return chat, self.config.start_text
        if self.receipts and message.disposition == Disposition.COMPLAINT:
            reference = raw.meta.get("reference")
            text = self.config.receipt_text
            if not reference:
                return chat, text
            from aduan.store.references import receipt_code  # the store imports channels

            code = receipt_code(self.context.nik_key, str(reference))
            return chat, f"{text} Nomor aduan: {reference}, kode cek: {code}."
        return None


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


class _KeepBody(HTTPXRequest):
    """The getUpdates transport, keeping the body Telegram sent (the raw updates)."""

    body: bytes = b""

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        code, payload = await super().do_request(*args, **kwargs)
        self.body = payload
        return code, payload


class TelegramPolling(TelegramChannel, PullChannel):
    """``getUpdates`` with the offset as the cursor."""

    _updates_transport: _KeepBody

    def _bot(self) -> telegram.Bot:
        if self.config.token is None:
            raise FatalChannelError(f"telegram/{self.name}: token not configured")
        base = self.config.api_base_url.rstrip("/")
        timeout = self.config.timeout_seconds

        self._updates_transport = _KeepBody(read_timeout=timeout, connect_timeout=timeout)
        return telegram.Bot(
            self.config.token.get_secret_value(),
            base_url=f"{base}/bot",
            base_file_url=f"{base}/file/bot",
            request=HTTPXRequest(read_timeout=timeout, connect_timeout=timeout),
            get_updates_request=self._updates_transport,
        )

    def _run(self, work: Callable[[telegram.Bot], Awaitable[T]]) -> T:
        async def session() -> T:
            bot = self._bot()
            try:
                return await work(bot)
            finally:
                await bot.shutdown()

        try:
            return asyncio.run(session())
        except (telegram.error.InvalidToken, telegram.error.Forbidden) as exc:
            raise FatalChannelError(
                f"telegram/{self.name}: the Bot API refused the token ({type(exc).__name__})"
            ) from None
        except telegram.error.Conflict as exc:
            raise FatalChannelError(
                f"telegram/{self.name}: a webhook is set; delete it or use webhook mode "
                f"({self._scrub(str(exc))})"
            ) from None
        except telegram.error.RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)
            raise TransientError(
                f"telegram/{self.name}: flood limit", retry_after=seconds
            ) from None
        except telegram.error.TelegramError as exc:
            raise TransientError(
                f"telegram/{self.name}: {type(exc).__name__}: {self._scrub(str(exc))}"
            ) from None

    def fetch(self, cursor: Cursor | None, limit: int) -> Batch:
        offset = int((cursor or {}).get("offset", 0)) or None
        size = max(1, min(limit, 100))

        async def work(bot: telegram.Bot) -> tuple[list[Any], list[RawMessage]]:
            await bot.get_updates(
                offset=offset, limit=size, timeout=0, allowed_updates=self.config.allowed_updates
            )
            try:
                updates = json.loads(self._updates_transport.body)["result"]
            except (ValueError, KeyError, TypeError) as exc:
                raise TransientError("getUpdates answered something that is not JSON") from exc
            if not isinstance(updates, list):
                raise TransientError("getUpdates answered no list of updates")
            return updates, [await self._with_photo(bot, u, blobs) for u in updates]

        blobs: dict[str, bytes] = {}
        updates, raws = self._run(work)
        ids = [u["update_id"] for u in updates if isinstance(u, dict) and "update_id" in u]
        next_offset = max(ids) + 1 if ids else offset
        return Batch(raws, {"offset": next_offset}, more=len(updates) >= size, blobs=blobs)

    async def _with_photo(
        self, bot: telegram.Bot, update: Any, blobs: dict[str, bytes]
    ) -> RawMessage:
        """The raw update; its largest photo downloaded first when it fits the limit (the
        bytes go to ``blobs``, by sha256, for the caller to keep)."""
        message = update.get(update_kind(update)) if isinstance(update, dict) else None
        photo = largest_photo(message) if isinstance(message, dict) else None
        if photo is None or not self.config.download_photos or "file_id" not in photo:
            return self._raw(update)
        limit = self.config.max_attachment_bytes
        kept: dict[str, Any] = {"file_id": photo["file_id"]}
        if int(photo.get("file_size") or 0) > limit:
            kept["skipped"] = f"over {limit} bytes"
            return self._raw(update, photo=kept)
        try:
            file = await bot.get_file(photo["file_id"])
            if (file.file_size or 0) > limit:
                kept["skipped"] = f"over {limit} bytes"
                return self._raw(update, photo=kept)
            data = bytes(await file.download_as_bytearray())
        except telegram.error.BadRequest as exc:  # gone or too big for the Bot API: keep the text
            kept["skipped"] = self._scrub(str(exc))
            return self._raw(update, photo=kept)
        if len(data) > limit:
            kept["skipped"] = f"over {limit} bytes"
            return self._raw(update, photo=kept)
        kept["sha256"] = digest = hashlib.sha256(data).hexdigest()
        blobs[digest] = data
        kept["size"] = len(data)
        kept["file_path"] = (file.file_path or "").rsplit("/file/bot", 1)[-1].split("/", 1)[-1]
        return self._raw(update, photo=kept)

    def acknowledge(self, batch: Batch) -> None:
        for answer in map(self._answer, batch.messages):
            if answer is None:
                continue
            chat, text = answer
            try:
                self.send(Outbound(key=f"answer:{chat}", recipient=f"telegram:{chat}", text=text))
            except SendFailed as exc:  # rows are committed; say so, go on
                log.warning("telegram_answer_failed", account=self.name, error=exc.reason)


class TelegramWebhook(TelegramChannel, PushChannel):
    """Updates pushed by Telegram to ``/webhooks/telegram/<instance>``."""

    def verify(self, request: WebhookRequest) -> None:
        secret = self.config.webhook_secret
        given = request.header("x-telegram-bot-api-secret-token") or ""
        if secret is None or not hmac.compare_digest(
            given.encode(), secret.get_secret_value().encode()
        ):
            raise Unauthorized("missing or wrong X-Telegram-Bot-Api-Secret-Token")

    def parse(self, request: WebhookRequest) -> list[RawMessage]:
        try:
            update = json.loads(request.body)
        except ValueError:  # authentic but unreadable: kept, quarantined by read
            return [self.unkeyed(request.body, "application/json")]
        return [self._raw(update, request.body)]

    def acknowledge(self, raws: list[RawMessage]) -> WebhookResponse:
        answer = self._answer(raws[0]) if raws else None
        if answer is None:
            return WebhookResponse(200, b"OK")
        chat, text = answer
        body = {"method": "sendMessage", "chat_id": chat, "text": text}
        return WebhookResponse(200, _dumps(body), "application/json")
