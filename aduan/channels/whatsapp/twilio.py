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

Replies go through Twilio's Messages API (``To=whatsapp:+62...``): ``Body``
inside the 24-hour window, else the approved Content template (``ContentSid``,
the text as variable 1); without one the reply is refused, never free text.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

import httpx

from aduan.channels.base import WebhookRequest, WebhookResponse
from aduan.channels.replies import Outbound, SendFailed, Sent
from aduan.channels.sms.base import first, stored_pairs
from aduan.channels.sms.outbound import missing, phone_number
from aduan.channels.sms.twilio import TwilioConfig, TwilioGateway, post_message
from aduan.channels.whatsapp.config import TwilioWhatsAppConfig
from aduan.channels.whatsapp.send import in_window, one_line
from aduan.core.errors import BadPayload
from aduan.core.identity import phone_identity
from aduan.core.messages import Location, Message, RawMessage

PREFIX = "whatsapp:"
NAME = "twilio-whatsapp"


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


def send(
    config: TwilioWhatsAppConfig,
    message: Outbound,
    http: httpx.Client,
    webhook_url: str,
    now: datetime,
) -> Sent:
    """One reply through Twilio's Messages API; ``SendFailed`` otherwise."""
    account, token = config.account_sid, config.auth_token
    if not account or token is None:
        raise missing(NAME, "account_sid", "auth_token")
    if not config.sender and not config.messaging_service_sid:
        raise missing(NAME, "sender or messaging_service_sid")
    form = {"To": PREFIX + phone_number(NAME, message.recipient)}
    if config.messaging_service_sid:
        form["MessagingServiceSid"] = config.messaging_service_sid
    else:
        sender = config.sender or ""
        form["From"] = sender if sender.startswith(PREFIX) else PREFIX + sender
    if in_window(message.last_inbound_at, now):
        form["Body"] = message.text
    else:
        content = message.template or config.content_sid
        if not content:
            raise SendFailed(
                f"{NAME}: the citizen's last message is over 24 hours old (or unknown) and no "
                "approved template is configured (set content_sid); free text is not allowed",
                transient=False,
            )
        form["ContentSid"] = content
        form["ContentVariables"] = json.dumps({"1": one_line(message.text)}, ensure_ascii=False)
    if config.status_callback:
        form["StatusCallback"] = config.public_url or webhook_url
    return post_message(
        http,
        form,
        name=NAME,
        base_url=config.api_base_url,
        account=account,
        token=token.get_secret_value(),
        timeout=config.send_timeout_seconds,
    )
