"""The ``[outbox]`` settings section: how often, how much and how fast aduan answers citizens.

::

    [outbox]
    enabled = true              # the send job runs (messages are queued either way)
    cadence_seconds = 2         # how often it looks for due messages
    batch = 100                 # messages claimed per run
    concurrency = 4             # messages in flight at once (one recipient's in order)
    lease_seconds = 120         # a claim not finished by then is due again (worker died)
    max_attempts = 8            # transient failures before a message is given up
    backoff_base_seconds = 30   # first retry after 30 s, then 60, 120 ... up to the max
    backoff_max_seconds = 3600
    rate_per_second = 10        # per channel instance, unless named below
    burst = 10

    [outbox.rates]
    "sms/kannel" = 2            # this instance: 2 messages a second
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class OutboxSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(True, description="Run the send job (messages are queued either way).")
    cadence_seconds: float = Field(
        2.0, gt=0, le=3600, description="How often the send job looks for due messages."
    )
    batch: int = Field(100, ge=1, le=10_000, description="Messages claimed per run.")
    concurrency: int = Field(
        4, ge=1, le=64, description="Messages in flight at once (one recipient's in order)."
    )
    lease_seconds: float = Field(
        120.0, ge=5, description="A claimed message not finished within this is due again."
    )
    max_attempts: int = Field(
        8, ge=1, le=100, description="Tries of a message that fails transiently before giving up."
    )
    backoff_base_seconds: float = Field(
        30.0, gt=0, description="Wait after the first transient failure; doubles each time."
    )
    backoff_max_seconds: float = Field(3600.0, gt=0, description="Longest wait between tries.")
    rate_per_second: float = Field(
        10.0, gt=0, description="Messages per second per channel instance (token bucket)."
    )
    burst: int = Field(10, ge=1, description="Messages a channel instance may take at once.")
    rates: dict[str, float] = Field(
        default_factory=dict,
        description='Per channel instance ("sms/kannel" = 2): messages per second.',
    )

    @field_validator("rates")
    @classmethod
    def _instances(cls, value: dict[str, float]) -> dict[str, float]:
        for key, rate in value.items():
            kind, _, name = key.partition("/")
            if not kind or not name:
                raise ValueError(f"{key!r}: name a channel instance as <type>/<name>")
            if not rate > 0:
                raise ValueError(f"{key!r}: the rate must be above 0")
        return value

    @model_validator(mode="after")
    def _backoff(self) -> OutboxSettings:
        if self.backoff_max_seconds < self.backoff_base_seconds:
            raise ValueError("backoff_max_seconds is below backoff_base_seconds")
        return self

    def rate_of(self, channel: str) -> float:
        return self.rates.get(channel, self.rate_per_second)
