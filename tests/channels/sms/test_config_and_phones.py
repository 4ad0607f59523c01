"""Gateway configs (the discriminated union, secrets) and phone numbers to E.164."""

from __future__ import annotations

from pathlib import Path

import pytest

from aduan.channels.base import ChannelContext, WebhookRequest
from aduan.channels.sms.africastalking import AfricasTalkingConfig
from aduan.channels.sms.base import SmsConfig
from aduan.channels.sms.channel import SmsChannel
from aduan.channels.sms.kannel import KannelConfig
from aduan.channels.sms.twilio import TwilioConfig
from aduan.core.errors import ConfigError, Forbidden
from aduan.core.identity import phone_identity
from aduan.runtime.loader import load_settings


@pytest.mark.parametrize(
    ("written", "identity"),
    [
        ("0811-1272-206", "tel:+628111272206"),
        ("08111272206", "tel:+628111272206"),
        ("628111272206", "tel:+628111272206"),
        ("+62 811 1272 206", "tel:+628111272206"),
        ("+62-811-1272-206", "tel:+628111272206"),
        ("(021) 7500 123", "tel:+62217500123"),
        ("021-7500123", "tel:+62217500123"),
        ("6281200012345", "tel:+6281200012345"),
        ("garbage", "tel-raw:garbage"),
        ("12", "tel-raw:12"),
        ("TELKOMSEL", "tel-raw:TELKOMSEL"),
    ],
)
def test_e164(written: str, identity: str) -> None:
    assert phone_identity(written).identity == identity


def test_union_picks_the_gateway_model() -> None:
    config = SmsConfig.model_validate({"gateway": "kannel", "url_secret": "k"})
    assert isinstance(config, KannelConfig)
    assert config.params.sender == "from"
    with pytest.raises(ValueError, match="gateway"):
        SmsConfig.model_validate({"gateway": "nokia"})
    with pytest.raises(ValueError, match="extra"):
        SmsConfig.model_validate({"gateway": "twilio", "signature_method": "md5"})


def test_loader_demands_the_gateways_secrets(tmp_path: Path) -> None:
    env = {
        "ADUAN_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}",
        "ADUAN_CHANNELS__SMS__MAIN__GATEWAY": "twilio",
    }
    with pytest.raises(ConfigError, match=r"channels\.sms\.main\.auth_token: missing secret"):
        load_settings(env=env)
    vonage = {**env, "ADUAN_CHANNELS__SMS__MAIN__GATEWAY": "vonage"}
    with pytest.raises(ConfigError, match="signature_secret is missing"):
        load_settings(env=vonage)
    typo = {**env, "ADUAN_CHANNELS__SMS__MAIN__AUTH_TOKN": "x"}
    with pytest.raises(ConfigError, match=r"channels\.sms\.main\.auth_tokn: unknown key"):
        load_settings(env=typo)
    unsigned = {**vonage, "ADUAN_CHANNELS__SMS__MAIN__SIGNATURE_METHOD": "none"}
    assert load_settings(env=unsigned).channels["sms"]["main"]["signature_method"] == "none"


def test_secrets_refused_in_the_config_file(tmp_path: Path) -> None:
    path = tmp_path / "aduan.toml"
    path.write_text('[channels.sms.main]\ngateway = "twilio"\nauth_token = "oops"\n')
    with pytest.raises(ConfigError, match="secrets may not be in the config file"):
        load_settings(path, env={})


def test_describe_masks_secrets() -> None:
    config = TwilioConfig(auth_token="very-secret-token")  # type: ignore[arg-type]
    channel = SmsChannel("tw", config, ChannelContext(data_dir=Path(".")))
    assert "very-secret-token" not in channel.describe()
    assert channel.describe().startswith("sms[twilio]/tw")


def _at(networks: list[str]) -> SmsChannel:
    config = AfricasTalkingConfig(path_secret="p4th", allowed_networks=networks)  # type: ignore[arg-type]
    return SmsChannel("at", config, ChannelContext(data_dir=Path(".")))


def test_africastalking_networks() -> None:
    channel = _at(["10.20.0.0/16", "2001:db8::/32"])

    def request(client: str | None, path: str = "p4th") -> WebhookRequest:
        return WebhookRequest("POST", "u", path, (), {}, b"", client=client)

    channel.verify(request("10.20.3.4"))
    channel.verify(request("2001:db8::1"))
    for client in ("10.21.0.1", "testclient", None):
        with pytest.raises(Forbidden):
            channel.verify(request(client))
    with pytest.raises(Forbidden):
        channel.verify(request("10.20.3.4", path="p4tX"))
    _at([]).verify(request("203.0.113.9"))


def test_backlog_lines_are_keyed_like_live_deliveries(tmp_path: Path) -> None:
    from aduan.core.errors import BadPayload

    config = SmsConfig.model_validate({"gateway": "generic", "signing_secret": "k"})
    channel = SmsChannel("android", config, ChannelContext(data_dir=tmp_path))
    path = tmp_path / "export.jsonl"
    path.write_text(
        '{"id": "gw-1", "from": "0812-0001-2370", "text": "Lampu mati"}\n'
        "\n"
        '{"from": "0812-0001-2371", "text": "tanpa id"}\n'
        "not json at all\n"
    )
    raws = list(channel.backlog(path))
    assert len(raws) == 3
    assert raws[0].external_id == "gw-1"
    assert all(raw.external_id.startswith("sha256:") for raw in raws[1:])
    assert channel.read(raws[0]).identities == ("tel:+6281200012370",)
    assert channel.read(raws[1]).text == "tanpa id"
    with pytest.raises(BadPayload):
        channel.read(raws[2])

    kannel = SmsChannel(
        "kannel",
        SmsConfig.model_validate({"gateway": "kannel", "url_secret": "k"}),
        ChannelContext(data_dir=tmp_path),
    )
    line = b"from=%2B6281200012372&to=1500&text=Jalan+rusak&id=abc-1&charset=UTF-8"
    raw = kannel.backlog_record(line, 1)
    assert raw.external_id == "abc-1"
    assert kannel.read(raw).text == "Jalan rusak"
