"""Answers on Facebook Messenger: the Send API of the city's page.

:func:`replier` builds the :class:`SendApi` replier of a page instance;
:class:`~aduan.channels.facebook.FacebookChannel` answers through it (its ``send``,
which the outbox calls). Authentication is the page access token
(``page_access_token``, from ``ADUAN_CHANNELS__FACEBOOK__<NAME>__PAGE_ACCESS_TOKEN``)
sent as ``Authorization: Bearer``, never in the URL. The recipient is the
reporter identity ``facebook:<PSID>``::

    POST {graph_api_base_url}/{graph_api_version}/me/messages
    {"recipient": {"id": "6100000000000001"}, "messaging_type": "RESPONSE",
     "message": {"text": "Aduan Anda ADU-2026-000123 sudah kami terima."}}

    200 {"recipient_id": "6100000000000001", "message_id": "m_AG5Hz2Uq7tuw..."}

Meta allows free text only within 24 hours of the citizen's last message
(:attr:`Outbound.last_inbound_at`): then ``messaging_type`` is ``RESPONSE``.
Later, only with a message tag (``message_tag`` in config: ``HUMAN_AGENT``,
which the page must be approved for, reaches 7 days; ``ACCOUNT_UPDATE``,
``CONFIRMED_EVENT_UPDATE`` and ``POST_PURCHASE_UPDATE`` have no limit but
strict content rules); ``messaging_type`` is then ``MESSAGE_TAG``. Without
a tag, or past its limit, the message is refused here, permanently, without a request.

Refusals are ``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``
(Messenger Platform "Common Error Codes"):

* transient: codes 1 (unknown), 2 (service unavailable), 4, 17, 32, 613 (rate
  limits), 1200 (temporary send failure), any error marked ``is_transient``,
  HTTP 5xx and no answer;
* permanent: 10 with 2018278 (outside the allowed window), 100 with 2018001 (no
  matching user), 190 (token expired or revoked), 200-299 and 230 (permissions),
  551 (the person is not available: blocked the page or left), and the rest.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import httpx

from aduan.channels.replies import Outbound, SendFailed, Sent
from aduan.channels.sms.outbound import KeptClient, call, detail, retry_after, unreadable
from aduan.core.clock import utcnow

if TYPE_CHECKING:
    from aduan.channels.facebook import FacebookConfig

NAME = "messenger"
WINDOW = timedelta(hours=24)
TAG_LIMITS = {"HUMAN_AGENT": timedelta(days=7)}
TRANSIENT_CODES = frozenset({1, 2, 4, 17, 32, 613, 1200})
PERMANENT_SUBCODES = frozenset({(1, 99), (2, 2018344)})  # permissions, terms not accepted


def psid_of(recipient: str) -> str:
    """The page-scoped id of a ``facebook:<psid>`` identity; else refused for good."""
    kind, _, psid = recipient.partition(":")
    if kind != "facebook" or not psid.isdigit():
        raise SendFailed(f"{NAME}: recipient is not a Messenger user ({kind}:)", transient=False)
    return psid


def messaging(message: Outbound, tag: str | None) -> dict[str, str]:
    """``messaging_type`` (and ``tag``) the message may go with; raises outside every window."""
    since = utcnow() - message.last_inbound_at if message.last_inbound_at else None
    if since is not None and since <= WINDOW:
        return {"messaging_type": "RESPONSE"}
    limit = TAG_LIMITS.get(tag or "")
    if tag and (limit is None or (since is not None and since <= limit)):
        return {"messaging_type": "MESSAGE_TAG", "tag": tag}
    when = "unknown" if since is None else f"{since.total_seconds() / 3600:.0f} h ago"
    reason = f"{NAME}: outside the 24-hour window (last message from the citizen: {when})"
    if tag:
        reason += f" and past {tag}'s limit"
    raise SendFailed(reason + "; no message tag allows it", transient=False)


def graph_failure(response: httpx.Response) -> SendFailed:
    """A Graph API error answer as a failure (see the module docstring for the classes)."""
    try:
        data: Any = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        data = None
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        reason = f"{NAME}: HTTP {response.status_code}"
        transient = response.status_code >= 500 or response.status_code == 429
        return SendFailed(reason, transient=transient, retry_after=retry_after(response.headers))
    code, sub = error.get("code"), error.get("error_subcode")
    label = f"{code}" + (f"/{sub}" if sub else "")
    said = str(error.get("message") or "")
    reason = f"{NAME}: error {label}" + (f": {detail(said)}" if said.strip() else "")
    transient = (
        error.get("is_transient") is True
        or (code in TRANSIENT_CODES and (code, sub) not in PERMANENT_SUBCODES)
        or (code is None and response.status_code >= 500)
    )
    return SendFailed(reason, transient=transient, retry_after=retry_after(response.headers))


class SendApi:
    """Sends a page's answers over one HTTP client kept until :meth:`close`."""

    def __init__(self, config: FacebookConfig) -> None:
        self.config = config
        self.http = KeptClient()

    def close(self) -> None:
        self.http.close()

    def send(self, message: Outbound) -> Sent:
        config = self.config
        token = config.page_access_token
        if token is None:
            raise SendFailed(
                f"{NAME}: sending is not configured (set page_access_token)", transient=False
            )
        body: dict[str, Any] = {
            "recipient": {"id": psid_of(message.recipient)},
            **messaging(message, config.message_tag),
            "message": {"text": message.text},
        }
        base = config.graph_api_base_url.rstrip("/")
        response = call(
            self.http.get(),
            NAME,
            "POST",
            f"{base}/{config.graph_api_version}/me/messages",
            json=body,
            headers={"Authorization": f"Bearer {token.get_secret_value()}"},
            timeout=config.send_timeout_seconds,
        )
        if not response.is_success:
            raise graph_failure(response)
        try:
            data: Any = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            raise unreadable(NAME, "not JSON") from None
        mid = data.get("message_id") if isinstance(data, dict) else None
        if not isinstance(mid, str) or not mid:
            raise unreadable(NAME, "no message_id")
        return Sent(provider_id=mid)


def replier(config: FacebookConfig) -> SendApi:
    """The replier of a page instance (sending fails for good until the token is set)."""
    return SendApi(config)


__all__ = ["SendApi", "graph_failure", "messaging", "psid_of", "replier"]
