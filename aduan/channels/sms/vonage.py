"""Vonage (Nexmo) SMS API: the inbound-message webhook, GET or POST.

Vonage calls the webhook with GET (query string), POST (form) or POST-JSON,
as the dashboard says. When signed webhooks are enabled for the account, a
``sig`` parameter signs every other parameter: sorted by name, joined as
``&key=value`` with ``&`` and ``=`` inside values replaced by ``_``, then

* ``md5hash`` (the dashboard's default): ``md5(joined + secret)``,
* ``md5``/``sha1``/``sha256``/``sha512``: ``HMAC(secret, joined)`` (the SDK's
  default is HMAC-MD5), all as lowercase hex.

Pick the one the dashboard shows; ``none`` accepts unsigned webhooks (only
for accounts where Vonage has not enabled signing). A signed request must
carry a ``timestamp`` (unix seconds) within :data:`MAX_SKEW_SECONDS` of now,
and no parameter twice: the one parameter mapping that is checked against
``sig`` is the one that is read (:func:`~aduan.channels.sms.base.unique_pairs`). Sample (GET)::

    /webhooks/sms/vonage_main?msisdn=6281200012345&to=628111272206
    &messageId=0A0000000123ABCD1&text=Jalan+berlubang&type=text&keyword=JALAN
    &message-timestamp=2026-11-29+10%3A00%3A00&timestamp=1795946400&nonce=...&sig=...

``messageId`` is the external id (Vonage re-sends for 24 hours until it
gets a 200). A long SMS arrives as parts with ``concat=true``,
``concat-ref``, ``concat-part`` and ``concat-total``: each part is stored as
its own raw message and read as a :class:`~aduan.channels.base.Fragment` of
the group ``<concat-ref>:<msisdn>``, which the normalizer reassembles.

Outgoing SMS (SMS API): ``POST {api_base_url}/sms/json`` with the form ``api_key``,
``api_secret``, ``from``, ``to`` (E.164 without ``+``), ``text``, ``type=unicode``
when the text is not GSM-7, and ``status-report-req=1`` with ``callback`` set to this
instance's webhook. The answer lists ``messages[]`` (one per part), each with
``status`` ("0": accepted), ``message-id`` and, on failure, ``error-text``: status 1
(throttled) and 5 (internal error) are transient, the others permanent. The first
part's ``message-id`` is the provider id.

Delivery receipts come to the same URL, signed like inbound messages: a request
with a ``status`` and no ``text``/``type`` is one (``msisdn``, ``to``, ``messageId``,
``status``, ``scts``, ``err-code``, ``price``...). It is stored under
``dlr:<messageId>:<status>`` and read as a RECEIPT: delivered; failed for
``failed``/``rejected``/``expired`` (``err-code`` as the error); accepted, buffered
and unknown are IGNORE.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import ClassVar, Literal
from urllib.parse import urlsplit

import httpx
from pydantic import Field, SecretStr, model_validator

from aduan.channels.base import WebhookRequest
from aduan.channels.replies import Outbound, SendFailed, Sent
from aduan.channels.sms.base import (
    FORM,
    Gateway,
    Pairs,
    ReceiptStatus,
    SmsConfig,
    check_digest,
    first,
    form_pairs,
    hmac_hex,
    receipt_message,
    sms_message,
    unique_pairs,
)
from aduan.channels.sms.outbound import (
    call,
    detail,
    is_gsm7,
    json_object,
    missing,
    phone_number,
    refused,
    unreadable,
)
from aduan.core.errors import BadPayload, BadRequest, Forbidden
from aduan.core.messages import Fragment, Message, RawMessage

Method = Literal["none", "md5hash", "md5", "sha1", "sha256", "sha512"]
JSON = "application/json"
MAX_SKEW_SECONDS = 300
"""A signed request's ``timestamp`` may differ from the clock by at most this much."""


class VonageConfig(SmsConfig):
    gateway: Literal["vonage"] = "vonage"
    signature_method: Method = Field(
        "md5hash", description="As set in the Vonage dashboard; 'none' accepts unsigned calls."
    )
    signature_secret: SecretStr | None = Field(None, description="The account's signature secret.")
    api_key: str | None = Field(None, description="Outgoing SMS: the account's API key.")
    api_secret: SecretStr | None = Field(None, description="Outgoing SMS: the API secret.")
    api_base_url: str = Field("https://rest.nexmo.com", description="Base URL of the SMS API.")
    delivery_receipts: bool = Field(
        True, description="Ask for delivery receipts (to this instance's webhook URL)."
    )
    required_secrets: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="after")
    def _secret_when_signed(self) -> VonageConfig:
        if self.enabled and self.signature_method != "none" and self.signature_secret is None:
            raise ValueError(
                "signature_secret is missing (set it in the environment or the secrets file), "
                'or set signature_method = "none" for unsigned webhooks'
            )
        return self


RECEIPT_STATUS: dict[str, ReceiptStatus] = {
    "delivered": "delivered",
    "failed": "failed",
    "rejected": "failed",
    "expired": "failed",
}
TRANSIENT_STATUS = frozenset({"1", "5"})  # throttled, internal error


def is_report(params: dict[str, str]) -> bool:
    """A delivery receipt (not an inbound SMS) arrived at the webhook."""
    return "status" in params and not any(k in params for k in ("text", "type", "data"))


def signing_text(params: Mapping[str, str] | Sequence[tuple[str, str]]) -> str:
    found = dict(params.items() if isinstance(params, Mapping) else params)
    found.pop("sig", None)
    return "".join(
        "&{}={}".format(key, found[key].replace("&", "_").replace("=", "_"))
        for key in sorted(found)
    )


def signature(
    params: Mapping[str, str] | Sequence[tuple[str, str]], secret: str, method: str
) -> str:
    """The ``sig`` of ``params`` (``sig`` itself is left out) by ``method``."""
    joined = signing_text(params)
    if method == "md5hash":
        return hashlib.md5((joined + secret).encode(), usedforsecurity=False).hexdigest()
    return hmac_hex(secret, joined.encode(), method)


def _json_pairs(body: bytes) -> Pairs:
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise BadRequest("invalid JSON") from exc
    if not isinstance(data, dict):
        raise BadRequest("JSON body is not an object")
    return tuple((str(k), v if isinstance(v, str) else json.dumps(v)) for k, v in data.items())


def _params(payload: bytes, content_type: str) -> dict[str, str]:
    """The request's one canonical parameter mapping (``BadRequest`` on a repeated key)."""
    return unique_pairs(_json_pairs(payload) if content_type == JSON else form_pairs(payload))


def _request_payload(request: WebhookRequest) -> tuple[bytes, str]:
    if request.method == "POST" and request.body:
        kind = (request.header("content-type") or "").split(";")[0].strip().lower()
        return request.body, JSON if kind == JSON else FORM
    return urlsplit(request.url).query.encode(), FORM


class VonageGateway(Gateway):
    name = "vonage"
    Config = VonageConfig
    config: VonageConfig

    def send(self, message: Outbound, http: httpx.Client, webhook_url: str) -> Sent:
        return send(self, message, http, webhook_url)

    def verify(self, request: WebhookRequest, now: float | None = None) -> None:
        method = self.config.signature_method
        if method == "none":
            return
        params = _params(*_request_payload(request))
        given = params.get("sig")
        if not given:
            raise Forbidden("unsigned request")
        expected = signature(params, self.config.secret("signature_secret"), method)
        check_digest(expected, given.lower())
        stamp = params.get("timestamp", "").strip()
        clock = time.time() if now is None else now
        if not stamp.isdigit() or abs(clock - int(stamp)) > MAX_SKEW_SECONDS:
            raise Forbidden("timestamp missing or outside the accepted window")

    def parse(self, request: WebhookRequest) -> list[RawMessage]:
        payload, content_type = _request_payload(request)
        params = _params(payload, content_type)
        pairs = tuple(params.items())
        message_id = first(pairs, "messageId", "message_id")
        if not message_id:
            raise BadRequest("missing messageId")
        if is_report(params):
            key = f"dlr:{message_id}:{params['status']}"
            return [self.raw(key, payload, content_type, report=True)]
        return [self.raw(message_id, payload, content_type)]

    def read(self, raw: RawMessage) -> Message:
        try:
            pairs = tuple(_params(raw.payload, raw.content_type).items())
        except BadRequest as exc:
            raise BadPayload(str(exc)) from exc
        if raw.meta.get("report"):
            status = first(pairs, "status")
            error = first(pairs, "err-code")
            return receipt_message(
                self.config,
                first(pairs, "messageId", "message_id"),
                RECEIPT_STATUS.get(status),
                said=status,
                error=error if error not in ("", "0") else None,
            )
        sender = first(pairs, "msisdn")
        fragment = None
        if first(pairs, "concat").lower() == "true":
            try:
                fragment = Fragment(
                    group=f"{first(pairs, 'concat-ref')}:{sender}",
                    index=int(first(pairs, "concat-part")),
                    total=int(first(pairs, "concat-total")),
                )
            except ValueError as exc:
                raise BadPayload("concat fields are not numbers") from exc
        extra = {k: first(pairs, k) for k in ("type", "keyword") if first(pairs, k)}
        return sms_message(
            self.config,
            sender=sender,
            receiver=first(pairs, "to"),
            text=first(pairs, "text"),
            sent_at=_vonage_time(first(pairs, "message-timestamp")),
            fragment=fragment,
            extra=extra,
        )


def _vonage_time(value: str) -> datetime | None:
    """``message-timestamp`` is ``YYYY-MM-DD HH:MM:SS`` in UTC."""
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def _send_outcome(gateway: str, data: dict[str, object]) -> str:
    """The first part's message id, or the failure of the first part that failed."""
    parts = data.get("messages")
    if not isinstance(parts, list) or not parts or not all(isinstance(p, dict) for p in parts):
        raise unreadable(gateway, "no messages")
    for part in parts:
        status = str(part.get("status", ""))
        if status != "0":
            said = detail(part.get("error-text") or "")
            reason = f"{gateway}: status {status or '?'}" + (f": {said}" if said else "")
            raise SendFailed(reason, transient=status in TRANSIENT_STATUS)
    message_id = parts[0].get("message-id")
    if not isinstance(message_id, str) or not message_id:
        raise unreadable(gateway, "no message-id")
    return message_id


def send(gateway: VonageGateway, message: Outbound, http: httpx.Client, webhook_url: str) -> Sent:
    config = gateway.config
    secret = config.secret("api_secret")
    if not config.api_key or not secret:
        raise missing(gateway.name, "api_key", "api_secret")
    if not config.sender:
        raise missing(gateway.name, "sender")
    form = {
        "api_key": config.api_key,
        "api_secret": secret,
        "from": config.sender,
        "to": phone_number(gateway.name, message.recipient).lstrip("+"),
        "text": message.text,
    }
    if not is_gsm7(message.text):
        form["type"] = "unicode"
    if config.delivery_receipts:
        form["status-report-req"] = "1"
        form["callback"] = webhook_url
    url = config.api_base_url.rstrip("/") + "/sms/json"
    response = call(http, gateway.name, "POST", url, data=form, timeout=config.send_timeout_seconds)
    if not response.is_success:
        raise refused(gateway.name, response, response.text[:500])
    return Sent(provider_id=_send_outcome(gateway.name, json_object(gateway.name, response)))
