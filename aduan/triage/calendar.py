"""The office calendar and the three-working-day clock.

A working day is a weekday with opening hours (default Mon–Thu 08:00–16:00,
Fri 08:00–16:30, Asia/Jakarta) that is not a national holiday (the
``holidays`` package, country ``ID``), a configured cuti bersama or another
closed day. :meth:`OfficeCalendar.due_at`:

1. a complaint received outside office hours starts at the next opening
   (Friday 17:00 -> Monday 08:00; 23:59 on 31 December -> the first working
   day of January at 08:00);
2. it is due at the same office time on the Nth following working day
   (N = ``working_days``, default 3), clamped into that day's hours:
   received Monday 10:00 -> due Thursday 10:00; received Friday 16:15 ->
   due Wednesday 16:00 (Wednesday closes earlier).

Times in and out are timezone-aware; a naive datetime is taken as UTC; the
result is in UTC (the store keeps UTC).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from aduan.config.triage import WEEKDAYS, CalendarSettings, parse_span
from aduan.core.errors import ConfigError

_MAX_SCAN_DAYS = 400


class OfficeCalendar:
    def __init__(self, settings: CalendarSettings, timezone: str = "Asia/Jakarta") -> None:
        name = settings.timezone or timezone
        try:
            self.tz = ZoneInfo(name)
        except (KeyError, ValueError) as exc:
            raise ConfigError([f"triage.calendar.timezone: unknown time zone {name!r}"]) from exc
        self.working_days = settings.working_days
        self.hours: dict[int, tuple[time, time] | None] = {
            WEEKDAYS.index(day): parse_span(span) for day, span in settings.hours.items()
        }
        self.closed = set(settings.cuti_bersama) | set(settings.closed_days)
        self.open_days = set(settings.open_days)
        self._spans: dict[date, tuple[time, time] | None] = {}
        self._deadlines: dict[date, tuple[date, tuple[time, time]]] = {}
        self.national: holidays.HolidayBase | None = None
        if settings.holiday_country:
            try:
                self.national = holidays.country_holidays(
                    settings.holiday_country, subdiv=settings.holiday_subdivision
                )
            except NotImplementedError as exc:
                raise ConfigError(
                    [f"triage.calendar.holiday_country: {exc}"]  # unknown country or province
                ) from exc

    def holiday_name(self, day: date) -> str | None:
        if day in self.closed:
            return "cuti bersama / closed"
        if self.national is not None and day in self.national:
            return str(self.national.get(day))
        return None

    def span(self, day: date) -> tuple[time, time] | None:
        """Opening hours of ``day``, or None when the office is closed."""
        try:
            return self._spans[day]
        except KeyError:
            pass
        span = self._span(day)
        if len(self._spans) > 20_000:
            self._spans.clear()
        self._spans[day] = span
        return span

    def _span(self, day: date) -> tuple[time, time] | None:
        hours = self.hours.get(day.weekday())
        if day in self.open_days:
            return hours or parse_span("08:00-16:00")
        if hours is None or self.holiday_name(day) is not None:
            return None
        return hours

    def is_working_day(self, day: date) -> bool:
        return self.span(day) is not None

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        for _ in range(_MAX_SCAN_DAYS):
            day += timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise ConfigError(["triage.calendar: no working day within a year"])

    def start_of_clock(self, received_at: datetime) -> datetime:
        """When the clock starts: ``received_at`` in office hours, else the next opening (local)."""
        local = _aware(received_at).astimezone(self.tz)
        span = self.span(local.date())
        if span is not None:
            opens, closes = span
            if local.time() < opens:
                return _at(local.date(), opens, self.tz)
            if local.time() < closes:
                return local
        day = self.next_working_day(local.date())
        span = self.span(day)
        assert span is not None
        return _at(day, span[0], self.tz)

    def due_at(self, received_at: datetime) -> datetime:
        start = self.start_of_clock(received_at)
        day, (opens, closes) = self._deadline_day(start.date())
        clock = min(max(start.time().replace(tzinfo=None), opens), closes)
        return _at(day, clock, self.tz).astimezone(UTC)

    def _deadline_day(self, start: date) -> tuple[date, tuple[time, time]]:
        """The working day ``working_days`` after ``start``, and its opening hours."""
        found = self._deadlines.get(start)
        if found is None:
            day = start
            for _ in range(self.working_days):
                day = self.next_working_day(day)
            span = self.span(day)
            assert span is not None
            if len(self._deadlines) > 20_000:
                self._deadlines.clear()
            found = self._deadlines[start] = (day, span)
        return found


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _at(day: date, clock: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, clock.replace(tzinfo=None), tzinfo=tz)
