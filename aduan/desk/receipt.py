"""What a walk-in citizen takes home: the receipt on the desk's success page.

The reference, the tracking address with its check code (``/track`` shows
nothing without it, see :mod:`aduan.store.references`), and a printable part
(print CSS on the page): the city and the office, the date received, the
category (the clerk's pick until triage decides), the target date by the
office calendar (three working days) and the city's contact line and hours.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from aduan.config.desk import DeskSettings
from aduan.core.clock import utcnow
from aduan.desk.auth import Clerk
from aduan.desk.labels import category_name
from aduan.store.cases import find_complaint
from aduan.store.models import raw_messages
from aduan.triage import active
from aduan.triage.deadline import local_time


def office_of(settings: DeskSettings, clerk: Clerk) -> str:
    """The clerk's office as printed: a configured office named like their desk, else the desk."""
    for office in settings.offices:
        if clerk.desk and clerk.desk in (office.name, office.kecamatan, office.kelurahan):
            return office.name
    if not clerk.desk:
        return "Loket pengaduan"
    name = clerk.desk.replace("-", " ").strip()
    if name.lower().startswith(("loket", "kantor")):
        return name[:1].upper() + name[1:]  # "loket-3" -> "Loket 3"
    return f"Loket {name}"


def receipt_context(
    engine: Engine, reference: str, raw_id: int, hint: str | None
) -> dict[str, Any]:
    """Dates and category for ``reference``: the complaint's once triaged, else estimated."""
    calendar = active().calendar
    with engine.connect() as conn:
        row = find_complaint(conn, reference)
        received = conn.execute(
            select(raw_messages.c.received_at).where(raw_messages.c.id == raw_id)
        ).scalar_one_or_none()
    received = received or utcnow()
    if row is not None and row.category:
        category, due = category_name(row.category), row.due_at
    else:
        category, due = category_name(hint), calendar.due_at(received)
    return {
        "received": local_time(received, calendar.tz),
        "category": category or "Akan ditentukan petugas",
        "due": local_time(due, calendar.tz),
    }
