"""Fill a store with the demo day and run the whole pipeline on it.

Raw messages are stored through :func:`~aduan.store.save_batch` (as a live
channel would), then normalized, triaged and escalated by the same jobs the
daemon runs; a few complaints are then moved along by an "agency" so that
the dashboard, ``aduan stats`` and ``/track`` have something to show.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from aduan.daemon.normalize_job import normalize_pending, runtime_normalizer
from aduan.daemon.triage_jobs import run_escalate, run_triage
from aduan.demo.build import demo_raws
from aduan.replies.events import change_status
from aduan.runtime import Runtime
from aduan.store import save_batch
from aduan.store.models import complaints, raw_messages

CONFIG = Path("aduan.toml")


@dataclass
class DemoResult:
    raws: int
    complaints: int
    quarantined: int
    ignored: int
    overdue: int


def store_is_empty(runtime: Runtime) -> bool:
    with runtime.engine.connect() as conn:
        return not conn.execute(select(func.count()).select_from(raw_messages)).scalar_one()


def demo_day(zone: ZoneInfo) -> date:
    """The last working day before today, so that its clock is running."""
    day = datetime.now(zone).date() - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _move_along(runtime: Runtime) -> None:
    with runtime.engine.connect() as conn:
        refs = list(
            conn.execute(
                select(complaints.c.reference, complaints.c.category)
                .where(complaints.c.status.in_(("new", "triaged")))
                .order_by(complaints.c.received_at)
            )
        )
    for number, (reference, category) in enumerate(refs):
        agency = f"sudin-{category or 'umum'}"
        if number % 3 == 0:
            change_status(runtime.engine, reference, "in_progress", actor=agency)
        if number % 6 == 0:
            note = "Sudah ditangani petugas di lapangan"
            change_status(runtime.engine, reference, "resolved", actor=agency, note=note)


def fill(runtime: Runtime) -> DemoResult:
    zone = ZoneInfo(runtime.settings.timezone)
    raws = list(demo_raws(runtime.context, demo_day(zone), zone))
    save_batch(runtime.engine, raws)
    stats = normalize_pending(runtime.engine, runtime_normalizer(runtime))
    run_triage(runtime, lambda: False)
    _move_along(runtime)
    overdue = run_escalate(runtime, lambda: False)
    with runtime.engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(complaints)).scalar_one()
    return DemoResult(len(raws), int(count), stats.quarantined, stats.ignored, overdue)


def demo_clerk() -> tuple[str, str] | None:
    """Write ./aduan.toml with a demo clerk when there is no config at all; (user, password)."""
    if CONFIG.exists():
        return None
    from aduan.desk.auth import hash_password

    password = secrets.token_urlsafe(9)
    CONFIG.write_text(
        "# Written by `aduan demo`: a clerk for the desk and dashboard on this machine.\n"
        "[desk.users.demo]\n"
        f'password_hash = "{hash_password(password)}"\n'
        'display_name = "Petugas Demo"\n'
    )
    return "demo", password
