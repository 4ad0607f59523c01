"""The case inbox: which complaints a desk user sees, filtered, searched, by deadline.

Every list, count and search of cases goes through :func:`conditions`, which
starts from :func:`aduan.desk.access.scope`: an officer's query carries
``agency = <their agency>`` whatever else is asked, so no filter, search or
page number reaches another agency's case.

* Filters (:class:`InboxFilter`, read from the query string by
  :func:`parse_filter`, which names each bad value in Indonesian and drops
  it): status (or ``terbuka``: new, triaged, in progress), agency, category,
  kecamatan, kelurahan, channel, deadline (``lewat``: past due and still
  open; ``segera``: due today or on the next working day), received from/to (dates in
  the city's time zone), and words searched in the complaint text
  (:mod:`aduan.store.search`; a reference number finds that case).
* Sorted by deadline (none last), then id (the order of arrival; every index
  holds it, so an index walk gives the page without a sort); :data:`PAGE_SIZE` a page.
* :func:`counts`: the total, the count per status, and how many are late or
  due soon — each a count an index answers (at 100 000 complaints a scan that
  grouped every column cost a second on SQLite; see ``bench/desk_inbox.py``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, and_, func, literal_column, select
from sqlalchemy.sql import Select

from aduan.config.triage import CalendarSettings
from aduan.core.clock import utcnow
from aduan.desk.access import Viewer, scope
from aduan.store.models import complaints
from aduan.store.search import matches, terms
from aduan.triage.calendar import OfficeCalendar
from aduan.triage.deadline import deadline_state

PAGE_SIZE = 50
MAX_PAGE = 10_000
OPEN = ("new", "triaged", "in_progress")
STATUSES = ("new", "triaged", "in_progress", "resolved", "rejected", "closed", "duplicate")
OPEN_FILTER = "terbuka"
Deadline = Literal["lewat", "segera"]
DIMENSIONS = ("agency", "category", "kecamatan", "kelurahan", "channel")
"""The filters that are a column's value; each has its counts (:func:`counts`)."""
STATES: dict[str, Literal["lewat", "segera", ""]] = {"late": "lewat", "soon": "segera"}
REFERENCE = re.compile(r"ADU-\d{4}-\d{6}")
_NAME = re.compile(r"[\w .,'()/-]{1,64}")
_CODE = re.compile(r"[a-z0-9_.:-]{1,64}")


@dataclass(frozen=True, slots=True)
class InboxFilter:
    status: str | None = None
    agency: str | None = None
    category: str | None = None
    kecamatan: str | None = None
    kelurahan: str | None = None
    channel: str | None = None
    deadline: Deadline | None = None
    since: date | None = None
    until: date | None = None
    q: str = ""
    page: int = 1

    def query(self, **changes: Any) -> dict[str, str]:
        """This filter (with ``changes``) as query-string pairs, for links."""
        current = replace(self, **changes)
        pairs = {
            "status": current.status,
            "instansi": current.agency,
            "kategori": current.category,
            "kecamatan": current.kecamatan,
            "kelurahan": current.kelurahan,
            "kanal": current.channel,
            "tenggat": current.deadline,
            "dari": current.since.isoformat() if current.since else None,
            "sampai": current.until.isoformat() if current.until else None,
            "q": current.q or None,
            "hal": str(current.page) if current.page != 1 else None,
        }
        return {k: v for k, v in pairs.items() if v}


@dataclass(frozen=True, slots=True)
class Clock:
    """Now, and the end of the next working day's window (:func:`aduan.desk.inbox`'s
    "due soon"), both UTC; the city's zone for dates typed in the filter; and the
    office calendar, whose :func:`aduan.triage.deadline.deadline_state` names each
    row's state (the SQL conditions :func:`late` and :func:`due_soon` are the same
    rule, written for an index)."""

    now: datetime
    soon_until: datetime
    zone: ZoneInfo
    calendar: OfficeCalendar


class DeadlineClock:
    """Makes the :class:`Clock` of a request from the office calendar: a case is due
    soon when its deadline falls today or on the next working day (the same rule as
    the case page's), so "soon" ends at midnight after the next working day."""

    def __init__(self, calendar: CalendarSettings, timezone: str) -> None:
        self.calendar = OfficeCalendar(calendar, timezone)

    def at(self, now: datetime | None = None) -> Clock:
        now = now or utcnow()
        zone = self.calendar.tz
        next_day = self.calendar.next_working_day(now.astimezone(zone).date())
        soon_until = _midnight(next_day + timedelta(days=1), zone).astimezone(UTC)
        return Clock(now, soon_until, zone, self.calendar)


def parse_filter(params: Mapping[str, str]) -> tuple[InboxFilter, dict[str, str]]:
    """The filter in ``params``, and a message per field whose value was refused."""
    errors: dict[str, str] = {}

    def pick(name: str, pattern: re.Pattern[str], message: str) -> str | None:
        value = (params.get(name) or "").strip()
        if not value:
            return None
        if not pattern.fullmatch(value):
            errors[name] = message
            return None
        return value

    status = (params.get("status") or "").strip() or None
    if status is not None and status != OPEN_FILTER and status not in STATUSES:
        errors["status"] = "Status tidak dikenal."
        status = None
    deadline = (params.get("tenggat") or "").strip() or None
    if deadline is not None and deadline not in ("lewat", "segera"):
        errors["tenggat"] = "Pilihan tenggat tidak dikenal."
        deadline = None
    since = _date(params.get("dari"), "dari", errors)
    until = _date(params.get("sampai"), "sampai", errors)
    if since and until and since > until:
        errors["sampai"] = "Tanggal akhir sebelum tanggal awal."
        until = None
    q = (params.get("q") or "").strip()
    if len(q) > 200:
        errors["q"] = "Kata pencarian terlalu panjang (maksimal 200 karakter)."
        q = ""
    page = 1
    raw_page = (params.get("hal") or "").strip()
    if raw_page:
        if raw_page.isdigit() and 1 <= int(raw_page) <= MAX_PAGE:
            page = int(raw_page)
        else:
            errors["hal"] = f"Nomor halaman harus 1 sampai {MAX_PAGE}."
    found = InboxFilter(
        status=status,
        agency=pick("instansi", _CODE, "Kode instansi tidak valid."),
        category=pick("kategori", _CODE, "Kode kategori tidak valid."),
        kecamatan=pick("kecamatan", _NAME, "Nama kecamatan tidak valid."),
        kelurahan=pick("kelurahan", _NAME, "Nama kelurahan tidak valid."),
        channel=pick("kanal", _CODE, "Kode kanal tidak valid."),
        deadline=deadline,  # type: ignore[arg-type]
        since=since,
        until=until,
        q=q,
        page=page,
    )
    return found, errors


def _date(value: str | None, name: str, errors: dict[str, str]) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = "Tanggal harus berformat TTTT-BB-HH."
        return None


def _open() -> ColumnElement[bool]:
    """Written out literally, so both databases see that the partial index
    ``ix_complaints_open_facets`` (the open cases by deadline, with the filter
    columns) answers it."""
    return complaints.c.status.in_([literal_column(f"'{status}'") for status in OPEN])


def late(clock: Clock) -> ColumnElement[bool]:
    """:func:`~aduan.triage.deadline.deadline_state`'s ``late``: open, due at or before now."""
    return and_(_open(), complaints.c.due_at <= clock.now)


def due_soon(clock: Clock) -> ColumnElement[bool]:
    """Its ``soon``: open, due after now and before the day after the next working day."""
    due = complaints.c.due_at
    return and_(_open(), due > clock.now, due < clock.soon_until)


def conditions(
    viewer: Viewer,
    wanted: InboxFilter,
    clock: Clock,
    dialect: str,
    *,
    facets: bool = True,
    without: str | None = None,
) -> list[ColumnElement[bool]]:
    """The WHERE of every inbox query: the viewer's scope first, then the filter.
    ``facets=False`` leaves out status and deadline (the counts group by them);
    ``without`` leaves out one of :data:`DIMENSIONS` (its counts group by it).
    The scope is never left out."""
    c = complaints.c
    found: list[ColumnElement[bool]] = [scope(viewer, c.agency)]
    if facets and wanted.status == OPEN_FILTER:
        found.append(_open())
    elif facets and wanted.status:
        found.append(c.status == wanted.status)
    if facets and wanted.deadline == "lewat":
        found.append(late(clock))
    elif facets and wanted.deadline == "segera":
        found.append(due_soon(clock))
    for name in DIMENSIONS:
        value = getattr(wanted, name)
        if value and name != without:
            found.append(c[name] == value)
    if wanted.since:
        found.append(c.received_at >= _midnight(wanted.since, clock.zone))
    if wanted.until:
        found.append(c.received_at < _midnight(wanted.until + timedelta(days=1), clock.zone))
    q = wanted.q.strip().upper()
    if REFERENCE.fullmatch(q):
        found.append(c.reference == q)
    elif words := terms(wanted.q):
        found.append(matches(dialect, c.id, c.text, words))
    return found


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def page_query(viewer: Viewer, wanted: InboxFilter, clock: Clock, dialect: str) -> Select[Any]:
    c = complaints.c
    columns = (
        c.id,
        c.reference,
        c.text,
        c.channel,
        c.category,
        c.agency,
        c.kecamatan,
        c.kelurahan,
        c.status,
        c.received_at,
        c.due_at,
    )
    return (
        select(*columns)
        .where(*conditions(viewer, wanted, clock, dialect))
        .order_by(c.due_at.asc().nulls_last(), c.id)  # id: in every index, so no sort
        .limit(PAGE_SIZE)
        .offset((wanted.page - 1) * PAGE_SIZE)
    )


@dataclass(frozen=True, slots=True)
class Row:
    reference: str
    text: str
    channel: str
    category: str | None
    agency: str | None
    kecamatan: str | None
    kelurahan: str | None
    status: str
    received_at: datetime
    due_at: datetime | None
    state: Literal["lewat", "segera", ""]
    """``lewat``: past its deadline and still open; ``segera``: due within a working day."""


def rows(conn: Connection, viewer: Viewer, wanted: InboxFilter, clock: Clock) -> list[Row]:
    found = []
    for r in conn.execute(page_query(viewer, wanted, clock, conn.dialect.name)):
        state = STATES.get(deadline_state(r.due_at, r.status, clock.now, clock.calendar).state, "")
        found.append(
            Row(
                r.reference,
                r.text,
                r.channel,
                r.category,
                r.agency,
                r.kecamatan,
                r.kelurahan,
                r.status,
                r.received_at,
                r.due_at,
                state,
            )
        )
    return found


@dataclass
class Counts:
    total: int = 0
    late: int = 0
    soon: int = 0
    status: Counter[str] = field(default_factory=Counter)
    by: dict[str, Counter[str]] = field(default_factory=dict)
    """Per dimension counted (:func:`counted`), the count per value."""

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def counted(viewer: Viewer, wanted: InboxFilter) -> tuple[str, ...]:
    """The dimensions whose counts the page shows: not the agency to an officer (their
    scope is one agency), and kelurahan only within a chosen kecamatan (dozens of
    values, most empty otherwise)."""
    return tuple(
        name
        for name in DIMENSIONS
        if not (name == "agency" and viewer.role == "officer")
        and not (name == "kelurahan" and not wanted.kecamatan)
    )


def counts(conn: Connection, viewer: Viewer, wanted: InboxFilter, clock: Clock) -> Counts:
    """The total for the filter, how many are late and due soon (within the other
    filters), the count per status (the chosen deadline state kept), and per value of
    each :func:`counted` dimension (within every other filter: what choosing that
    value would give). Each is one grouped query over the scoped, filtered set that
    an index answers — status (``ix_complaints_status_due``), the open cases by
    deadline with the filter columns (``ix_complaints_open_facets``), agency,
    category, channel, kecamatan (their own indexes) — never one scan that groups
    every column (at 100 000 complaints that cost a second on SQLite; see
    ``bench/desk_inbox.py``)."""
    c = complaints.c
    dialect = conn.dialect.name
    others = conditions(viewer, wanted, clock, dialect, facets=False)
    deadline = {"lewat": [late(clock)], "segera": [due_soon(clock)], None: []}[wanted.deadline]
    per_status = select(c.status, func.count()).where(*others, *deadline).group_by(c.status)
    found = Counts(status=Counter({str(k): int(v) for k, v in conn.execute(per_status)}))
    chosen = [s for s in found.status if _status_in(s, wanted.status)]
    found.total = sum(found.status[s] for s in chosen)
    if wanted.status is None or wanted.status == OPEN_FILTER or wanted.status in OPEN:
        status = conditions(viewer, replace(wanted, deadline=None), clock, dialect)
        found.late = _count(conn, [*status, late(clock)])
        found.soon = _count(conn, [*status, due_soon(clock)])
    for name in counted(viewer, wanted):
        column = c[name]
        where = conditions(viewer, wanted, clock, dialect, without=name)
        # When something narrows the set, grouped by ``column || ''`` (the same values,
        # NULL kept), not the bare column, and never "IS NOT NULL": either lets SQLite
        # walk that column's index to skip a sort, reading every row in the store to
        # check an officer's agency or a filter. When nothing narrows it, that walk
        # of the column's own index is the whole answer. NULL is dropped below.
        narrowed = viewer.role == "officer" or len(where) > 1
        value = column.concat(literal_column("''")) if narrowed else column
        query = select(value, func.count()).where(*where).group_by(value)
        found.by[name] = Counter({str(k): int(v) for k, v in conn.execute(query) if k is not None})
    return found


def _count(conn: Connection, where: list[ColumnElement[bool]]) -> int:
    return int(
        conn.execute(select(func.count()).select_from(complaints).where(*where)).scalar_one()
    )


def _status_in(status: str, wanted: str | None) -> bool:
    if wanted is None:
        return True
    if wanted == OPEN_FILTER:
        return status in OPEN
    return status == wanted


__all__ = [
    "DIMENSIONS",
    "OPEN_FILTER",
    "PAGE_SIZE",
    "STATUSES",
    "Clock",
    "Counts",
    "DeadlineClock",
    "InboxFilter",
    "Row",
    "conditions",
    "counted",
    "counts",
    "page_query",
    "parse_filter",
    "rows",
]
