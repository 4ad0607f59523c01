"""``--since`` / ``--until`` for stats and export, read in the office's time zone.

A bare date is a whole local day: ``--since 2026-11-02 --until 2026-11-08`` is
Monday 00:00 WIB up to (not including) the following Monday 00:00 WIB. A
date-time (``2026-11-02T08:00``, with or without an offset) is an instant; a
naive one is local time. Both bounds become aware UTC datetimes compared with
``received_at`` as ``since <= received_at < until``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class BadPeriod(ValueError):
    """A date the user typed that is not a date, or an empty or inverted range."""


def office_zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadPeriod(f"unknown time zone {name!r}") from None


def _parse(value: str, zone: tzinfo, *, end: bool) -> datetime:
    text = value.strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    if day is not None:
        if end:
            day += timedelta(days=1)
        return datetime.combine(day, time(), zone).astimezone(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadPeriod(
            f"{value!r} is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+07:00]"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class Period:
    since: datetime | None = None
    until: datetime | None = None
    """Exclusive."""

    def describe(self) -> dict[str, str | None]:
        return {
            "received_from": self.since.isoformat() if self.since else None,
            "received_before": self.until.isoformat() if self.until else None,
        }


def parse_period(since: str | None, until: str | None, zone: tzinfo) -> Period:
    """The range the user asked for; :class:`BadPeriod` with a clear message otherwise."""
    start = _parse(since, zone, end=False) if since else None
    stop = _parse(until, zone, end=True) if until else None
    if start is not None and stop is not None and stop <= start:
        raise BadPeriod(f"--until {until} is not after --since {since}")
    return Period(start, stop)
