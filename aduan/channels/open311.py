"""The ``open311`` channel: a partner's GeoReport v2 ``POST requests`` as a raw message.

Each partner is one instance (``[channels.open311.jaki]``) with its own API key
(a secret: ``ADUAN_CHANNELS__OPEN311__JAKI__API_KEY``) and ``can_update`` when it
may change statuses. A request's raw payload is the JSON of the submitted
fields without the API key. Its external id is the partner's own id
(``attribute[partner_id]`` or the ``X-Partner-Request-Id`` header), so a
retried POST is the same raw message and never a second complaint; without
one, every POST is new.

Sample POST body (form-encoded, as the spec shows)::

    api_key=...&service_code=street_lighting&description=Lampu+PJU+mati
    &lat=-6.2615&long=106.8106&address_string=Jl.+Kemang+Raya&phone=0812...
    &attribute[partner_id]=JAKI-99812
"""

from __future__ import annotations

import hmac
import json
import uuid
from collections.abc import Iterable
from typing import ClassVar
from urllib.parse import parse_qsl

from pydantic import Field, SecretStr

from aduan.channels.base import ChannelConfig, PushChannel, WebhookRequest
from aduan.core.clock import utcnow
from aduan.core.disclosure import DEFAULT_GRANTS, Grant
from aduan.core.errors import BadPayload, BadRequest, Forbidden
from aduan.core.identity import email_identity, handle_identity, phone_identity
from aduan.core.messages import Attachment, Location, Message, RawMessage

MAX_DESCRIPTION = 4000
FIELDS = (
    "service_code",
    "description",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "phone",
    "first_name",
    "last_name",
    "device_id",
    "account_id",
    "media_url",
    "jurisdiction_id",
)


class Open311Config(ChannelConfig):
    api_key: SecretStr | None = Field(None, description="The partner's API key (a secret).")
    can_update: bool = Field(False, description="May this partner change complaint statuses?")
    partner_name: str | None = Field(None, description="Shown to operators, e.g. 'JAKI'.")
    grants: list[Grant] = Field(
        default_factory=lambda: list(DEFAULT_GRANTS),
        description="What this partner sees of its own requests beyond what anyone may: "
        "location, media, address (see the privacy rule).",
    )
    required_secrets: ClassVar[tuple[str, ...]] = ("api_key",)


def form_fields(request: WebhookRequest) -> list[tuple[str, str]]:
    """Query and form-encoded body parameters, as the spec allows both."""
    items = list(request.query)
    content_type = request.header("content-type", "") or ""
    if request.body and "json" not in content_type:
        try:
            items += parse_qsl(request.body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError as exc:
            raise BadRequest("the body is not UTF-8 form data") from exc
    return items


def attributes(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    found = {}
    for key, value in items:
        if key.startswith("attribute[") and key.endswith("]"):
            found[key[len("attribute[") : -1]] = value
    return found


def parse_submission(
    items: list[tuple[str, str]], known_codes: Iterable[str] | None
) -> dict[str, object]:
    """The spec's checks on a POSTed request; BadRequest (400) with the reason.

    ``known_codes``: the services in force (None, for a channel built without a
    runtime: any code is taken)."""
    data: dict[str, object] = {k: v for k, v in items if k in FIELDS and v != ""}
    code = data.get("service_code")
    if not code:
        raise BadRequest("service_code is required")
    if known_codes is not None and code not in set(known_codes):
        raise BadRequest(f"service_code {code!r} not found")
    description = str(data.get("description") or "")
    if not description.strip():
        raise BadRequest("description is required")
    if len(description) > MAX_DESCRIPTION:
        raise BadRequest(f"description longer than {MAX_DESCRIPTION} characters")
    has_point = "lat" in data and "long" in data
    if not (has_point or data.get("address_string") or data.get("address_id")):
        raise BadRequest("a location is required: lat and long, address_string or address_id")
    if has_point:
        try:
            lat, lon = float(str(data["lat"])), float(str(data["long"]))
        except ValueError:
            raise BadRequest("lat and long must be numbers") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise BadRequest("lat/long out of range")
        data["lat"], data["long"] = lat, lon
    data["attributes"] = attributes(items)
    return data


class Open311Channel(PushChannel):
    type = "open311"
    identity_prefix = "open311"
    Config = Open311Config

    @property
    def settings(self) -> Open311Config:
        assert isinstance(self.config, Open311Config)
        return self.config

    def key_matches(self, candidate: str | None) -> bool:
        key = self.settings.api_key
        if key is None or not candidate:
            return False
        return hmac.compare_digest(key.get_secret_value().encode(), candidate.encode())

    def verify(self, request: WebhookRequest) -> None:
        given = dict(form_fields(request)).get("api_key")
        if not self.key_matches(given):
            raise Forbidden("invalid api_key")

    def parse(self, request: WebhookRequest) -> list[RawMessage]:
        items = form_fields(request)
        codes = self.context.service_codes
        data = parse_submission(items, codes() if codes is not None else None)
        partner_id = dict(data["attributes"]).get("partner_id") or request.header(  # type: ignore[call-overload]
            "x-partner-request-id"
        )
        data["partner"] = self.name
        external_id = f"partner:{partner_id}" if partner_id else f"request:{uuid.uuid4()}"
        payload = json.dumps(data, ensure_ascii=False, sort_keys=True).encode()
        return [
            RawMessage(self.type, self.name, external_id, payload, "application/json", utcnow())
        ]

    def read(self, raw: RawMessage) -> Message:
        try:
            data = json.loads(raw.payload)
            text = str(data["description"])
            code = str(data["service_code"])
        except (ValueError, KeyError, TypeError) as exc:
            raise BadPayload(f"not an Open311 request: {exc}") from exc
        identities: list[str] = []
        if data.get("phone"):
            identities.append(phone_identity(str(data["phone"])).identity)
        if data.get("email"):
            identities.append(email_identity(str(data["email"])))
        if data.get("account_id"):
            identities.append(handle_identity("open311", f"{raw.account}:{data['account_id']}"))
        name = " ".join(str(data[k]) for k in ("first_name", "last_name") if data.get(k)) or None
        location = None
        if data.get("lat") is not None or data.get("address_string"):
            location = Location(
                lat=data.get("lat"), lon=data.get("long"), address=data.get("address_string")
            )
        media = (Attachment(url=str(data["media_url"])),) if data.get("media_url") else ()
        return Message(
            text=text,
            identities=tuple(identities),
            display_name=name,
            location=location,
            attachments=media,
            extra={
                "category_hint": code,
                "partner": raw.account,
                "attributes": data.get("attributes") or {},
            },
        )
