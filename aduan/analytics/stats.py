"""Complaint figures per channel, category, agency, kecamatan, kelurahan, day or ISO week.

For each group, from ``v_complaints`` rows received in the period:

* ``complaints`` — how many; ``resolved`` — how many have ``resolved_at``;
* ``overdue`` and ``overdue_share`` — the view's ``overdue`` flag (marked by
  the escalation job, or open past ``due_at`` now) over ``complaints``;
* ``median_hours_to_resolve`` — median of ``resolved_at - received_at`` over
  resolved complaints, in hours (wall-clock, not working hours);
* SLA compliance — ``sla_met / sla_decided``: a complaint counts once its
  outcome is known, i.e. it has a ``due_at`` and is either resolved (met when
  ``resolved_at <= due_at``) or overdue (missed). Complaints still open before
  their deadline, and those without a ``due_at`` (untriaged), are left out.

Rows are streamed and folded in Python (one small accumulator per group), so
the figures are identical on SQLite and PostgreSQL and days are the office's
local days, whatever the database's zone.
"""

from __future__ import annotations

import statistics
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Select, select

from aduan.analytics.period import Period
from aduan.analytics.views import v_complaints

STREAM_ROWS = 10_000


class By(StrEnum):
    channel = "channel"
    category = "category"
    agency = "agency"
    day = "day"
    week = "week"
    kecamatan = "kecamatan"
    kelurahan = "kelurahan"


@dataclass
class Group:
    """Running figures of one group; :meth:`figures` gives the finished row."""

    key: str | None
    complaints: int = 0
    resolved: int = 0
    overdue: int = 0
    sla_decided: int = 0
    sla_met: int = 0
    hours: array[float] = field(default_factory=lambda: array("d"))

    def add(
        self,
        received_at: datetime,
        due_at: datetime | None,
        resolved_at: datetime | None,
        overdue: bool,
    ) -> None:
        self.complaints += 1
        self.overdue += overdue
        if resolved_at is not None:
            self.resolved += 1
            self.hours.append((resolved_at - received_at).total_seconds() / 3600)
        if due_at is None:
            return
        if resolved_at is not None:
            self.sla_decided += 1
            self.sla_met += resolved_at <= due_at
        elif overdue:
            self.sla_decided += 1

    def figures(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "complaints": self.complaints,
            "resolved": self.resolved,
            "overdue": self.overdue,
            "overdue_share": _share(self.overdue, self.complaints),
            "median_hours_to_resolve": (
                round(statistics.median(self.hours), 2) if self.hours else None
            ),
            "sla_met": self.sla_met,
            "sla_decided": self.sla_decided,
            "sla_compliance": _share(self.sla_met, self.sla_decided),
        }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _key(by: By | None, row: Any, zone: tzinfo) -> str | None:
    if by is None:
        return "all"
    if by is By.day:
        return str(row.received_at.astimezone(zone).date().isoformat())
    if by is By.week:
        year, week, _ = row.received_at.astimezone(zone).isocalendar()
        return f"{year}-W{week:02d}"
    value = getattr(row, by.value)
    return None if value is None else str(value)


def stats_query(period: Period) -> Select[Any]:
    v = v_complaints.c
    query = select(
        v.channel,
        v.category,
        v.agency,
        v.kecamatan,
        v.kelurahan,
        v.received_at,
        v.due_at,
        v.resolved_at,
        v.overdue,
    )
    if period.since is not None:
        query = query.where(v.received_at >= period.since)
    if period.until is not None:
        query = query.where(v.received_at < period.until)
    return query


@dataclass
class Report:
    by: By | None
    period: Period
    groups: list[dict[str, Any]]
    total: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "by": self.by.value if self.by else None,
            **self.period.describe(),
            "groups": self.groups,
            "total": self.total,
        }


def fold(rows: Iterable[Any], by: By | None, zone: tzinfo) -> tuple[list[Group], Group]:
    groups: dict[str | None, Group] = {}
    total = Group("total")
    for row in rows:
        key = _key(by, row, zone)
        group = groups.get(key)
        if group is None:
            group = groups[key] = Group(key)
        args = (row.received_at, row.due_at, row.resolved_at, bool(row.overdue))
        group.add(*args)
        total.add(*args)
    ordered = list(groups.values())
    if by in (By.day, By.week):
        ordered.sort(key=lambda g: g.key or "")
    else:
        ordered.sort(key=lambda g: (-g.complaints, g.key is None, g.key or ""))
    return ordered, total


def compute(conn: Connection, by: By | None, period: Period, zone: tzinfo) -> Report:
    """Figures per group (and in total) for complaints received in ``period``."""
    result = conn.execution_options(stream_results=True, yield_per=STREAM_ROWS).execute(
        stats_query(period)
    )
    groups, total = fold(result, by, zone)
    return Report(by, period, [g.figures() for g in groups], total.figures())
