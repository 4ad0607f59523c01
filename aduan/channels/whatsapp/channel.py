"""The ``whatsapp`` channel: one instance per business number, Cloud API or Twilio.

``WhatsAppChannel(name, config, context)`` gives the class of the instance's
``provider`` (like Telegram's modes):

* :class:`CloudWhatsApp` — Meta's Cloud API. Webhooks at
  ``/webhooks/whatsapp/<instance>``: the GET handshake, then each POST checked
  with ``X-Hub-Signature-256`` before it is parsed (:mod:`aduan.channels.meta`)
  and split into one raw per message and per status (:mod:`.payloads`).
  Media are fetched after the message is stored (:mod:`aduan.channels.media`),
  replies go through ``POST /{phone-number-id}/messages`` (:mod:`.send`), and
  the instance is also polled: each poll asks the Graph API for the phone
  number, so a refused token pauses the channel and ``/healthz`` says so.
* :class:`TwilioWhatsApp` — Twilio's WhatsApp on the Twilio webhook (:mod:`.twilio`).

Either reads what the other stored (by the raw's content type), so a raw of a
removed instance is still read.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx

from aduan.channels.base import (
    Channel,
    ChannelConfig,
    ChannelContext,
    PullChannel,
    PushChannel,
    WebhookRequest,
    WebhookResponse,
)
from aduan.channels.meta import check_signature, handshake
from aduan.channels.replies import Outbound, SendFailed, Sent
from aduan.channels.whatsapp import payloads, send, twilio
from aduan.channels.whatsapp.config import CloudConfig, TwilioWhatsAppConfig, WhatsAppConfig
from aduan.channels.whatsapp.graph import Graph, GraphFailure
from aduan.core.clock import utcnow
from aduan.core.errors import BadPayload, FatalChannelError, TransientError
from aduan.core.messages import Batch, Cursor, Message, RawMessage

JSON = "application/json"


class WhatsAppChannel(Channel):
    """Shared by both providers; instantiating it gives the provider's class."""

    type = "whatsapp"
    Config = WhatsAppConfig

    def __new__(cls, name: str, config: ChannelConfig, context: ChannelContext) -> WhatsAppChannel:
        if cls is WhatsAppChannel:
            twilio_ = getattr(config, "provider", "cloud") == "twilio"
            cls = TwilioWhatsApp if twilio_ else CloudWhatsApp
        return super().__new__(cls)

    @classmethod
    def reader_config(cls) -> ChannelConfig:
        return CloudConfig.model_construct()

    def read(self, raw: RawMessage) -> Message:
        if raw.content_type.startswith(JSON):
            return payloads.read_change(raw.payload)
        config = self.config if isinstance(self.config, TwilioWhatsAppConfig) else None
        gateway = twilio.gateway_for(
            self.name, config or TwilioWhatsAppConfig.model_construct(provider="twilio")
        )
        return twilio.read(gateway, raw)

    def send(self, message: Outbound) -> Sent:
        """Answer through the provider (each provider's class sends its own way)."""
        raise NotImplementedError  # pragma: no cover - __new__ always builds a provider's class


class CloudWhatsApp(WhatsAppChannel, PushChannel, PullChannel):
    """Meta's WhatsApp Cloud API."""

    config: CloudConfig
    media_scheme = payloads.MEDIA_SCHEME

    def __init__(self, name: str, config: ChannelConfig, context: ChannelContext) -> None:
        super().__init__(name, config, context)
        self.graph = Graph(self.config)

    # --- webhooks -------------------------------------------------------

    def handshake(self, request: WebhookRequest) -> WebhookResponse | None:
        return handshake(request, self.config.verify_token)

    def verify(self, request: WebhookRequest) -> None:
        check_signature(request, self.config.app_secret)

    def _raws(self, body: bytes, **meta: Any) -> list[RawMessage]:
        try:
            found = list(payloads.split(payloads.loads(body)))
        except (ValueError, KeyError, TypeError, AttributeError):
            # Signed by Meta but not the shape we know: kept whole, quarantined by read.
            return [self.unkeyed(body, JSON, whole_body=True, **meta)]
        raws, now = [], utcnow()
        for key, payload in found:
            if key is None:
                raws.append(self.unkeyed(payload, JSON, **meta))
            else:
                raws.append(RawMessage(self.type, self.name, key, payload, JSON, now, meta))
        return raws or [self.unkeyed(body, JSON, whole_body=True, **meta)]

    def parse(self, request: WebhookRequest) -> list[RawMessage]:
        return self._raws(request.body)

    def backlog(self, path: Path, columns: Mapping[str, str] | None = None) -> Iterator[RawMessage]:
        """JSON Lines of webhook bodies as Meta delivered them, keyed like live ones."""
        with path.open("rb") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip():
                    yield from self._raws(line.rstrip(b"\r\n"), line=number)

    def backlog_record(self, line: bytes, number: int) -> RawMessage:
        return self._raws(line, line=number)[0]

    # --- the Graph API --------------------------------------------------

    def _fail(self, failure: GraphFailure) -> Exception:
        if failure.kind == "token":
            return FatalChannelError(f"whatsapp/{self.name}: {failure.reason}")
        if failure.kind == "transient":
            return TransientError(failure.reason, retry_after=failure.retry_after)
        return BadPayload(failure.reason)

    def fetch(self, cursor: Cursor | None, limit: int) -> Batch:
        """Messages are pushed, so there is nothing to fetch: the poll checks that the
        Graph API still takes the token (``GET /{phone-number-id}``)."""
        if not self.config.phone_number_id:
            raise FatalChannelError(f"whatsapp/{self.name}: phone_number_id not configured")
        try:
            self.graph.json(
                "GET", self.graph.url(self.config.phone_number_id), params={"fields": "id"}
            )
        except GraphFailure as failure:
            error = self._fail(failure)
            if isinstance(error, BadPayload):
                raise FatalChannelError(f"whatsapp/{self.name}: {failure.reason}") from None
            raise error from None
        return Batch([], {"checked_at": utcnow().isoformat()})

    def media_retry_seconds(self) -> None:
        return None  # a media id stays valid until it fails

    def fetch_media(self, url: str) -> bytes:
        """The bytes of a ``whatsapp-media:<id>`` attachment (see :mod:`aduan.channels.media`)."""
        media_id = url.removeprefix(self.media_scheme)
        if not media_id.isdigit():
            raise BadPayload("not a WhatsApp media id")
        try:
            return self.graph.media(media_id, self.config.max_attachment_bytes)
        except GraphFailure as failure:
            raise self._fail(failure) from None

    def send(self, message: Outbound) -> Sent:
        """One reply (free text in the window, else the template); ``SendFailed`` otherwise."""
        if not self.config.phone_number_id:
            raise SendFailed("whatsapp: phone_number_id not configured", transient=False)
        body = send.message_body(self.config, message, utcnow())
        url = self.graph.url(self.config.phone_number_id, "messages")
        try:
            answer = self.graph.json("POST", url, json=body)
        except GraphFailure as failure:
            transient = failure.kind == "transient"
            raise SendFailed(
                failure.reason, transient=transient, retry_after=failure.retry_after
            ) from None
        sent = answer.get("messages")
        wamid = (
            sent[0].get("id")
            if isinstance(sent, list) and sent and isinstance(sent[0], dict)
            else None
        )
        if not isinstance(wamid, str) or not wamid:
            raise SendFailed(
                "whatsapp: unreadable answer (no message id); the message may have been sent",
                transient=False,
            )
        return Sent(provider_id=wamid)

    def acknowledge(self, raws: Any) -> Any:
        """After a webhook's rows are committed: 200. After a poll (a :class:`Batch`, nothing
        in it): nothing to tell Meta."""
        return WebhookResponse(200, b"OK") if isinstance(raws, list) else None

    def close(self) -> None:
        self.graph.close()


class TwilioWhatsApp(WhatsAppChannel, PushChannel):
    """Twilio's WhatsApp senders, on Twilio's signed webhook."""

    config: TwilioWhatsAppConfig

    def __init__(self, name: str, config: ChannelConfig, context: ChannelContext) -> None:
        super().__init__(name, config, context)
        self.gateway = twilio.gateway_for(name, self.config)
        self._http: httpx.Client | None = None
        self._http_lock = threading.Lock()

    def verify(self, request: WebhookRequest) -> None:
        self.gateway.verify(request)

    def parse(self, request: WebhookRequest) -> list[RawMessage]:
        return twilio.parse(self.gateway, self.type, request)

    def acknowledge(self, raws: list[RawMessage]) -> WebhookResponse:
        return twilio.answer(self.gateway, raws)

    def read(self, raw: RawMessage) -> Message:
        if raw.content_type.startswith(JSON):
            return payloads.read_change(raw.payload)
        return twilio.read(self.gateway, raw)

    def send(self, message: Outbound) -> Sent:
        """One reply through Twilio (free text in the window, else the Content template)."""
        with self._http_lock:
            if self._http is None:
                self._http = httpx.Client(follow_redirects=False)
            http = self._http
        url = f"{self.context.public_url.rstrip('/')}/webhooks/{self.type}/{self.name}"
        return twilio.send(self.config, message, http, url, utcnow())

    def close(self) -> None:
        with self._http_lock:
            if self._http is not None:
                self._http.close()
                self._http = None
