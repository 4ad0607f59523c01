"""The settings model: every key aduan understands, with its default.

Zero configuration works: a SQLite file in the working directory, the web app
on 127.0.0.1:8080, no channels. Each part of aduan that needs settings owns a
section model (``server``, ``log``, ``scheduler`` here; others next to their
code) and adds one field below. Channel instances live under
``channels.<type>.<name>`` and are validated by their adapter's own config
model (see :mod:`aduan.runtime.loader`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from aduan.config.desk import DeskSettings
from aduan.config.normalize import NormalizeSettings
from aduan.config.places import PlacesSettings
from aduan.config.triage import TriageSettings


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ServerSettings(Section):
    host: str = Field("127.0.0.1", description="Address the web app listens on.")
    port: int = Field(8080, ge=1, le=65535, description="Port the web app listens on.")
    public_url: str | None = Field(
        None,
        description="URL providers call (behind a proxy); defaults to http://host:port.",
    )

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


class LogSettings(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["auto", "json", "console"] = Field(
        "auto", description="auto: console on a terminal, JSON lines otherwise."
    )


class SchedulerSettings(Section):
    normalize_seconds: float = Field(
        1.0, gt=0, description="Cadence of the normalize job (an idle run is one SELECT)."
    )
    triage_seconds: float = Field(10.0, gt=0, description="Cadence of the triage job.")
    escalate_seconds: float = Field(300.0, gt=0, description="Cadence of the escalation job.")
    jitter_seconds: float = Field(1.0, ge=0, description="Random delay added to each poll.")
    shutdown_seconds: float = Field(8.0, gt=0, description="Grace period at SIGTERM.")


class Settings(BaseSettings):
    """All of aduan's settings. Build with :func:`aduan.config.load_settings`."""

    model_config = SettingsConfigDict(extra="forbid", env_prefix="ADUAN_")

    database_url: str = Field(
        "sqlite:///aduan.db", description="SQLAlchemy URL; postgresql+psycopg://... in production."
    )
    data_dir: Path = Field(
        Path("aduan-data"), description="Attachments, the webhook spool and local state."
    )
    timezone: str = Field("Asia/Jakarta", description="The office's time zone.")
    secrets_file: Path | None = Field(
        None, description="A TOML file with secrets, merged under the config (never committed)."
    )
    nik_hash_key: SecretStr | None = Field(
        None, description="Key for the keyed hash of NIK numbers; generated and kept if unset."
    )
    server: ServerSettings = ServerSettings()
    log: LogSettings = LogSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    triage: TriageSettings = TriageSettings()
    desk: DeskSettings = DeskSettings()
    normalize: NormalizeSettings = NormalizeSettings()
    places: PlacesSettings = PlacesSettings()
    channels: dict[str, dict[str, dict[str, Any]]] = Field(
        default_factory=dict, description="channels.<type>.<name> = that adapter's settings."
    )

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, *_: Any, **__: Any):  # type: ignore[no-untyped-def]
        # The loader merges file, secrets file and environment itself, so that every
        # problem can name where its value came from; it hands the result in here.
        return (init_settings,)
