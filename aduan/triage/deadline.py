"""Where a complaint stands against its deadline, in words a clerk and a citizen read alike.

:func:`deadline_state` gives one of four states for a complaint's ``due_at``:

* ``done`` — resolved, rejected, closed or merged: the clock no longer runs;
* ``late`` — still open and ``due_at`` has passed ("Melewati target penyelesaian
  2 Des 2026");
* ``soon`` — still open and due today or on the next working day of the office
  calendar (:class:`aduan.triage.calendar.OfficeCalendar`), so nobody meets a
  deadline on the morning it passes;
* ``ok`` — open, with more time than that.

Dates are shown in the office time zone (WIB for Jakarta). Escalation is not a
status: the ``overdue`` event is named :data:`ESCALATED`, never shown as progress.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from aduan.triage.calendar import OfficeCalendar

State = Literal["done", "late", "soon", "ok", "none"]
FINISHED = frozenset({"resolved", "rejected", "closed", "duplicate"})
MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
ESCALATED = "Lewat tenggat — dilaporkan ke atasan"
WARNED = "Mendekati tenggat — pengingat dikirim"
ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA"}
ZONE_NAMES["Asia/Jayapura"] = "WIT"


@dataclass(frozen=True, slots=True)
class Deadline:
    state: State
    label: str
    """One line, e.g. "Melewati target penyelesaian 2 Des 2026"."""
    due: str | None
    """The due time, local, with the zone's name."""


def zone_name(zone: ZoneInfo) -> str:
    return ZONE_NAMES.get(zone.key, zone.key)


def local_day(value: datetime, zone: ZoneInfo) -> str:
    local = value.astimezone(zone)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}"


def local_time(value: datetime | None, zone: ZoneInfo) -> str | None:
    if value is None:
        return None
    local = value.astimezone(zone)
    return f"{local_day(value, zone)} {local:%H:%M} {zone_name(zone)}"


def deadline_state(
    due_at: datetime | None,
    status: str,
    now: datetime,
    calendar: OfficeCalendar,
    *,
    finished: bool = False,
) -> Deadline:
    """The state of a complaint with ``due_at`` and ``status`` at ``now``."""
    zone = calendar.tz
    due = local_time(due_at, zone)
    if due_at is None:
        return Deadline("none", "Target selesai belum ditetapkan", None)
    if finished or status in FINISHED:
        return Deadline("done", f"Target selesai {due}", due)
    if due_at <= now:
        return Deadline("late", f"Melewati target penyelesaian {local_day(due_at, zone)}", due)
    today = now.astimezone(zone).date()
    if due_at.astimezone(zone).date() <= calendar.next_working_day(today):
        return Deadline("soon", f"Segera jatuh tempo: {due}", due)
    return Deadline("ok", f"Target selesai {due}", due)


__all__ = ["ESCALATED", "WARNED", "Deadline", "deadline_state", "local_day", "local_time"]
