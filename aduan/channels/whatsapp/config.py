"""Settings of a WhatsApp instance: the Cloud API (default) or Twilio's WhatsApp.

One model per provider, told apart by ``provider``; ``WhatsAppConfig.model_validate``
(what the config loader calls) picks the model by that key::

    [channels.whatsapp.jaksel]            # ADUAN_CHANNELS__WHATSAPP__JAKSEL__APP_SECRET=...
    phone_number_id = "106540352242922"   #   ...__ACCESS_TOKEN=, ...__VERIFY_TOKEN=
    template = "balasan_aduan"

    [channels.whatsapp.twilio_wa]         # ADUAN_CHANNELS__WHATSAPP__TWILIO_WA__AUTH_TOKEN=...
    provider = "twilio"
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal, Self, cast

from pydantic import Field, SecretStr, ValidationError
from pydantic_core import InitErrorDetails

from aduan.channels.base import ChannelConfig
from aduan.core.identity import DEFAULT_REGION


class WhatsAppConfig(ChannelConfig):
    """Settings common to both providers."""

    provider: str = Field("cloud", description="cloud (Meta's Cloud API) or twilio.")
    region: str = Field(DEFAULT_REGION, description="Region for numbers without a country code.")
    required_secrets: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def model_validate(cls, obj: Any, *, strict: bool | None = None, **kwargs: Any) -> Self:
        """Validate as the provider's own model when called on this base class."""
        if cls is not WhatsAppConfig:
            return super().model_validate(obj, strict=strict, **kwargs)
        provider = obj.get("provider", "cloud") if isinstance(obj, dict) else "cloud"
        model = PROVIDERS.get(provider) if isinstance(provider, str) else None
        if model is None:
            detail: InitErrorDetails = {
                "type": "literal_error",
                "loc": ("provider",),
                "input": provider,
                "ctx": {"expected": " or ".join(repr(p) for p in PROVIDERS)},
            }
            raise ValidationError.from_exception_data(cls.__name__, [detail])
        return cast(Self, model.model_validate(obj, strict=strict, **kwargs))


class CloudConfig(WhatsAppConfig):
    """Meta's WhatsApp Cloud API: webhooks signed with the app secret, Graph API calls
    with the access token (a system user's token)."""

    provider: Literal["cloud"] = "cloud"
    cadence_seconds: float = Field(
        300.0, gt=0, description="How often the Graph API is asked whether the token works."
    )
    phone_number_id: str = Field("", description="The business number's id (sends from it).")
    app_secret: SecretStr | None = Field(None, description="App secret that signs the webhooks.")
    access_token: SecretStr | None = Field(
        None, description="Graph API token (media downloads, replies, the health check)."
    )
    verify_token: SecretStr | None = Field(
        None, description="Token typed into the app dashboard for the GET verification."
    )
    graph_url: str = Field("https://graph.facebook.com", description="Graph API base URL.")
    api_version: str = Field("v21.0", description="Graph API version in every path.")
    timeout_seconds: float = Field(15.0, gt=0, description="HTTP timeout of one Graph API call.")
    template: str | None = Field(
        None,
        description="Approved message template used outside the 24-hour window "
        "(the reply's text as its one body parameter); none: such replies are refused.",
    )
    template_language: str = Field("id", description="The template's language code.")
    required_secrets: ClassVar[tuple[str, ...]] = ("app_secret", "access_token", "verify_token")


class TwilioWhatsAppConfig(WhatsAppConfig):
    """Twilio's WhatsApp: the WhatsApp sender's webhook ("a message comes in") points at
    ``/webhooks/whatsapp/<instance>``; Twilio signs it as it signs SMS webhooks."""

    provider: Literal["twilio"] = "twilio"
    auth_token: SecretStr | None = Field(None, description="The Twilio account's Auth Token.")
    signing_key: SecretStr | None = Field(
        None, description="Key for SharedKey (HMAC_SHA256) signatures, when the account uses them."
    )
    public_url: str | None = Field(
        None, description="The exact webhook URL configured at Twilio, when a proxy changes it."
    )
    account_sid: str | None = Field(None, description="Replies: the account SID (AC...).")
    sender: str | None = Field(None, description="Replies: the WhatsApp sender's number (+1...).")
    messaging_service_sid: str | None = Field(
        None, description="Replies: send through this Messaging Service instead of sender."
    )
    content_sid: str | None = Field(
        None,
        description="Approved Content template (HX...) used outside the 24-hour window, the "
        "reply's text as its variable 1; none: such replies are refused.",
    )
    api_base_url: str = Field("https://api.twilio.com", description="Base URL of the REST API.")
    send_timeout_seconds: float = Field(15.0, gt=0, description="HTTP timeout of one send.")
    status_callback: bool = Field(
        True, description="Ask Twilio for status callbacks (to this instance's webhook URL)."
    )
    required_secrets: ClassVar[tuple[str, ...]] = ("auth_token",)


PROVIDERS: dict[str, type[WhatsAppConfig]] = {
    "cloud": CloudConfig,
    "twilio": TwilioWhatsAppConfig,
}
