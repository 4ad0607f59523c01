"""The analysts' views on both databases: names, columns, values, and the README table."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import Engine, select, text

from aduan.analytics.views import VIEWS, v_complaint_sources, v_complaints, v_daily_channel
from tests.analytics import dataset
from tests.analytics.seed import utc

README = Path(__file__).parents[2] / "README.md"


def test_views_have_the_documented_columns(engine: Engine) -> None:
    with engine.connect() as conn:
        for view in VIEWS:
            result = conn.execute(text(f"SELECT * FROM {view.name} WHERE 1 = 0"))
            assert list(result.keys()) == [c.name for c in view.columns], view.name


def test_readme_documents_every_view_column() -> None:
    readme = README.read_text()
    section = readme[readme.index("## Analysts") :]
    for view in VIEWS:
        start = section.index(f"`{view.name}`")
        table = section[start : section.index("\n\n", section.index("| ---", start))]
        documented = re.findall(r"^\| `(\w+)` \|", table, flags=re.M)
        assert documented == [c.name for c in view.columns], view.name


def test_one_row_per_complaint(engine: Engine) -> None:
    dataset.seed(engine)
    with engine.connect() as conn:
        rows = {r.reference: r for r in conn.execute(select(v_complaints))}
    assert len(rows) == 7
    a = rows[dataset.ref("A")]
    assert (a.channel, a.account, a.reporter_key) == ("sms", "main", "r-budi")
    assert (a.category, a.agency, a.priority, a.track) == (
        "lampu",
        "dinas-bina-marga",
        "normal",
        "field",
    )
    assert a.received_at == utc("2026-11-02 01:00")
    assert a.due_at == utc("2026-11-05 01:00")
    assert a.resolved_at == utc("2026-11-03 01:00")
    assert (a.overdue, a.resolved_in_time) == (0, 1)
    assert a.incident_reference == "INC-2026-000001" and a.incident_id is not None
    assert (a.kecamatan, a.kelurahan, a.source_count) == ("Kebayoran Baru", "Gandaria Utara", 2)
    # overdue: marked by escalation (G) or open past due_at now (C); not F (due 2099),
    # not D (no due_at), not B (resolved, late: resolved_in_time 0).
    letter = {dataset.ref(x): x for x in "ABCDEFG"}
    flags = {letter[r.reference]: (r.overdue, r.resolved_in_time) for r in rows.values()}
    assert flags == {
        "A": (0, 1),
        "B": (0, 0),
        "C": (1, 0),
        "D": (0, 0),
        "E": (0, 1),
        "F": (0, 0),
        "G": (1, 0),
    }
    assert rows[dataset.ref("C")].reporter_key is None


def test_no_personal_data_in_the_complaints_view(engine: Engine) -> None:
    dataset.seed(engine)
    with engine.connect() as conn:
        values = [str(v) for row in conn.execute(select(v_complaints)) for v in row]
    assert not any("Hartono" in v or "62812" in v for v in values)


def test_one_row_per_source_message(engine: Engine) -> None:
    dataset.seed(engine)
    with engine.connect() as conn:
        rows = conn.execute(
            select(v_complaint_sources).order_by(v_complaint_sources.c.external_id)
        ).all()
    assert len(rows) == 8
    first, resend = rows[0], rows[1]
    assert (first.complaint_reference, first.channel, first.external_id, first.role) == (
        dataset.ref("A"),
        "sms",
        "A-1",
        "first",
    )
    assert (resend.complaint_reference, resend.channel, resend.role, resend.raw_status) == (
        dataset.ref("A"),
        "telegram",
        "resend",
        "normalized",
    )
    assert resend.received_at == utc("2026-11-02 02:00") and resend.raw_id is not None


def test_daily_channel_counts(engine: Engine) -> None:
    dataset.seed(engine)
    with engine.connect() as conn:
        rows = {
            (r.day, r.channel): (r.complaints, r.overdue, r.resolved, r.resolved_in_time)
            for r in conn.execute(select(v_daily_channel))
        }
    # UTC days: A and B both on 11-02 (B is 11-03 in Jakarta, see aduan stats --by day).
    assert rows[("2026-11-02", "sms")] == (2, 0, 2, 1)
    assert rows[("2026-11-03", "email")] == (1, 1, 0, 0)
    assert rows[("2026-11-10", "twitter")] == (2, 0, 1, 1)
    assert sum(v[0] for v in rows.values()) == 7
