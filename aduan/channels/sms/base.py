"""The shared base of the SMS gateways: config, the parser contract, and small helpers.

Each gateway module (``twilio``, ``vonage``, ``africastalking``, ``kannel``,
``generic``) defines one config model (a :class:`SmsConfig` with its own
``gateway`` literal, secrets as ``SecretStr`` listed in ``required_secrets``)
and one :class:`Gateway` with ``verify``/``parse``/``read``. The channel in
:mod:`aduan.channels.sms.channel` picks the gateway by the instance's
``gateway`` key::

    [channels.sms.twilio_main]
    gateway = "twilio"            # ADUAN_CHANNELS__SMS__TWILIO_MAIN__AUTH_TOKEN=...

``SmsConfig.model_validate`` validates through the discriminated union of the
gateways' models, so ``[channels.sms.<name>]`` yields the right model.
"""

from __future__ import annotations

import hashlib
import hmac
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, ClassVar, Literal, Self, cast
from urllib.parse import parse_qsl

import httpx
from pydantic import Field, SecretStr, ValidationError
from pydantic_core import InitErrorDetails

from aduan.channels.base import ChannelConfig, WebhookRequest, WebhookResponse
from aduan.channels.replies import Outbound, SendFailed, Sent
from aduan.core.errors import BadPayload, BadRequest, Forbidden
from aduan.core.identity import DEFAULT_REGION, phone_identity
from aduan.core.messages import Disposition, Fragment, Message, RawMessage, Receipt

CHANNEL = "sms"
FORM = "application/x-www-form-urlencoded"
Pairs = tuple[tuple[str, str], ...]


class SmsConfig(ChannelConfig):
    """Settings common to every SMS gateway instance."""

    gateway: str = Field(description="Which gateway posts to this instance.")
    region: str = Field(
        DEFAULT_REGION, description="Region for numbers written without a country code."
    )
    sender: str | None = Field(
        None, description="Outgoing SMS: the number, short code or sender id they come from."
    )
    send_timeout_seconds: float = Field(
        15.0, gt=0, description="Outgoing SMS: HTTP timeout of one call to the gateway."
    )
    required_secrets: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def model_validate(cls, obj: Any, *, strict: bool | None = None, **kwargs: Any) -> Self:
        """Validate as the gateway named by ``gateway`` when called on this base class."""
        if cls is SmsConfig:
            from aduan.channels.sms.channel import CONFIG_ADAPTER

            try:
                config = CONFIG_ADAPTER.validate_python(obj, strict=strict, **kwargs)
            except ValidationError as exc:
                raise _without_tag(exc, obj) from None
            return cast(Self, config)
        return super().model_validate(obj, strict=strict, **kwargs)

    def secret(self, name: str) -> str:
        value = getattr(self, name)
        return value.get_secret_value() if isinstance(value, SecretStr) else ""


def _without_tag(exc: ValidationError, obj: Any) -> ValidationError:
    """The union's errors without its tag in front of each location (``twilio.auth_token``
    becomes ``auth_token``), so that messages name the keys an operator writes."""
    tag = obj.get("gateway") if isinstance(obj, dict) else None
    details: list[InitErrorDetails] = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        if tag is not None and loc[:1] == (tag,):
            loc = loc[1:]
        detail: InitErrorDetails = {"type": error["type"], "loc": loc, "input": error["input"]}
        if "ctx" in error:
            detail["ctx"] = error["ctx"]
        details.append(detail)
    return ValidationError.from_exception_data(exc.title, details)


class Gateway(ABC):
    """One gateway's wire format. Stateless apart from its config; ``read`` is pure."""

    name: ClassVar[str]
    Config: ClassVar[type[SmsConfig]]

    def __init__(self, account: str, config: SmsConfig) -> None:
        self.account = account
        self.config = config

    @abstractmethod
    def verify(self, request: WebhookRequest) -> None:
        """Raise ``Forbidden`` unless the request is authentic."""

    @abstractmethod
    def parse(self, request: WebhookRequest) -> list[RawMessage]:
        """The raw messages in the request; ``BadRequest`` with a short reason."""

    @abstractmethod
    def read(self, raw: RawMessage) -> Message:
        """The common message from a stored raw one; ``BadPayload`` when unreadable."""

    def acknowledge(self, raws: list[RawMessage]) -> WebhookResponse:
        return WebhookResponse(200, b"OK")

    def send(self, message: Outbound, http: httpx.Client, webhook_url: str) -> Sent:
        """Hand one SMS to the gateway (``webhook_url``: this instance's public webhook,
        for gateways told per message where delivery reports go)."""
        raise SendFailed(f"{self.name}: this gateway cannot send", transient=False)

    def backlog_request(self, line: bytes) -> WebhookRequest:
        """One line of an exported backlog (a request body as the gateway sent it)
        as the request it came in: a form POST, or JSON when it looks like JSON."""
        kind = "application/json" if line.lstrip().startswith(b"{") else FORM
        return WebhookRequest("POST", "", "", (), {"content-type": kind}, line)

    def raw(
        self,
        external_id: str,
        payload: bytes,
        content_type: str,
        received_at: datetime | None = None,
        **meta: Any,
    ) -> RawMessage:
        if not external_id:
            raise BadRequest("no message id")
        return RawMessage(
            channel=CHANNEL,
            account=self.account,
            external_id=external_id,
            payload=payload,
            content_type=content_type,
            received_at=received_at or datetime.now(UTC),
            meta={"gateway": self.name, **meta},
        )


@lru_cache(maxsize=4)
def form_pairs(body: bytes, encoding: str = "utf-8") -> Pairs:
    """``application/x-www-form-urlencoded`` as ordered pairs; ``BadRequest`` when not one.

    Cached: ``verify`` and ``parse`` of one request run back to back (no await between
    them), so a few entries let them parse the body once without keeping large bodies."""
    try:
        text = body.decode(encoding)
        return tuple(parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text)))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest("body is not a form") from exc


def unique_pairs(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The one canonical parameter list of a signed request, as a mapping: the same
    list is checked against the signature and read. A key given twice is refused
    (``BadRequest``), as no signed gateway here documents repeated keys: otherwise
    the signature could cover one value and the reader take another."""
    found: dict[str, str] = {}
    for key, value in pairs:
        if key in found:
            raise BadRequest(f"parameter {key!r} given more than once")
        found[key] = value
    return found


def stored_pairs(raw: RawMessage) -> Pairs:
    """The form pairs of a stored raw message; ``BadPayload`` when unreadable."""
    try:
        return form_pairs(raw.payload)
    except BadRequest as exc:
        raise BadPayload(str(exc)) from exc


def first(pairs: Sequence[tuple[str, str]], *names: str) -> str:
    """The first non-empty value among ``names`` (in that order of preference)."""
    found: dict[str, str] = {}
    for key, value in pairs:
        found.setdefault(key, value)
    for name in names:
        if found.get(name):
            return found[name]
    return ""


def require(pairs: Sequence[tuple[str, str]], *names: str) -> None:
    present = {k for k, v in pairs if v}
    missing = [n for n in names if n not in present]
    if missing:
        raise BadRequest(f"missing {', '.join(missing)}")


def check_digest(expected: str, given: str | None) -> None:
    """Constant-time comparison; ``Forbidden`` on mismatch or absence."""
    if not given or not hmac.compare_digest(expected.encode(), given.strip().encode()):
        raise Forbidden("bad signature")


def hmac_hex(secret: str, material: bytes, algorithm: str) -> str:
    return hmac.new(secret.encode(), material, getattr(hashlib, algorithm)).hexdigest()


def sms_message(
    config: SmsConfig,
    *,
    sender: str,
    text: str,
    receiver: str = "",
    sent_at: datetime | None = None,
    fragment: Fragment | None = None,
    extra: Mapping[str, Any] | None = None,
    attachments: tuple[Any, ...] = (),
) -> Message:
    """The common message of one SMS. The sender is required; a number that does not
    parse is kept as written (``tel-raw:``) and flagged in ``extra``, never dropped."""
    if not sender.strip():
        raise BadPayload("no sender")
    phone = phone_identity(sender, config.region)
    facts: dict[str, Any] = {"gateway": config.gateway, **(extra or {})}
    if receiver:
        facts["to"] = receiver
    if not phone.valid:
        facts["unparsable_phone"] = True
    return Message(
        text=text,
        identities=(phone.identity,),
        sent_at=sent_at,
        fragment=fragment,
        extra=facts,
        attachments=attachments,
    )


def parse_time(value: str) -> datetime | None:
    """ISO 8601 or unix seconds as an aware UTC datetime; None when empty or unreadable."""
    value = value.strip()
    if not value:
        return None
    try:
        if value.replace(".", "", 1).isdigit():
            return datetime.fromtimestamp(float(value), UTC)
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


ReceiptStatus = Literal["sent", "delivered", "read", "failed"]


def receipt_message(
    config: SmsConfig,
    provider_id: str,
    status: ReceiptStatus | None,
    *,
    said: str,
    error: str | None = None,
) -> Message:
    """A delivery report as the common message: a RECEIPT for the outbox, or IGNORE for
    an intermediate state (queued, buffered) that changes nothing (``said``: the
    provider's own word for the state)."""
    if not provider_id:
        raise BadPayload("delivery report without a message id")
    facts = {"gateway": config.gateway, "provider_status": said}
    if status is None:
        return Message(
            text="",
            disposition=Disposition.IGNORE,
            ignore_reason=f"intermediate delivery state {said!r}",
            extra=facts,
        )
    return Message(
        text="",
        disposition=Disposition.RECEIPT,
        receipt=Receipt(provider_id=provider_id, status=status, error=error or None),
        extra=facts,
    )
