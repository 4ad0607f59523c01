"""The three-working-day clock on the office calendar (Asia/Jakarta, UTC+7)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from aduan.config.triage import CalendarSettings
from aduan.core.errors import ConfigError
from aduan.triage.calendar import OfficeCalendar

WIB = ZoneInfo("Asia/Jakarta")


def wib(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=WIB)


def due(received: datetime, **settings: object) -> datetime:
    calendar = OfficeCalendar(CalendarSettings.model_validate(settings))
    result = calendar.due_at(received)
    assert result.tzinfo is not None and result.utcoffset() == UTC.utcoffset(None)
    return result.astimezone(WIB)


CASES = [
    # (name, received, expected due)
    ("plain week: Mon 10:00 -> Thu 10:00", wib(2026, 11, 2, 10), wib(2026, 11, 5, 10)),
    ("before opening starts at 08:00", wib(2026, 11, 3, 6, 30), wib(2026, 11, 6, 8)),
    ("after closing starts next morning", wib(2026, 11, 3, 16, 0), wib(2026, 11, 9, 8)),
    ("weekend starts on Monday", wib(2026, 11, 7, 11), wib(2026, 11, 12, 8)),
    # Independence Day, Monday 17 August 2026: a long weekend.
    ("long weekend with national holiday", wib(2026, 8, 14, 10), wib(2026, 8, 20, 10)),
    ("received on the holiday itself", wib(2026, 8, 17, 9), wib(2026, 8, 21, 8)),
    # Good Friday 3 April 2026.
    ("Thursday before Good Friday", wib(2026, 4, 2, 15), wib(2026, 4, 8, 15)),
    # Friday closes 16:30.
    ("Friday after 16:30 -> Monday 08:00", wib(2026, 11, 6, 16, 45), wib(2026, 11, 12, 8)),
    (
        "Friday 16:15 in hours, clamped to Wed close",
        wib(2026, 11, 6, 16, 15),
        wib(2026, 11, 11, 16),
    ),
    # 1 Jan 2027 (Fri) New Year, 5 Jan 2027 (Tue) Isra' Mi'raj.
    ("23:59 on 31 December", wib(2026, 12, 31, 23, 59), wib(2027, 1, 8, 8)),
]


@pytest.mark.parametrize(("name", "received", "expected"), CASES, ids=[c[0] for c in CASES])
def test_due_at(name: str, received: datetime, expected: datetime) -> None:
    assert due(received) == expected


def test_utc_input_and_naive_input_are_the_same_instant() -> None:
    received = wib(2026, 11, 2, 10)
    as_utc = received.astimezone(UTC)
    assert due(as_utc) == due(as_utc.replace(tzinfo=None)) == wib(2026, 11, 5, 10)


def test_configured_cuti_bersama_is_not_a_working_day() -> None:
    received = wib(2026, 12, 23, 9)  # Wednesday; 25 Dec (Fri) is Christmas
    assert due(received) == wib(2026, 12, 29, 9)
    assert due(received, cuti_bersama=[date(2026, 12, 24)]) == wib(2026, 12, 30, 9)


def test_received_on_cuti_bersama_starts_next_working_day() -> None:
    received = wib(2026, 12, 24, 10)
    assert due(received, cuti_bersama=["2026-12-24"]) == wib(2026, 12, 31, 8)


def test_everything_is_configurable() -> None:
    received = wib(2026, 11, 6, 17)  # Friday evening
    saturday_open = {"sat": "09:00-12:00"}
    assert due(received, hours=saturday_open, working_days=1) == wib(2026, 11, 9, 9)
    assert due(received, working_days=5) == wib(2026, 11, 16, 8)
    # No national holidays: 17 Aug 2026 counts.
    assert due(wib(2026, 8, 14, 10), holiday_country=None) == wib(2026, 8, 19, 10)
    # An office that opens on a holiday.
    assert due(wib(2026, 8, 14, 10), open_days=["2026-08-17"]) == wib(2026, 8, 19, 10)
    # 07:30 WIB is 08:30 in Makassar (WITA): already open there.
    assert due(wib(2026, 11, 2, 7, 30)) == wib(2026, 11, 5, 8)
    assert due(wib(2026, 11, 2, 7, 30), timezone="Asia/Makassar") == wib(2026, 11, 5, 7, 30)


@pytest.mark.parametrize(
    "settings",
    [
        {"hours": {"mon": "16:00-08:00"}},
        {"hours": {"monday": "08:00-16:00"}},
        {"hours": {"tue": "8-4"}},
    ],
)
def test_bad_hours_are_refused(settings: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        CalendarSettings.model_validate(settings)


def test_unknown_timezone_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as err:
        OfficeCalendar(CalendarSettings(timezone="Asia/Nowhere"))
    assert "triage.calendar.timezone" in err.value.problems[0]
