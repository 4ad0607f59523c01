"""Kannel: an ``sms-service`` calling aduan with ``get-url`` or ``post-url``.

Kannel signs nothing. The instance takes a secret that the service URL
carries as a query parameter (``url_secret``, parameter ``secret_param``,
compared in constant time), and optionally a list of allowed source networks.
The other parameters are named in ``params`` to match the placeholders of
the service URL; the defaults fit::

    group = sms-service
    keyword = default
    post-url = "https://aduan.example.org/webhooks/sms/kannel?key=SECRET&from=%p&to=%P&ts=%T&id=%I"
    send-sender = true
    max-messages = 0

* ``post-url``: the text is the body, in the charset of ``Content-Type``
  (``charset="UTF-16BE"`` for UCS-2 SMS such as Indonesian text with emoji);
  Kannel adds ``X-Kannel-From``, ``X-Kannel-To``, ``X-Kannel-Time``... headers.
* ``get-url``: everything in the query string, e.g.
  ``...&text=%b&charset=%C&coding=%c``; the text's bytes are percent-encoded
  in the charset Kannel names (decoded through a latin-1 round trip, so
  UTF-16BE survives). Do not use ``%a`` for UCS-2: it splits inside code units.

Kannel's message id (``%I``) is the external id: with ``http-request-retry``
set, Kannel re-delivers with the same id, which adds nothing. The raw row
keeps the body bytes as sent and, in ``meta``, the query string, the charset
and the ``X-Kannel-*`` headers, so :meth:`KannelGateway.read` is pure.

Outgoing SMS go through smsbox's ``sendsms`` (a ``sendsms-user`` group)::

    GET {sendsms_url}?username=&password=&to=+62...&text=...&charset=UTF-8[&from=]
        [&coding=2 when the text is not GSM-7][&smsc=][&dlr-mask=27&dlr-url=...]

Kannel answers ``202 0: Accepted for delivery`` or ``202 3: Queued for later
delivery``; a refusal is a 4xx with a text (403 ``Authorization failed for
sendsms``, 400 ``Empty receiver number not allowed, rejected``), and 5xx is
transient. Kannel 1.4 gives no message id, so aduan makes one: ``ref``, the
first 32 hex digits of the SHA-256 of the outbox key (the same for every
attempt at one message), and asks for delivery reports at::

    {dlr_url or <webhook>/dlr}?key=<url_secret>&ref=<ref>&type=%d&smsc=%i&answer=%A&ts=%T

``%d`` is the report type: 1 delivered to the phone, 2 not delivered, 4
buffered (queued on the SMSC), 8 accepted by the SMSC, 16 rejected by the SMSC;
the default ``dlr_mask`` 27 asks for all but 4. A report arrives on path
``dlr``, is stored under ``dlr:<ref>:<type>`` and read as a RECEIPT with
``provider_id=ref``: delivered (1), failed (2, 16; ``%A``, the SMSC's answer,
as the error), sent (8).
"""

from __future__ import annotations

import codecs
import hashlib
import hmac
from ipaddress import IPv4Network, IPv6Network, ip_address
from typing import Any, ClassVar, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from aduan.channels.base import WebhookRequest
from aduan.channels.replies import Outbound, Sent
from aduan.channels.sms.base import (
    FORM,
    Gateway,
    ReceiptStatus,
    SmsConfig,
    first,
    parse_time,
    receipt_message,
    sms_message,
)
from aduan.channels.sms.outbound import (
    call,
    detail,
    is_gsm7,
    missing,
    phone_number,
    refused,
    unreadable,
)
from aduan.core.errors import BadPayload, BadRequest, Forbidden
from aduan.core.messages import Message, RawMessage


class KannelParams(BaseModel):
    """Query parameter names, as written in the service's get-url/post-url."""

    model_config = ConfigDict(extra="forbid")

    sender: str = Field("from", description="%p")
    receiver: str = Field("to", description="%P")
    text: str = Field("text", description="%b (get-url only; post-url sends the body)")
    id: str = Field("id", description="%I")
    unixtime: str = Field("ts", description="%T")
    charset: str = Field("charset", description="%C (get-url)")
    coding: str = Field("coding", description="%c")
    smsc: str = Field("smsc", description="%i")


class KannelConfig(SmsConfig):
    gateway: Literal["kannel"] = "kannel"
    url_secret: SecretStr | None = Field(
        None, description="Secret the service URL carries in the query (parameter secret_param)."
    )
    secret_param: str = Field("key", description="Name of the query parameter with the secret.")
    params: KannelParams = Field(default_factory=KannelParams)
    allowed_networks: list[IPv4Network | IPv6Network] = Field(
        default_factory=list, description="CIDR networks Kannel calls from; empty: any."
    )
    sendsms_url: str = Field(
        "http://127.0.0.1:13013/cgi-bin/sendsms", description="Outgoing SMS: smsbox's sendsms."
    )
    sendsms_username: str | None = Field(None, description="Outgoing SMS: sendsms-user username.")
    sendsms_password: SecretStr | None = Field(
        None, description="Outgoing SMS: the sendsms-user password."
    )
    smsc: str | None = Field(None, description="Outgoing SMS: route through this smsc-id.")
    dlr_mask: int = Field(
        27, ge=0, le=31, description="Delivery reports asked for (0: none; 27: all but buffered)."
    )
    dlr_url: str | None = Field(
        None, description="Where Kannel sends delivery reports (default: <webhook URL>/dlr)."
    )
    required_secrets: ClassVar[tuple[str, ...]] = ("url_secret",)


ACCEPTED = ("0:", "3:")  # "0: Accepted for delivery", "3: Queued for later delivery"
REPORT_PATH = "dlr"


def message_ref(key: str) -> str:
    """The id aduan gives an outgoing SMS (Kannel 1.4 answers none): stable per outbox key."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def dlr_status(kind: str) -> ReceiptStatus | None:
    """What Kannel's ``%d`` means for the outbox; None for buffered (4) or nothing."""
    bits = int(kind)
    if bits & 1:
        return "delivered"
    if bits & (2 | 16):
        return "failed"
    if bits & 8:
        return "sent"
    return None


def charset_of(content_type: str, default: str = "utf-8") -> str:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "charset" and value.strip().strip('"'):
            return value.strip().strip('"')
    return default


def query_pairs(query: str) -> list[tuple[str, str]]:
    """Query pairs with each value's bytes kept as latin-1 code points (any charset)."""
    return parse_qsl(query, keep_blank_values=True, encoding="latin-1")


def decode(value: str | bytes, charset: str) -> str:
    """Bytes (or latin-1-carried bytes) in Kannel's ``charset``; ``BadPayload`` when invalid."""
    data = value.encode("latin-1") if isinstance(value, str) else value
    try:
        return data.decode(charset)
    except (LookupError, UnicodeDecodeError) as exc:
        raise BadPayload(f"text is not valid {charset}") from exc


class KannelGateway(Gateway):
    name = "kannel"
    Config = KannelConfig
    config: KannelConfig

    def verify(self, request: WebhookRequest) -> None:
        query = query_pairs(urlsplit(request.url).query)
        given = first(query, self.config.secret_param).encode("latin-1")
        expected = self.config.secret("url_secret").encode()
        if not expected or not hmac.compare_digest(expected, given):
            raise Forbidden("bad url secret")
        if self.config.allowed_networks:
            try:
                client = ip_address(request.client or "")
            except ValueError:
                raise Forbidden("unknown client address") from None
            if not any(client in net for net in self.config.allowed_networks):
                raise Forbidden("client not in allowed networks")

    def parse(self, request: WebhookRequest) -> list[RawMessage]:
        names = self.config.params
        raw_query = urlsplit(request.url).query
        query = [(k, v) for k, v in query_pairs(raw_query) if k != self.config.secret_param]
        kept_query = "&".join(
            part for part in raw_query.split("&") if part.split("=")[0] != self.config.secret_param
        )
        if request.path.strip("/") == REPORT_PATH:
            ref, kind = first(query, "ref"), first(query, "type")
            if not ref or not kind.isdigit():
                raise BadRequest("delivery report without ref or numeric type")
            payload = kept_query.encode("ascii", "replace")
            return [self.raw(f"dlr:{ref}:{kind}", payload, FORM, method="GET", report=True)]
        message_id = first(query, names.id)
        if not message_id:
            raise BadRequest(f"missing {names.id} (Kannel's %I)")
        if request.method == "POST":
            content_type = request.header("content-type") or "text/plain"
            charset = charset_of(content_type)
            try:
                codecs.lookup(charset)
            except LookupError:
                raise BadRequest(f"unknown charset {charset}") from None
            headers = {k: v for k, v in request.headers.items() if k.startswith("x-kannel-")}
            meta: dict[str, Any] = {"method": "POST", "query": kept_query, "charset": charset}
            meta["headers"] = headers
            return [self.raw(message_id, request.body, content_type[:100], **meta)]
        payload = kept_query.encode("ascii", "replace")
        return [self.raw(message_id, payload, FORM, method="GET")]

    def backlog_request(self, line: bytes) -> WebhookRequest:
        """A backlog line is the query string of a get-url call."""
        query = line.decode("ascii", "replace").lstrip("?")
        return WebhookRequest("GET", f"http://backlog/?{query}", "", (), {}, b"")

    def read(self, raw: RawMessage) -> Message:
        if raw.meta.get("report"):
            return self._read_report(raw)
        names = self.config.params
        headers: dict[str, str] = dict(raw.meta.get("headers") or {})
        if raw.meta.get("method") == "POST":
            query = query_pairs(str(raw.meta.get("query", "")))
            charset = str(raw.meta.get("charset") or charset_of(raw.content_type))
            text = decode(raw.payload, charset)
        else:
            query = query_pairs(raw.payload.decode("ascii", "replace"))
            charset = first(query, names.charset) or "UTF-8"
            text = decode(first(query, names.text), charset)
        sender = decode(first(query, names.sender), "utf-8") or headers.get("x-kannel-from", "")
        receiver = decode(first(query, names.receiver), "utf-8") or headers.get("x-kannel-to", "")
        extra = {
            "charset": charset,
            "coding": first(query, names.coding) or headers.get("x-kannel-coding", ""),
            "smsc": first(query, names.smsc) or headers.get("x-kannel-smsc", ""),
        }
        return sms_message(
            self.config,
            sender=sender,
            receiver=receiver,
            text=text,
            sent_at=parse_time(first(query, names.unixtime)),
            extra={k: v for k, v in extra.items() if v},
        )

    def _read_report(self, raw: RawMessage) -> Message:
        query = query_pairs(raw.payload.decode("ascii", "replace"))
        kind = first(query, "type")
        if not kind.isdigit():
            raise BadPayload("delivery report type is not a number")
        status = dlr_status(kind)
        answer = first(query, "answer").encode("latin-1").decode("utf-8", "replace")
        return receipt_message(
            self.config,
            first(query, "ref"),
            status,
            said=kind,
            error=detail(answer) if status == "failed" and answer else None,
        )

    def send(self, message: Outbound, http: httpx.Client, webhook_url: str) -> Sent:
        config = self.config
        password = config.secret("sendsms_password")
        if not config.sendsms_username or not password:
            raise missing(self.name, "sendsms_username", "sendsms_password")
        ref = message_ref(message.key)
        params = [
            ("username", config.sendsms_username),
            ("password", password),
            ("to", phone_number(self.name, message.recipient)),
            ("text", message.text),
            ("charset", "UTF-8"),
        ]
        if config.sender:
            params.append(("from", config.sender))
        if not is_gsm7(message.text):
            params.append(("coding", "2"))
        if config.smsc:
            params.append(("smsc", config.smsc))
        if config.dlr_mask:
            base = config.dlr_url or f"{webhook_url}/{REPORT_PATH}"
            mine = urlencode({config.secret_param: config.secret("url_secret"), "ref": ref})
            report = f"{base}{'&' if '?' in base else '?'}{mine}&type=%d&smsc=%i&answer=%A&ts=%T"
            params += [("dlr-mask", str(config.dlr_mask)), ("dlr-url", report)]
        response = call(
            http,
            self.name,
            "GET",
            config.sendsms_url,
            params=params,
            timeout=config.send_timeout_seconds,
        )
        answer = response.text.strip()
        if not response.is_success:
            raise refused(self.name, response, answer)
        if not answer.startswith(ACCEPTED):
            raise unreadable(self.name, detail(answer) or "empty")
        return Sent(provider_id=ref)
