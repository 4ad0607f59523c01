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
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from ipaddress import IPv4Network, IPv6Network, ip_address
from typing import ClassVar, Literal

from pydantic import Field, SecretStr

from aduan.channels.base import WebhookRequest
from aduan.channels.sms.base import (
    FORM,
    Gateway,
    SmsConfig,
    first,
    form_pairs,
    parse_time,
    sms_message,
    stored_pairs,
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
    required_secrets: ClassVar[tuple[str, ...]] = ("path_secret",)


class AfricasTalkingGateway(Gateway):
    name = "africastalking"
    Config = AfricasTalkingConfig
    config: AfricasTalkingConfig

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
        return [self.raw(message_id, request.body, FORM)]

    def read(self, raw: RawMessage) -> Message:
        pairs = stored_pairs(raw)
        extra = {"link_id": first(pairs, "linkId")} if first(pairs, "linkId") else {}
        return sms_message(
            self.config,
            sender=first(pairs, "from"),
            receiver=first(pairs, "to"),
            text=first(pairs, "text"),
            sent_at=_at_time(first(pairs, "date")),
            extra=extra,
        )


def _at_time(value: str) -> datetime | None:
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return parse_time(value)
