"""Africa's Talking: the incoming-messages callback.

Africa's Talking POSTs a form and signs nothing, so an instance is protected by
a secret path segment (the callback URL registered with Africa's Talking is
``<public_url>/webhooks/sms/<instance>/<path_secret>``, compared in constant
time) and, optionally, by a list of source networks the request must come
from (checked against the client address: behind a reverse proxy, list the
proxy, or let the proxy filter). Sample body::

    from=%2B6281200012345&to=20880&text=Banjir+di+Jl.+Kemang&date=2026-11-29+10%3A00%3A00
    &id=ATXid_0123abcd&linkId=SampleLinkId123

``id`` is the external id.

Outgoing SMS: ``POST {api_base_url}/version1/messaging`` with headers ``apiKey`` and
``Accept: application/json`` and the form ``username``, ``to``, ``message`` and
``from`` (the sender, when set). The answer is
``{"SMSMessageData": {"Message": ..., "Recipients": [{"statusCode", "number",
"status", "cost", "messageId"}]}}``: statusCode 100-102 (processed, sent, queued)
is accepted and ``messageId`` the provider id; 500 and 501 (internal server and
gateway errors) are transient; any other code, or no recipient at all (the
``Message`` says why, e.g. InvalidSenderId), is permanent.

Delivery reports (the callback URL registered under SMS > Delivery Reports, which
may be this same URL) POST ``id``, ``status``, ``phoneNumber``, ``networkCode``,
``failureReason`` and ``retryCount``: a form with a ``status`` and no ``text`` is
one. It is stored under ``dlr:<id>:<status>`` and read as a RECEIPT: delivered for
``Success``, sent for ``Sent``/``Submitted``, failed for ``Rejected``/``Failed``/
``Expired`` (``failureReason`` as the error); ``Buffered`` is IGNORE.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from ipaddress import IPv4Network, IPv6Network, ip_address
from typing import ClassVar, Literal

import httpx
from pydantic import Field, SecretStr

from aduan.channels.base import WebhookRequest
from aduan.channels.replies import Outbound, SendFailed, Sent
from aduan.channels.sms.base import (
    FORM,
    Gateway,
    Pairs,
    ReceiptStatus,
    SmsConfig,
    first,
    form_pairs,
    parse_time,
    receipt_message,
    sms_message,
    stored_pairs,
)
from aduan.channels.sms.outbound import (
    call,
    detail,
    json_object,
    missing,
    phone_number,
    refused,
    unreadable,
)
from aduan.core.errors import BadRequest, Forbidden
from aduan.core.messages import Message, RawMessage


class AfricasTalkingConfig(SmsConfig):
    gateway: Literal["africastalking"] = "africastalking"
    path_secret: SecretStr | None = Field(
        None, description="Secret last segment of the callback URL (long and random)."
    )
    allowed_networks: list[IPv4Network | IPv6Network] = Field(
        default_factory=list,
        description="CIDR networks the callback may come from; empty: any.",
    )
    username: str | None = Field(None, description="Outgoing SMS: the application username.")
    api_key: SecretStr | None = Field(None, description="Outgoing SMS: the application's API key.")
    api_base_url: str = Field(
        "https://api.africastalking.com",
        description="Base URL of the API (sandbox: https://api.sandbox.africastalking.com).",
    )
    required_secrets: ClassVar[tuple[str, ...]] = ("path_secret",)


RECEIPT_STATUS: dict[str, ReceiptStatus] = {
    "Success": "delivered",
    "Sent": "sent",
    "Submitted": "sent",
    "Rejected": "failed",
    "Failed": "failed",
    "Expired": "failed",
}
ACCEPTED = frozenset({100, 101, 102})
TRANSIENT = frozenset({500, 501})


def is_report(pairs: Pairs) -> bool:
    keys = {key for key, _ in pairs}
    return "status" in keys and "text" not in keys


class AfricasTalkingGateway(Gateway):
    name = "africastalking"
    Config = AfricasTalkingConfig
    config: AfricasTalkingConfig

    def send(self, message: Outbound, http: httpx.Client, webhook_url: str) -> Sent:
        return send(self, message, http)

    def verify(self, request: WebhookRequest) -> None:
        expected = self.config.secret("path_secret").encode()
        given = request.path.strip("/").encode()
        if not expected or not hmac.compare_digest(expected, given):
            raise Forbidden("bad path secret")
        networks = self.config.allowed_networks
        if networks:
            try:
                client = ip_address(request.client or "")
            except ValueError:
                raise Forbidden("unknown client address") from None
            if not any(client in network for network in networks):
                raise Forbidden("client not in allowed networks")

    def parse(self, request: WebhookRequest) -> list[RawMessage]:
        if request.method != "POST":
            raise BadRequest("expected a form POST")
        pairs = form_pairs(request.body)
        message_id = first(pairs, "id")
        if not message_id:
            raise BadRequest("missing id")
        if is_report(pairs):
            key = f"dlr:{message_id}:{first(pairs, 'status')}"
            return [self.raw(key, request.body, FORM, report=True)]
        return [self.raw(message_id, request.body, FORM)]

    def read(self, raw: RawMessage) -> Message:
        pairs = stored_pairs(raw)
        if raw.meta.get("report"):
            status = first(pairs, "status")
            return receipt_message(
                self.config,
                first(pairs, "id"),
                RECEIPT_STATUS.get(status),
                said=status,
                error=first(pairs, "failureReason") or None,
            )
        extra = {"link_id": first(pairs, "linkId")} if first(pairs, "linkId") else {}
        return sms_message(
            self.config,
            sender=first(pairs, "from"),
            receiver=first(pairs, "to"),
            text=first(pairs, "text"),
            sent_at=_at_time(first(pairs, "date")),
            extra=extra,
        )


def send(gateway: AfricasTalkingGateway, message: Outbound, http: httpx.Client) -> Sent:
    config, name = gateway.config, gateway.name
    key = config.secret("api_key")
    if not config.username or not key:
        raise missing(name, "username", "api_key")
    form = {
        "username": config.username,
        "to": phone_number(name, message.recipient),
        "message": message.text,
    }
    if config.sender:
        form["from"] = config.sender
    response = call(
        http,
        name,
        "POST",
        config.api_base_url.rstrip("/") + "/version1/messaging",
        data=form,
        headers={"apiKey": key, "Accept": "application/json"},
        timeout=config.send_timeout_seconds,
    )
    if not response.is_success:
        raise refused(name, response, response.text[:500])
    data = json_object(name, response).get("SMSMessageData")
    if not isinstance(data, dict):
        raise unreadable(name, "no SMSMessageData")
    recipients = data.get("Recipients")
    if not isinstance(recipients, list) or not recipients or not isinstance(recipients[0], dict):
        said = detail(data.get("Message") or "no recipient accepted")
        raise SendFailed(f"{name}: {said}", transient=False)
    first_recipient = recipients[0]
    code = first_recipient.get("statusCode")
    status = str(first_recipient.get("status") or "")
    if code not in ACCEPTED and not (code is None and status == "Success"):
        reason = f"{name}: statusCode {code}" + (f": {detail(status)}" if status else "")
        raise SendFailed(reason, transient=code in TRANSIENT)
    message_id = first_recipient.get("messageId")
    if not isinstance(message_id, str) or not message_id:
        raise unreadable(name, "no messageId")
    return Sent(provider_id=message_id)


def _at_time(value: str) -> datetime | None:
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return parse_time(value)
