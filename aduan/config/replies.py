"""The ``[replies]`` settings section: what aduan tells citizens, when, and through what.

::

    [replies]
    templates_dir = "/etc/aduan/replies"   # <event>.txt or <event>.<channel>.txt override ours
    received_max_age_hours = 48            # a replayed backlog does not greet last year's reporters

    [replies.events]                       # on/off per event (overdue_apology is off by default)
    overdue_apology = true

    [replies.channels]                     # on/off per channel type or instance ("sms/kannel")
    twitter = false

    [replies.sms]
    max_parts = 3
    quiet_hours = "21:00-06:00"            # office time zone; "" sends at any hour

    [replies.stop_words]                   # whole-message opt-out words per channel ("*": all)
    "*" = ["STOP", "BERHENTI", "UNREG"]

A walk-in reporter is written to only through the contact they asked for at the
desk (``walkin_channels`` names the channel type for a phone and an e-mail).
"""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

EVENTS = (
    "received",
    "triaged",
    "in_progress",
    "resolved",
    "rejected",
    "overdue_apology",
    "reply",
)
DEFAULT_EVENTS = {event: event != "overdue_apology" for event in EVENTS}


_CLOCK = re.compile(r"^\d{1,2}:\d{2}$")


def parse_quiet(value: str) -> tuple[time, time] | None:
    """``"21:00-06:00"`` -> (21:00, 06:00); ``""`` -> None; ValueError when malformed."""
    if not value.strip():
        return None
    start, sep, end = value.partition("-")
    if not sep or not all(_CLOCK.match(side.strip()) for side in (start, end)):
        raise ValueError(f"quiet hours must look like 21:00-06:00, not {value!r}")
    try:
        first, last = time.fromisoformat(start.strip()), time.fromisoformat(end.strip())
    except ValueError:
        raise ValueError(f"quiet hours must look like 21:00-06:00, not {value!r}") from None
    if first == last:
        raise ValueError("quiet hours start and end at the same time")
    return first, last


class SmsReplySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_parts: int = Field(
        3, ge=1, le=10, description="Most SMS segments one message may take; longer is shortened."
    )
    quiet_hours: str = Field(
        "21:00-06:00",
        description="No SMS is sent in this span (office time); queued for its end. '' = none.",
    )

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: str) -> str:
        parse_quiet(value)
        return value


class RepliesSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(True, description="Queue messages to citizens at all.")
    templates_dir: Path | None = Field(
        None, description="A directory of templates that override the shipped Indonesian ones."
    )
    events: dict[str, bool] = Field(
        default_factory=dict, description="On/off per event, over the defaults."
    )
    channels: dict[str, bool] = Field(
        default_factory=dict,
        description="On/off per channel type (sms) or instance (sms/kannel) among those that "
        "answer (aduan.channels.registry.REPLYING); default on.",
    )
    sms: SmsReplySettings = SmsReplySettings()
    received_max_age_hours: float = Field(
        48.0,
        gt=0,
        description="No acknowledgement for a complaint received longer ago (a backlog import).",
    )
    stop_words: dict[str, list[str]] = Field(
        default_factory=lambda: {"*": ["STOP", "BERHENTI", "UNREG"]},
        description="A message that is only one of these words stops messages to its sender.",
    )
    start_words: dict[str, list[str]] = Field(
        default_factory=lambda: {"*": ["MULAI", "START"]},
        description="A message that is only one of these words allows messages again.",
    )
    provider_templates: dict[str, str] = Field(
        default_factory=dict,
        description="Event -> the provider's approved template (WhatsApp outside its 24-hour "
        "window), e.g. received = 'aduan_diterima'.",
    )
    walkin_channels: dict[str, str] = Field(
        default_factory=lambda: {"tel": "sms", "mailto": "email"},
        description="The channel type a walk-in reporter's phone (tel) or e-mail is written on.",
    )

    @field_validator("events")
    @classmethod
    def _events(cls, value: dict[str, bool]) -> dict[str, bool]:
        unknown = sorted(set(value) - set(EVENTS))
        if unknown:
            raise ValueError(f"unknown events {unknown}; known: {', '.join(EVENTS)}")
        return value

    def event_on(self, event: str) -> bool:
        return self.enabled and self.events.get(event, DEFAULT_EVENTS.get(event, False))

    def channel_on(self, channel: str, account: str | None = None) -> bool:
        if account is not None and f"{channel}/{account}" in self.channels:
            return self.channels[f"{channel}/{account}"]
        return self.channels.get(channel, True)

    def words(self, kind: str, channel: str) -> frozenset[str]:
        table = self.stop_words if kind == "stop" else self.start_words
        found = table.get(channel, table.get("*", []))
        return frozenset(w.strip().upper() for w in found)
