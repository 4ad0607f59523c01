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

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from aduan.config.city import CitySettings
from aduan.config.desk import DeskSettings, check_networks
from aduan.config.normalize import NormalizeSettings
from aduan.config.outbox import OutboxSettings
from aduan.config.places import PlacesSettings
from aduan.config.replies import RepliesSettings
from aduan.config.triage import TriageSettings
from aduan.core.disclosure import PrivacySettings


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ServerSettings(Section):
    host: str = Field("127.0.0.1", description="Address the web app listens on.")
    port: int = Field(8080, ge=1, le=65535, description="Port the web app listens on.")
    public_url: str | None = Field(
        None,
        description="URL providers call (behind a proxy); defaults to http://host:port.",
    )

    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Proxy addresses or networks whose X-Forwarded-For is believed.",
    )
    rate_limit_per_minute: float = Field(
        60.0,
        gt=0,
        description="Requests a client may make to /track, Open311 GET, /healthz, "
        "/metrics per minute (after its burst).",
    )
    rate_limit_burst: int = Field(30, ge=1, description="Requests a client may make at once.")
    intake_process: bool = Field(
        True,
        description="On a SQLite file, webhooks' rows are committed by a child process with a "
        "CPU of its own; false: by a thread of the server.",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        return check_networks(value)

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


class LogSettings(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["auto", "json", "console"] = Field(
        "auto", description="auto: console on a terminal, JSON lines otherwise."
    )
    requests: bool = Field(False, description="Log one line per HTTP request (uvicorn's).")


class SchedulerSettings(Section):
    normalize_seconds: float = Field(
        1.0, gt=0, description="Cadence of the normalize job (an idle run is one SELECT)."
    )
    triage_seconds: float = Field(10.0, gt=0, description="Cadence of the triage job.")
    escalate_seconds: float = Field(300.0, gt=0, description="Cadence of the escalation job.")
    media_seconds: float = Field(
        30.0, gt=0, description="Cadence of the job fetching files recorded by URL."
    )
    statistics_seconds: float = Field(
        21600.0, gt=0, description="Cadence of the SQLite store's ANALYZE (planner statistics)."
    )
    jitter_seconds: float = Field(1.0, ge=0, description="Random delay added to each poll.")
    shutdown_seconds: float = Field(8.0, gt=0, description="Grace period at SIGTERM.")


class LimitSettings(Section):
    """Bounds on what one payload may make aduan do (:mod:`aduan.web.limits`)."""

    json_depth: int = Field(
        64, ge=4, le=500, description="Deepest JSON nesting a webhook body may have (400 above)."
    )
    form_fields: int = Field(
        1000, ge=10, description="Most fields in a form-encoded webhook body (413 above)."
    )
    text_chars: int = Field(
        100_000, ge=1000, description="Longest message text; a longer one is quarantined."
    )
    attachments: int = Field(
        50, ge=1, description="Most attachments (media) per message; more is quarantined."
    )


class HealthSettings(Section):
    stuck_cadences: float = Field(
        30.0,
        gt=0,
        description="/healthz is degraded when the oldest pending raw is older than this "
        "many normalize cadences.",
    )
    failures: int = Field(
        5, ge=1, description="/healthz is degraded when a channel failed this many times in a row."
    )


class Settings(BaseSettings):
    """All of aduan's settings. Build with :func:`aduan.config.load_settings`."""

    model_config = SettingsConfigDict(extra="forbid", env_prefix="ADUAN_")

    database_url: str = Field(
        "sqlite:///aduan.db", description="SQLAlchemy URL; postgresql+psycopg://... in production."
    )
    query_database_url: str | None = Field(
        None,
        description="URL `aduan query` connects with (the analysts' read-only role); "
        "database_url when unset.",
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
    city: CitySettings = CitySettings()
    privacy: PrivacySettings = PrivacySettings()
    normalize: NormalizeSettings = NormalizeSettings()
    limits: LimitSettings = LimitSettings()
    health: HealthSettings = HealthSettings()
    places: PlacesSettings = PlacesSettings()
    outbox: OutboxSettings = OutboxSettings()
    replies: RepliesSettings = RepliesSettings()
    channels: dict[str, dict[str, dict[str, Any]]] = Field(
        default_factory=dict, description="channels.<type>.<name> = that adapter's settings."
    )

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, *_: Any, **__: Any):  # type: ignore[no-untyped-def]
        # The loader merges file, secrets file and environment itself, so that every
        # problem can name where its value came from; it hands the result in here.
        return (init_settings,)
