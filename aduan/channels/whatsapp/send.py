"""Replies through the Cloud API: ``POST /{phone-number-id}/messages``.

WhatsApp lets a business send free text only inside the customer-service
window: 24 hours from the citizen's last message (``Outbound.last_inbound_at``).
Outside it only an approved template may go: the one named by the outbound
message or the instance's ``template``, with the reply's text as its one body
parameter. With neither, the reply is refused for good (``SendFailed``,
``transient=False``): it is never sent as free text. Sample body::

    {"messaging_product": "whatsapp", "recipient_type": "individual",
     "to": "6281234567890", "type": "text", "text": {"body": "...", "preview_url": false},
     "context": {"message_id": "wamid.HBgN..."}}

The answer ``{"messages": [{"id": "wamid..."}]}`` gives the provider id that
statuses (RECEIPT messages) name later.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aduan.channels.replies import Outbound, SendFailed
from aduan.channels.sms.outbound import phone_number
from aduan.channels.whatsapp.config import CloudConfig

WINDOW = timedelta(hours=24)
MAX_TEXT = 4096
MAX_PARAMETER = 1024


def in_window(last_inbound_at: datetime | None, now: datetime) -> bool:
    """Whether free text may go: the citizen wrote less than 24 hours ago."""
    return last_inbound_at is not None and timedelta(0) <= now - last_inbound_at < WINDOW


def one_line(text: str) -> str:
    """A template parameter: no new lines or tabs (Graph error 132018), at most 1024 characters."""
    return " ".join(text.split())[:MAX_PARAMETER]


def message_body(config: CloudConfig, message: Outbound, now: datetime) -> dict[str, Any]:
    """The JSON body for ``message``: free text inside the window, else the template."""
    to = phone_number("whatsapp", message.recipient).lstrip("+")
    body: dict[str, Any] = {"messaging_product": "whatsapp", "recipient_type": "individual"}
    body["to"] = to
    if in_window(message.last_inbound_at, now):
        if len(message.text) > MAX_TEXT:
            raise SendFailed(f"whatsapp: text over {MAX_TEXT} characters", transient=False)
        body["type"] = "text"
        body["text"] = {"body": message.text, "preview_url": False}
        if message.in_reply_to and message.in_reply_to.startswith("wamid."):
            body["context"] = {"message_id": message.in_reply_to}
        return body
    template = message.template or config.template
    if not template:
        raise SendFailed(
            "whatsapp: the citizen's last message is over 24 hours old (or unknown) and no "
            "approved template is configured (set template); free text is not allowed",
            transient=False,
        )
    text = one_line(message.text)
    body["type"] = "template"
    body["template"] = {
        "name": template,
        "language": {"code": config.template_language},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": text}]}],
    }
    return body
