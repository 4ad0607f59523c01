"""Twilio's WhatsApp: Twilio's ordinary messaging webhook with ``whatsapp:`` addresses.

A Twilio WhatsApp sender posts the same signed form as an SMS number
(:mod:`aduan.channels.sms.twilio`), with ``From=whatsapp:+6281...``,
``To=whatsapp:+62...`` and WhatsApp's extras (``ProfileName``, ``WaId``,
``Latitude``/``Longitude``/``Address``/``Label`` for a location,
``OriginalRepliedMessageSid`` for a reply). The mechanism: point the WhatsApp
sender's webhook at an instance with ``provider = "twilio"``, so the raw is
stored as channel ``whatsapp`` and the sender is the same ``tel:+62...`` as
on SMS (one reporter). Signature checks and status callbacks are the SMS
gateway's, reused as they are.
"""

from __future__ import annotations

from dataclasses import replace

from aduan.channels.base import WebhookRequest, WebhookResponse
from aduan.channels.sms.base import first, stored_pairs
from aduan.channels.sms.twilio import TwilioConfig, TwilioGateway
from aduan.channels.whatsapp.config import TwilioWhatsAppConfig
from aduan.core.errors import BadPayload
from aduan.core.identity import phone_identity
from aduan.core.messages import Location, Message, RawMessage

PREFIX = "whatsapp:"


def gateway_for(account: str, config: TwilioWhatsAppConfig) -> TwilioGateway:
    """The SMS Twilio gateway with this instance's secrets (verify, parse, read)."""
    sms = TwilioConfig.model_construct(
        gateway="twilio",
        region=config.region,
        auth_token=config.auth_token,
        signing_key=config.signing_key,
        public_url=config.public_url,
        status_callback=False,
    )
    return TwilioGateway(account, sms)


def parse(gateway: TwilioGateway, channel: str, request: WebhookRequest) -> list[RawMessage]:
    return [
        replace(raw, channel=channel, meta={**raw.meta, "provider": "twilio"})
        for raw in gateway.parse(request)
    ]


def answer(gateway: TwilioGateway, raws: list[RawMessage]) -> WebhookResponse:
    return gateway.acknowledge(raws)


def read(gateway: TwilioGateway, raw: RawMessage) -> Message:
    """The common message of a Twilio WhatsApp form (a status callback: a RECEIPT)."""
    message = gateway.read(raw)
    if raw.meta.get("report"):
        return message
    pairs = stored_pairs(raw)
    sender = first(pairs, "From")
    if not sender.startswith(PREFIX):
        raise BadPayload("a Twilio WhatsApp message whose sender is not whatsapp:")
    phone = phone_identity(sender[len(PREFIX) :], gateway.config.region)
    extra = {**message.extra, "provider": "twilio"}
    if not phone.valid:
        extra["unparsable_phone"] = True
    location = None
    lat, lon = first(pairs, "Latitude"), first(pairs, "Longitude")
    if lat and lon:
        try:
            words = [w for w in (first(pairs, "Label"), first(pairs, "Address")) if w]
            location = Location(lat=float(lat), lon=float(lon), address=", ".join(words) or None)
        except ValueError as exc:
            raise BadPayload("Twilio WhatsApp location is not a number") from exc
    replied = first(pairs, "OriginalRepliedMessageSid")
    return message.model_copy(
        update={
            "identities": (phone.identity,),
            "display_name": first(pairs, "ProfileName") or None,
            "ref": first(pairs, "MessageSid", "SmsMessageSid") or None,
            "refs": (replied,) if replied else (),
            "location": location,
            "extra": extra,
        }
    )
