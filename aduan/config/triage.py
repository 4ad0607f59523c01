"""The ``[triage]`` settings section: rule file, office calendar, escalation.

Example (``aduan.toml``)::

    [triage]
    rules_file = "/etc/aduan/routing.toml"   # default: the packaged aduan/config/routing.toml

    [triage.calendar]
    working_days = 3
    cuti_bersama = [2026-12-24, 2027-01-02]
    hours = { mon = "08:00-16:00", fri = "08:00-16:30", sat = "" }

    [triage.escalation]
    due_soon_hours = 4

    [triage.model]            # the learned classifier, blended with the rules
    enabled = true            # default false: rules (and the danger detector) alone
    retrain_min_labels = 50   # the retrain job fits again after this many new labels
    use_dev_set = true        # also learn from the shipped dev set

This module only depends on pydantic so that :mod:`aduan.config.settings`
can import it without importing the rest of triage.
"""

from __future__ import annotations

import re
from datetime import date, time
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
DEFAULT_HOURS = {
    "mon": "08:00-16:00",
    "tue": "08:00-16:00",
    "wed": "08:00-16:00",
    "thu": "08:00-16:00",
    "fri": "08:00-16:30",
    "sat": "",
    "sun": "",
}


def parse_span(value: str) -> tuple[time, time] | None:
    """``"08:00-16:30"`` -> (08:00, 16:30); ``""`` -> None (closed). ValueError if malformed."""
    if not value.strip():
        return None
    match = _SPAN.match(value)
    if not match:
        raise ValueError(f"{value!r} is not HH:MM-HH:MM (or empty for closed)")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    try:
        opens, closes = time(h1, m1), time(h2, m2)
    except ValueError as exc:
        raise ValueError(f"{value!r}: {exc}") from None
    if closes <= opens:
        raise ValueError(f"{value!r}: closes before it opens")
    return opens, closes


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CalendarSettings(_Section):
    timezone: str | None = Field(
        None, description="The office's time zone; default: the top-level `timezone`."
    )
    working_days: int = Field(3, ge=1, le=60, description="Working days promised to solve.")
    hours: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_HOURS),
        description='Opening hours per weekday ("mon".."sun"): "HH:MM-HH:MM", "" = closed.',
    )
    holiday_country: str | None = Field(
        "ID", description="Country code for national holidays (`holidays` package); none: off."
    )
    holiday_subdivision: str | None = Field(None, description="Province code, if any.")
    cuti_bersama: list[date] = Field(
        default_factory=list, description="Collective leave days (cuti bersama): office closed."
    )
    closed_days: list[date] = Field(
        default_factory=list, description="Other days the office is closed."
    )
    open_days: list[date] = Field(
        default_factory=list, description="Days the office opens although a holiday/weekend."
    )

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: dict[str, str]) -> dict[str, str]:
        merged = dict(DEFAULT_HOURS)
        for day, span in value.items():
            if day not in WEEKDAYS:
                raise ValueError(f"unknown weekday {day!r} (use {', '.join(WEEKDAYS)})")
            parse_span(span)
            merged[day] = span
        if all(parse_span(span) is None for span in merged.values()):
            raise ValueError("the office is never open")
        return merged


class EscalationSettings(_Section):
    due_soon_hours: float = Field(
        4.0, ge=0, description="Warn (event due_soon) this many hours before due_at; 0: off."
    )
    batch: int = Field(500, ge=1, description="Complaints handled per run of the job.")
    closed_statuses: list[str] = Field(
        default_factory=lambda: ["resolved", "closed", "rejected", "duplicate", "merged"],
        description="Statuses whose clock has stopped.",
    )


class ModelSettings(_Section):
    enabled: bool = Field(
        False,
        description="Blend the learned model in (when a model file exists); off: rules alone. "
        "Off by default: a city measures first (`aduan eval triage PATH --cv 5`).",
    )
    directory: Path | None = Field(
        None, description="Where the model is saved; default: DATA_DIR/triage-model."
    )
    level: float = Field(
        0.5,
        gt=0,
        le=1,
        description="Where the rules abstain, the model "
        "decides from this probability; below it: the human queue.",
    )
    override: float | None = Field(
        0.7, gt=0, le=1, description="The model overrules confident rules from this probability."
    )
    seconded: float = Field(
        0.3,
        gt=0,
        le=1,
        description="The model decides from this when it names the rules' own best guess.",
    )
    use_dev_set: bool = Field(True, description="Train on the shipped dev set too.")
    rule_terms: bool = Field(True, description="Train on the rules' terms too.")
    retrain: bool = Field(True, description="The daemon retrains when enough new labels came.")
    retrain_min_labels: int = Field(
        50, ge=1, description="New labels since the last model that trigger a retrain."
    )
    retrain_check_seconds: float = Field(
        3600.0, gt=0, description="How often the daemon counts new labels."
    )


class TriageSettings(_Section):
    rules_file: Path | None = Field(
        None, description="Routing rules (TOML); default: the packaged aduan/config/routing.toml."
    )
    batch: int = Field(200, ge=1, description="Complaints triaged per run of the triage job.")
    agency_by_kecamatan: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description=(
            'Per-kecamatan agency overrides: kecamatan -> {category (or "*") -> agency}, '
            "e.g. a kecamatan's own office for public order."
        ),
    )
    calendar: CalendarSettings = CalendarSettings()
    escalation: EscalationSettings = EscalationSettings()
    danger: bool = Field(
        True, description="The danger detector sets high priority (else the rules' terms alone)."
    )
    model: ModelSettings = ModelSettings()
