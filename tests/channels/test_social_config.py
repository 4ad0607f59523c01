"""Config of the social channels: secrets required and masked, mode checks, descriptions."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from aduan.channels.base import ChannelContext
from aduan.core.errors import ConfigError
from aduan.runtime.loader import load_settings
from tests.channels.registry_cases import channel_class

SOCIAL = ("facebook", "rss", "telegram", "twitter")


@pytest.mark.parametrize("kind", SOCIAL)
def test_every_field_is_described_and_secrets_are_secret(kind: str) -> None:
    config = channel_class(kind).Config
    for name, info in config.model_fields.items():
        assert info.description, f"{kind}.{name} has no description"
    for name in getattr(config, "required_secrets", ()):
        assert config.model_fields[name].annotation == SecretStr | None


@pytest.mark.parametrize(
    ("kind", "secret"),
    [("twitter", "bearer_token"), ("telegram", "token"), ("facebook", "app_secret")],
)
def test_missing_secret_is_one_clear_line(kind: str, secret: str, tmp_path: Path) -> None:
    config = tmp_path / "aduan.toml"
    config.write_text(f"[channels.{kind}.kota]\nenabled = true\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(config, env={})
    expected = f"ADUAN_CHANNELS__{kind.upper()}__KOTA__{secret.upper()}"
    assert any(expected in line for line in caught.value.problems)


def test_secret_in_the_config_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "aduan.toml"
    config.write_text('[channels.telegram.kota]\ntoken = "123456:AAH-in-the-file"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(config, env={})
    assert "secrets may not be in the config file" in str(caught.value)
    assert "AAH-in-the-file" not in str(caught.value)


def test_telegram_webhook_mode_needs_its_secret(tmp_path: Path) -> None:
    env = {
        "ADUAN_CHANNELS__TELEGRAM__KOTA__MODE": "webhook",
        "ADUAN_CHANNELS__TELEGRAM__KOTA__TOKEN": "123456:AAH-token",
    }
    with pytest.raises(ConfigError, match="webhook_secret"):
        load_settings(env=env)
    settings = load_settings(env={**env, "ADUAN_CHANNELS__TELEGRAM__KOTA__WEBHOOK_SECRET": "abc"})
    cls = channel_class("telegram")
    channel = cls(
        "kota",
        cls.Config.model_validate(settings.channels["telegram"]["kota"]),
        ChannelContext(tmp_path),
    )
    assert type(channel).__name__ == "TelegramWebhook"
    assert "AAH-token" not in channel.describe() and "abc'" not in channel.describe()
