"""Twilio Programmable Messaging: the inbound SMS webhook.

Twilio POSTs a form (GET when the number is configured so) and signs it:
``X-Twilio-Signature = base64(HMAC-SHA1(auth_token, url + k1 + v1 + k2 + v2 ...))``
with the parameters sorted by name (repeated keys: each distinct value, sorted)
and ``url`` the exact public URL Twilio called: behind a proxy set
``public_url``. Like Twilio's SDK, the URL is tried with and without the
default port. Accounts using SharedKey signing send
``X-Twilio-Webhooks-Signature-Settings: key=<id>,algorithm=HMAC_SHA256``: the
same material is then signed with HMAC-SHA256 and the ``signing_key`` secret.

Sample body::

    ToCountry=ID&SmsMessageSid=SM0123...&NumMedia=1&MessageSid=SM0123...
    &From=%2B6281200012345&To=%2B628111272206&Body=Lampu+jalan+mati
    &MediaUrl0=https%3A%2F%2Fapi.twilio.com%2F...&MediaContentType0=image%2Fjpeg

``MessageSid`` is the external id; media are recorded as attachment URLs
(not fetched). The reply is empty TwiML, so Twilio sends no SMS back.

Outgoing SMS (Messages API): ``POST {api_base_url}/2010-04-01/Accounts/{account_sid}/Messages.json``
with HTTP basic auth (account SID, auth token) and the form ``To``, ``From`` (or
``MessagingServiceSid``), ``Body`` and ``StatusCallback``; the answer's ``sid`` is
the provider id, an error answer carries ``code`` and ``message``.

Status callbacks come to the same URL as inbound SMS (``StatusCallback`` is set to
it, so they are signed and checked the same way): a request with a
``MessageStatus`` and no ``Body`` is one. It is stored under
``dlr:<MessageSid>:<MessageStatus>`` (each state once) and read as a RECEIPT:
sent, delivered, read, or failed for ``failed``/``undelivered``/``canceled``
(``ErrorCode`` as the error); queued, accepted, scheduled and sending are IGNORE.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from functools import lru_cache
from typing import ClassVar, Literal
from urllib.parse import quote, urlsplit, urlunsplit

import httpx
from pydantic import Field, SecretStr

from aduan.channels.base import WebhookRequest, WebhookResponse
from aduan.channels.replies import Outbound, Sent
from aduan.channels.sms.base import (
    FORM,
    Gateway,
    Pairs,
    ReceiptStatus,
    SmsConfig,
    check_digest,
    first,
    form_pairs,
    receipt_message,
    sms_message,
    stored_pairs,
)
from aduan.channels.sms.outbound import (
    call,
    error_text,
    json_object,
    missing,
    phone_number,
    refused,
    unreadable,
)
from aduan.core.errors import BadRequest, Forbidden
from aduan.core.messages import Attachment, Message, RawMessage

TWIML_EMPTY = b'<?xml version="1.0" encoding="UTF-8"?><Response/>'
DEFAULT_PORTS = {"http": 80, "https": 443}


class TwilioConfig(SmsConfig):
    gateway: Literal["twilio"] = "twilio"
    auth_token: SecretStr | None = Field(None, description="The account's Auth Token.")
    signing_key: SecretStr | None = Field(
        None, description="Key for SharedKey (HMAC_SHA256) signatures, when the account uses them."
    )
    public_url: str | None = Field(
        None,
        description="The exact webhook URL configured at Twilio, when a proxy changes it "
        "(default: server.public_url + the request path).",
    )
    account_sid: str | None = Field(None, description="Outgoing SMS: the account SID (AC...).")
    messaging_service_sid: str | None = Field(
        None, description="Outgoing SMS: send through this Messaging Service instead of sender."
    )
    api_base_url: str = Field("https://api.twilio.com", description="Base URL of the REST API.")
    status_callback: bool = Field(
        True, description="Ask Twilio for status callbacks (to this instance's webhook URL)."
    )
    required_secrets: ClassVar[tuple[str, ...]] = ("auth_token",)


RECEIPT_STATUS: dict[str, ReceiptStatus] = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "failed": "failed",
    "undelivered": "failed",
    "canceled": "failed",
}


def report_status(pairs: Pairs) -> str:
    """The ``MessageStatus`` of a status callback; "" for an inbound message."""
    if any(key == "Body" for key, _ in pairs):
        return ""
    return first(pairs, "MessageStatus")


def signing_material(url: str, params: Sequence[tuple[str, str]]) -> bytes:
    # Sorted by name, then each distinct value of a repeated name in order.
    return (url + "".join(key + value for key, value in sorted(set(params)))).encode()


@lru_cache(maxsize=16)
def _keyed(secret: str, algorithm: str) -> hmac.HMAC:
    # Keyed once: a copy then costs ~1.7 us a request where a fresh HMAC costs ~8 us.
    return hmac.new(secret.encode(), digestmod=getattr(hashlib, algorithm))


def signature(
    secret: str, url: str, params: Sequence[tuple[str, str]], algorithm: str = "sha1"
) -> str:
    """The ``X-Twilio-Signature`` of a request (``algorithm`` sha256 for SharedKey)."""
    mac = _keyed(secret, algorithm).copy()
    mac.update(signing_material(url, params))
    return base64.b64encode(mac.digest()).decode()


@lru_cache(maxsize=64)
def url_variants(url: str) -> tuple[str, ...]:
    """The URL as given, plus the same with the default port added or removed (cached:
    a POST webhook's URL is the same for every request)."""
    parts = urlsplit(url)
    default = DEFAULT_PORTS.get(parts.scheme)
    host = parts.hostname or ""
    if default is None or not host:
        return (url,)
    if parts.port is None:
        other = parts._replace(netloc=f"{parts.netloc}:{default}")
    elif parts.port == default:
        other = parts._replace(netloc=parts.netloc.rsplit(":", 1)[0])
    else:
        return (url,)
    return (url, urlunsplit(other))


def settings_algorithm(header: str | None) -> str:
    """``sha1`` (legacy) or ``sha256`` from ``X-Twilio-Webhooks-Signature-Settings``."""
    for part in (header or "").split(","):
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "algorithm":
            if value.strip().upper() == "HMAC_SHA256":
                return "sha256"
            if value.strip().upper() != "HMAC_SHA1":
                raise Forbidden("unknown signature algorithm")
    return "sha1"


class TwilioGateway(Gateway):
    name = "twilio"
    Config = TwilioConfig
    config: TwilioConfig

    def _params(self, request: WebhookRequest) -> Pairs:
        return form_pairs(request.body) if request.method == "POST" else ()

    def verify(self, request: WebhookRequest) -> None:
        algorithm = settings_algorithm(request.header("x-twilio-webhooks-signature-settings"))
        secret = self.config.secret("signing_key" if algorithm == "sha256" else "auth_token")
        if not secret:
            raise Forbidden("no key for this signature algorithm")
        url = request.url
        if self.config.public_url:
            query = urlsplit(request.url).query
            url = self.config.public_url + (f"?{query}" if query else "")
        params = self._params(request)
        given = request.header("x-twilio-signature")
        for candidate in url_variants(url):
            try:
                check_digest(signature(secret, candidate, params, algorithm), given)
                return
            except Forbidden:
                continue
        raise Forbidden("bad signature")

    def parse(self, request: WebhookRequest) -> list[RawMessage]:
        if request.method == "POST":
            payload = request.body
            pairs = form_pairs(payload)
        else:
            pairs = request.query
            payload = urlsplit(request.url).query.encode()
        sid = first(pairs, "MessageSid", "SmsMessageSid", "SmsSid")
        if not sid:
            raise BadRequest("missing MessageSid")
        status = report_status(pairs)
        if status:
            return [self.raw(f"dlr:{sid}:{status}", payload, FORM, report=True)]
        return [self.raw(sid, payload, FORM)]

    def read(self, raw: RawMessage) -> Message:
        pairs = stored_pairs(raw)
        if raw.meta.get("report"):
            status = first(pairs, "MessageStatus")
            return receipt_message(
                self.config,
                first(pairs, "MessageSid", "SmsSid"),
                RECEIPT_STATUS.get(status),
                said=status,
                error=first(pairs, "ErrorCode") or None,
            )
        attachments = []
        count = first(pairs, "NumMedia")
        # Each medium needs its own MediaUrl<i> field, so there are never more than fields.
        media = min(int(count), len(pairs)) if count.isdigit() and len(count) < 10 else 0
        for i in range(media):
            url = first(pairs, f"MediaUrl{i}")
            if url:
                kind = first(pairs, f"MediaContentType{i}") or "application/octet-stream"
                attachments.append(Attachment(url=url, content_type=kind))
        extra = {
            key: value
            for key, value in (
                ("account_sid", first(pairs, "AccountSid")),
                ("from_country", first(pairs, "FromCountry")),
                ("segments", first(pairs, "NumSegments")),
            )
            if value
        }
        return sms_message(
            self.config,
            sender=first(pairs, "From"),
            receiver=first(pairs, "To"),
            text=first(pairs, "Body"),
            extra=extra,
            attachments=tuple(attachments),
        )

    def acknowledge(self, raws: list[RawMessage]) -> WebhookResponse:
        return WebhookResponse(200, TWIML_EMPTY, "text/xml")

    def send(self, message: Outbound, http: httpx.Client, webhook_url: str) -> Sent:
        config = self.config
        account, token = config.account_sid, config.secret("auth_token")
        if not account or not token:
            raise missing(self.name, "account_sid", "auth_token")
        if not config.sender and not config.messaging_service_sid:
            raise missing(self.name, "sender or messaging_service_sid")
        form = {"To": phone_number(self.name, message.recipient), "Body": message.text}
        if config.messaging_service_sid:
            form["MessagingServiceSid"] = config.messaging_service_sid
        else:
            form["From"] = config.sender or ""
        if config.status_callback:
            form["StatusCallback"] = config.public_url or webhook_url
        return post_message(
            http,
            form,
            name=self.name,
            base_url=config.api_base_url,
            account=account,
            token=token,
            timeout=config.send_timeout_seconds,
        )


def post_message(
    http: httpx.Client,
    form: dict[str, str],
    *,
    name: str,
    base_url: str,
    account: str,
    token: str,
    timeout: float,
) -> Sent:
    """``POST .../Accounts/{account}/Messages.json`` with ``form`` (SMS and Twilio's
    WhatsApp); the answer's ``sid``, or ``SendFailed`` by the class of failure."""
    url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{quote(account, safe='')}/Messages.json"
    response = call(
        http,
        name,
        "POST",
        url,
        data=form,
        auth=(account, token),
        headers={"Accept": "application/json"},
        timeout=timeout,
    )
    if not response.is_success:
        raise refused(name, response, error_text(response, "code", "message"))
    sid = json_object(name, response).get("sid")
    if not isinstance(sid, str) or not sid:
        raise unreadable(name, "no sid")
    return Sent(provider_id=sid)
