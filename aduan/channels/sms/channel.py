"""The ``sms`` push channel: one instance per gateway account, parsed by its gateway.

The instance's ``gateway`` key picks the parser (:data:`GATEWAYS`, an
explicit table; each gateway class names its config model) and the config
model (:data:`CONFIG_ADAPTER`, the discriminated union built from that table). Webhooks arrive at
``/webhooks/sms/<instance>`` (Africa's Talking: ``/webhooks/sms/<instance>/<path_secret>``;
Kannel's delivery reports: ``/webhooks/sms/<instance>/dlr``).

The channel is a :class:`~aduan.channels.replies.Replier`: ``send(Outbound)`` hands
one SMS to the instance's gateway (Twilio, Vonage, Africa's Talking, Kannel) over
one HTTP client kept for the instance; delivery reports come back through the
webhook and ``read`` makes them RECEIPT messages.
"""

from __future__ import annotations

import threading
from typing import Annotated, Any, Union

import httpx
from pydantic import Field, TypeAdapter

from aduan.channels.base import ChannelContext, PushChannel, WebhookRequest, WebhookResponse
from aduan.channels.replies import Outbound, Sent
from aduan.channels.sms.africastalking import AfricasTalkingGateway
from aduan.channels.sms.base import CHANNEL, Gateway, SmsConfig
from aduan.channels.sms.generic import GenericConfig, GenericGateway
from aduan.channels.sms.kannel import KannelGateway
from aduan.channels.sms.twilio import TwilioGateway
from aduan.channels.sms.vonage import VonageGateway
from aduan.core.errors import BadPayload, BadRequest
from aduan.core.messages import Message, RawMessage

GATEWAYS: dict[str, type[Gateway]] = {
    "twilio": TwilioGateway,
    "vonage": VonageGateway,
    "africastalking": AfricasTalkingGateway,
    "kannel": KannelGateway,
    "generic": GenericGateway,
}

# The union of the gateways' config models, told apart by their ``gateway`` key.
_VARIANTS: Any = Union[tuple(gateway.Config for gateway in GATEWAYS.values())]  # noqa: UP007
CONFIG_ADAPTER: TypeAdapter[SmsConfig] = TypeAdapter(
    Annotated[_VARIANTS, Field(discriminator="gateway")]
)


class SmsChannel(PushChannel):
    type = CHANNEL
    Config = SmsConfig

    def __init__(self, name: str, config: SmsConfig, context: ChannelContext) -> None:
        super().__init__(name, config, context)
        self.gateway = GATEWAYS[config.gateway](name, config)
        self._http: httpx.Client | None = None
        self._http_lock = threading.Lock()

    def describe(self) -> str:
        return super().describe().replace(f"{self.type}/", f"{self.type}[{self.gateway.name}]/", 1)

    def verify(self, request: WebhookRequest) -> None:
        self.gateway.verify(request)

    def parse(self, request: WebhookRequest) -> list[RawMessage]:
        return self.gateway.parse(request)

    @classmethod
    def reader_config(cls) -> SmsConfig:
        return GenericConfig.model_construct(gateway="generic")

    def read(self, raw: RawMessage) -> Message:
        """Read by the gateway that stored the raw, even when the instance changed since."""
        stored_by = raw.meta.get("gateway", self.gateway.name)
        if stored_by == self.gateway.name:
            return self.gateway.read(raw)
        if stored_by not in GATEWAYS:
            raise BadPayload(f"stored by unknown gateway {stored_by!r}")
        gateway = GATEWAYS[stored_by]
        return gateway(self.name, gateway.Config.model_construct(gateway=stored_by)).read(raw)

    def acknowledge(self, raws: list[RawMessage]) -> WebhookResponse:
        return self.gateway.acknowledge(raws)

    @property
    def webhook_url(self) -> str:
        return f"{self.context.public_url.rstrip('/')}/webhooks/{self.type}/{self.name}"

    def send(self, message: Outbound) -> Sent:
        """One SMS to the gateway; :class:`~aduan.channels.replies.SendFailed` otherwise."""
        with self._http_lock:
            if self._http is None:
                self._http = httpx.Client(follow_redirects=False)
            http = self._http
        return self.gateway.send(message, http, self.webhook_url)

    def close(self) -> None:
        with self._http_lock:
            if self._http is not None:
                self._http.close()
                self._http = None

    def backlog_record(self, line: bytes, number: int) -> RawMessage:
        """A line of a gateway's exported log: one request body (Kannel: one get-url
        query string) per line, keyed like a live delivery so a replay adds nothing.
        A line without an id is kept under its content hash and quarantined by ``read``."""
        request = self.gateway.backlog_request(line)
        try:
            return self.gateway.parse(request)[0]
        except BadRequest:
            kind = request.header("content-type") or "text/plain"
            return self.unkeyed(line, kind, gateway=self.gateway.name, line=number)
