"""``--since``/``--until``: local days, instants, and clear refusals."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from aduan.analytics.period import BadPeriod, office_zone, parse_period

WIB = ZoneInfo("Asia/Jakarta")


def test_dates_are_whole_local_days() -> None:
    period = parse_period("2026-11-02", "2026-11-08", WIB)
    assert period.since == datetime(2026, 11, 1, 17, tzinfo=UTC)
    assert period.until == datetime(2026, 11, 8, 17, tzinfo=UTC)  # Monday 9th 00:00 WIB


def test_date_times_are_instants() -> None:
    period = parse_period("2026-11-02T08:00", "2026-11-02T10:00:00+00:00", WIB)
    assert period.since == datetime(2026, 11, 2, 1, tzinfo=UTC)
    assert period.until == datetime(2026, 11, 2, 10, tzinfo=UTC)
    assert parse_period(None, None, WIB).describe() == {
        "received_from": None,
        "received_before": None,
    }


@pytest.mark.parametrize(
    ("since", "until", "message"),
    [
        ("kemarin", None, "not a date"),
        ("2026-02-30", None, "not a date"),
        ("2026-11-05", "2026-11-04", "not after"),
    ],
)
def test_refusals(since: str, until: str | None, message: str) -> None:
    with pytest.raises(BadPeriod, match=message):
        parse_period(since, until, WIB)


def test_unknown_zone() -> None:
    with pytest.raises(BadPeriod, match="time zone"):
        office_zone("Asia/Atlantis")
