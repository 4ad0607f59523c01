"""The figures on ``/dashboard``, read from ``complaints`` and ``incidents``.

Over the last ``days`` days (office time zone): complaints per day per
channel, per category and per agency; SLA compliance — of the complaints
whose deadline has passed or that are resolved, the share resolved by
``due_at`` (three working days); the overdue list (open, past ``due_at``);
the incidents with the most complaints (their category, place and first
complaint, which the page links to); a table by kecamatan (complaints, still
open, late). No personal data is shown. The data keep the store's codes; the
page shows them as :mod:`aduan.desk.labels` names them (:func:`present`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup
from sqlalchemy import Engine, and_, case, func, or_, select

from aduan.core.clock import utcnow
from aduan.desk import svg
from aduan.desk.labels import CHANNELS, agency_label, category_name
from aduan.store.models import Incident, complaints

incidents = Incident.__table__  # type: ignore[attr-defined]
OPEN = ("resolved", "closed", "duplicate")


@dataclass
class Figures:
    days: list[str]
    per_day: dict[str, list[int]]
    by_category: list[tuple[str, int]]
    by_agency: list[tuple[str, int]]
    total: int
    sla_due: int
    sla_met: int
    overdue: list[dict[str, Any]] = field(default_factory=list)
    overdue_count: int = 0
    top_incidents: list[dict[str, Any]] = field(default_factory=list)
    by_kecamatan: list[dict[str, Any]] = field(default_factory=list)
    generated_at: datetime = field(default_factory=utcnow)

    @property
    def sla_share(self) -> float | None:
        return self.sla_met / self.sla_due if self.sla_due else None


def collect(engine: Engine, days: int = 14, timezone: str = "Asia/Jakarta") -> Figures:
    zone = ZoneInfo(timezone)
    now = utcnow()
    today = now.astimezone(zone).date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, datetime.min.time(), zone)
    c = complaints.c
    in_window = c.received_at >= since
    with engine.connect() as conn:
        per_day: dict[str, dict[date, int]] = {}
        rows = conn.execute(select(c.channel, c.received_at).where(in_window))
        for channel, received in rows:
            day = received.astimezone(zone).date()
            per_day.setdefault(channel, {}).setdefault(day, 0)
            per_day[channel][day] += 1
        by_category = _grouped(conn, c.category, in_window, "(belum)")
        by_agency = _grouped(conn, c.agency, in_window, "(belum)")
        total = sum(n for _, n in by_category)
        due = and_(
            in_window, c.due_at.is_not(None), or_(c.due_at <= now, c.resolved_at.is_not(None))
        )
        sla_due = conn.execute(select(func.count()).where(due)).scalar_one()
        sla_met = conn.execute(
            select(func.count()).where(due, c.resolved_at.is_not(None), c.resolved_at <= c.due_at)
        ).scalar_one()
        late = and_(
            c.due_at < now, c.resolved_at.is_(None), c.closed_at.is_(None), c.status.not_in(OPEN)
        )
        overdue_count = conn.execute(select(func.count()).where(late)).scalar_one()
        overdue = [
            {
                **row._mapping,
                "late_days": (now - row.due_at).total_seconds() / 86400,
                "due_local": row.due_at.astimezone(zone),
            }
            for row in conn.execute(
                select(
                    c.reference,
                    c.channel,
                    c.category,
                    c.agency,
                    c.kecamatan,
                    c.received_at,
                    c.due_at,
                    c.status,
                )
                .where(late)
                .order_by(c.due_at, c.id)
                .limit(50)
            )
        ]
        kecamatan = _by_kecamatan(conn, in_window, late)
        i = incidents.c
        first_ref = (
            select(c.reference)
            .where(c.incident_id == i.id)
            .order_by(c.received_at, c.id)
            .limit(1)
            .scalar_subquery()
        )
        top = [
            {**row._mapping, "place": incident_place(row) or row.address}
            for row in conn.execute(
                select(
                    i.reference,
                    i.category,
                    i.place_name,
                    i.address,
                    first_ref.label("first_reference"),
                    i.kelurahan,
                    i.kecamatan,
                    i.complaint_count,
                    i.first_received_at,
                    i.last_received_at,
                )
                .where(i.last_received_at >= since)
                .order_by(i.complaint_count.desc(), i.last_received_at.desc())
                .limit(10)
            )
        ]
    day_list = [first + timedelta(days=n) for n in range(days)]
    series = {
        channel: [counts.get(d, 0) for d in day_list]
        for channel, counts in sorted(per_day.items(), key=lambda kv: -sum(kv[1].values()))
    }
    return Figures(
        days=[d.isoformat() for d in day_list],
        per_day=series,
        by_category=by_category,
        by_agency=by_agency,
        total=total,
        sla_due=sla_due,
        sla_met=sla_met,
        overdue=overdue,
        overdue_count=overdue_count,
        top_incidents=top,
        by_kecamatan=kecamatan,
    )


def _by_kecamatan(conn: Any, in_window: Any, late: Any) -> list[dict[str, Any]]:
    c = complaints.c
    still_open = and_(c.resolved_at.is_(None), c.closed_at.is_(None), c.status.not_in(OPEN))
    rows = conn.execute(
        select(
            c.kecamatan,
            func.count().label("total"),
            func.sum(case((still_open, 1), else_=0)).label("open"),
            func.sum(case((late, 1), else_=0)).label("late"),
        )
        .where(in_window)
        .group_by(c.kecamatan)
        .order_by(func.count().desc())
    )
    return [
        {
            "kecamatan": row.kecamatan or "(belum diketahui)",
            "total": int(row.total),
            "open": int(row.open or 0),
            "late": int(row.late or 0),
        }
        for row in rows
    ]


def incident_place(row: Any) -> str | None:
    """An incident's place as shown: landmark, kelurahan, kecamatan (what is known)."""
    kel = f"Kel. {row.kelurahan}" if row.kelurahan else None
    kec = f"Kec. {row.kecamatan}" if row.kecamatan else None
    return ", ".join(p for p in (row.place_name, kel, kec) if p) or None


def _grouped(conn: Any, column: Any, where: Any, missing: str) -> list[tuple[str, int]]:
    count = func.count().label("n")
    rows = conn.execute(select(column, count).where(where).group_by(column).order_by(count.desc()))
    return [(value or missing, int(n)) for value, n in rows]


def _labelled(items: list[tuple[str, int]], label: Any) -> list[tuple[str, int]]:
    return [(label(code) or code if code != "(belum)" else code, n) for code, n in items]


def present(f: Figures, zone: ZoneInfo) -> dict[str, Any]:
    """The overdue and incident rows with Indonesian labels and local dates, for the page."""
    from aduan.triage.deadline import local_time

    return {
        "overdue": [
            {
                **o,
                "channel": CHANNELS.get(o["channel"], o["channel"]),
                "category": category_name(o["category"]),
                "agency": agency_label(o["agency"]),
                "due": local_time(o["due_at"], zone),
            }
            for o in f.overdue
        ],
        "incidents": [{**i, "category": category_name(i["category"])} for i in f.top_incidents],
    }


def charts(f: Figures) -> dict[str, Markup]:
    return {
        "per_day": svg.stacked_columns(
            f.days, f.per_day, "Aduan per hari per kanal", labels=CHANNELS
        ),
        "category": svg.bars(_labelled(f.by_category[:15], category_name), "Aduan per kategori"),
        "agency": svg.bars(_labelled(f.by_agency[:15], agency_label), "Aduan per instansi"),
        "sla": svg.share(f.sla_share, "Kepatuhan SLA 3 hari kerja"),
    }
