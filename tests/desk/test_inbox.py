"""The inbox's one query builder on SQLite and PostgreSQL: scope, filters, search, pages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, update

from aduan.config.triage import CalendarSettings
from aduan.desk.access import Viewer
from aduan.desk.inbox import (
    PAGE_SIZE,
    DeadlineClock,
    InboxFilter,
    counts,
    parse_filter,
    rows,
)
from aduan.store.models import complaints
from tests.helpers.complaints import insert_complaint

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # Wednesday 10:00 WIB
CLOCK = DeadlineClock(CalendarSettings(), "Asia/Jakarta").at(NOW)
CLERK = Viewer("sari", "clerk")
OFFICER_SDA = Viewer("dewi", "officer", "sudin-sda")


def _seed(engine: Engine) -> None:
    day = timedelta(days=1)
    cases = [
        (
            "ADU-2026-000001",
            "sudin-sda",
            "drainage_flooding",
            "Saluran air tersumbat, banjir setinggi lutut di gang.",
            "triaged",
            NOW - day,
            "Tebet",
            "Manggarai",
            "sms",
        ),
        (
            "ADU-2026-000002",
            "sudin-sda",
            "drainage_flooding",
            "Got mampet dan berbau di depan sekolah.",
            "in_progress",
            NOW + 2 * day,
            "Tebet",
            "Bukit Duri",
            "email",
        ),
        (
            "ADU-2026-000003",
            "sudin-bina-marga",
            "street_lighting",
            "Lampunya mati sejak kemarin, jalan gelap.",
            "triaged",
            NOW + timedelta(hours=5),
            "Cilandak",
            "Cipete Selatan",
            "telegram",
        ),
        (
            "ADU-2026-000004",
            "sudin-bina-marga",
            "roads",
            "Jalan berlubang besar dekat halte, motor jatuh.",
            "resolved",
            NOW - 3 * day,
            "Cilandak",
            "Gandaria Selatan",
            "walkin",
        ),
        (
            "ADU-2026-000005",
            "sudin-sda",
            "drainage_flooding",
            "Banjir lagi di Jl. Kemang Raya, air masuk rumah.",
            "new",
            None,
            "Mampang Prapatan",
            "Bangka",
            "twitter",
        ),
    ]
    for ref, agency, category, text, status, due, kec, kel, channel in cases:
        insert_complaint(
            engine,
            reference=ref,
            agency=agency,
            category=category,
            text=text,
            original_text=text,
            status=status,
            due_at=due,
            kecamatan=kec,
            kelurahan=kel,
            channel=channel,
            received_at=datetime(2026, 11, 20 + int(ref[-1]), 1, 0, tzinfo=UTC),
        )


def _refs(engine: Engine, viewer: Viewer, wanted: InboxFilter) -> list[str]:
    with engine.connect() as conn:
        return [row.reference for row in rows(conn, viewer, wanted, CLOCK)]


def test_an_officer_sees_only_their_agency_in_list_counts_and_search(engine: Engine) -> None:
    _seed(engine)
    everything = _refs(engine, CLERK, InboxFilter())
    assert everything == [f"ADU-2026-00000{n}" for n in (4, 1, 3, 2, 5)]  # by deadline, none last
    assert _refs(engine, OFFICER_SDA, InboxFilter()) == [
        "ADU-2026-000001",
        "ADU-2026-000002",
        "ADU-2026-000005",
    ]
    for wanted in (
        InboxFilter(q="lampu"),
        InboxFilter(q="ADU-2026-000003"),
        InboxFilter(agency="sudin-bina-marga"),
        InboxFilter(category="street_lighting", status="triaged"),
        InboxFilter(page=2),
    ):
        assert _refs(engine, OFFICER_SDA, wanted) == []
    with engine.connect() as conn:
        mine = counts(conn, OFFICER_SDA, InboxFilter(), CLOCK)
        all_of_them = counts(conn, CLERK, InboxFilter(), CLOCK)
        searched = counts(conn, OFFICER_SDA, InboxFilter(q="jalan"), CLOCK)
    assert (mine.total, mine.late, mine.soon) == (3, 1, 0)
    assert sum(mine.status.values()) == 3
    assert (all_of_them.total, all_of_them.late, all_of_them.soon) == (5, 1, 1)
    assert all_of_them.status == {"triaged": 2, "in_progress": 1, "resolved": 1, "new": 1}
    assert searched.total == 0
    # A user without a role that sees cases, or an officer without an agency, sees nothing.
    assert _refs(engine, Viewer("admin", "admin"), InboxFilter()) == []
    assert _refs(engine, Viewer("x", "officer", None), InboxFilter()) == []


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        (InboxFilter(status="terbuka"), [1, 3, 2, 5]),
        (InboxFilter(status="resolved"), [4]),
        (InboxFilter(category="drainage_flooding"), [1, 2, 5]),
        (InboxFilter(kecamatan="Tebet"), [1, 2]),
        (InboxFilter(kelurahan="Bangka"), [5]),
        (InboxFilter(channel="telegram"), [3]),
        (InboxFilter(deadline="lewat"), [1]),
        (InboxFilter(deadline="segera"), [3]),
        (InboxFilter(since=date(2026, 11, 22), until=date(2026, 11, 23)), [3, 2]),
        (InboxFilter(agency="sudin-sda", status="terbuka", q="banjir"), [1, 5]),
    ],
)
def test_filters(engine: Engine, wanted: InboxFilter, expected: list[int]) -> None:
    _seed(engine)
    assert _refs(engine, CLERK, wanted) == [f"ADU-2026-00000{n}" for n in expected]
    with engine.connect() as conn:
        assert counts(conn, CLERK, wanted, CLOCK).total == len(expected)


def test_rows_say_late_and_due_soon(engine: Engine) -> None:
    _seed(engine)
    with engine.connect() as conn:
        states = {r.reference[-1]: r.state for r in rows(conn, CLERK, InboxFilter(), CLOCK)}
        by_status = counts(conn, CLERK, InboxFilter(status="triaged"), CLOCK)
    assert states == {"1": "lewat", "2": "", "3": "segera", "4": "", "5": ""}
    # Per status over every status; the rest within the chosen one.
    assert dict(by_status.status) == {"triaged": 2, "in_progress": 1, "resolved": 1, "new": 1}
    assert (by_status.total, by_status.late, by_status.soon) == (2, 1, 1)
    with engine.connect() as conn:
        late_only = counts(conn, CLERK, InboxFilter(deadline="lewat"), CLOCK)
        resolved = counts(conn, CLERK, InboxFilter(status="resolved"), CLOCK)
    assert (late_only.total, dict(late_only.status)) == (1, {"triaged": 1})
    assert (resolved.total, resolved.late, resolved.soon) == (1, 0, 0)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lampu", [3]),  # "Lampunya": the word with its suffix
        ("LAMPU mati", [3]),
        ("jalan berlubang", [4]),
        ("berlubang jalan", [4]),
        ("banjir", [1, 5]),
        ("banjir kemang", [5]),
        ('banjir" (kemang* -', [5]),  # query syntax is never passed through
        ("banjir OR kemang", []),  # every word must be there, "or" too
        ("got", [2]),
        ("tidak-ada-kata-ini", []),
        ("adu-2026-000002", [2]),
    ],
)
def test_search(engine: Engine, query: str, expected: list[int]) -> None:
    _seed(engine)
    assert _refs(engine, CLERK, InboxFilter(q=query)) == [f"ADU-2026-00000{n}" for n in expected]


@pytest.mark.only_on("postgresql")
def test_postgresql_search_stems_indonesian_affixes(engine: Engine) -> None:
    _seed(engine)
    assert _refs(engine, CLERK, InboxFilter(q="lubang")) == ["ADU-2026-000004"]  # berlubang
    assert _refs(engine, CLERK, InboxFilter(q="sumbat")) == ["ADU-2026-000001"]  # tersumbat


def test_search_follows_edited_and_deleted_text(engine: Engine) -> None:
    _seed(engine)
    with engine.begin() as conn:
        conn.execute(
            update(complaints)
            .where(complaints.c.reference == "ADU-2026-000002")
            .values(text="Pohon tumbang menutup jalan.")
        )
        conn.execute(complaints.delete().where(complaints.c.reference == "ADU-2026-000005"))
    assert _refs(engine, CLERK, InboxFilter(q="got")) == []
    assert _refs(engine, CLERK, InboxFilter(q="pohon tumbang")) == ["ADU-2026-000002"]
    assert _refs(engine, CLERK, InboxFilter(q="banjir")) == ["ADU-2026-000001"]


def test_pages(engine: Engine) -> None:
    for n in range(PAGE_SIZE * 2 + 7):
        insert_complaint(engine, agency="sudin-sda", due_at=NOW + timedelta(minutes=n))
    with engine.connect() as conn:
        first = rows(conn, CLERK, InboxFilter(), CLOCK)
        third = rows(conn, CLERK, InboxFilter(page=3), CLOCK)
        total = counts(conn, CLERK, InboxFilter(), CLOCK)
    assert len(first) == PAGE_SIZE and len(third) == 7
    assert (total.total, total.pages) == (PAGE_SIZE * 2 + 7, 3)
    dues = [r.due_at for r in first + third]
    assert dues == sorted(dues)  # type: ignore[type-var]


def test_bad_filter_values_are_named_and_dropped() -> None:
    wanted, errors = parse_filter(
        {
            "status": "semua';--",
            "tenggat": "besok",
            "dari": "2026-13-01",
            "sampai": "kemarin",
            "hal": "-1",
            "kanal": "<script>",
            "kecamatan": "Tebet",
            "q": "x" * 201,
        }
    )
    assert set(errors) == {"status", "tenggat", "dari", "sampai", "hal", "kanal", "q"}
    assert wanted == InboxFilter(kecamatan="Tebet")
    backwards, errors = parse_filter({"dari": "2026-12-02", "sampai": "2026-12-01"})
    assert "sampai" in errors and backwards.until is None
    good, errors = parse_filter({"status": "terbuka", "tenggat": "lewat", "hal": "2", "q": " x "})
    assert not errors and good == InboxFilter(status="terbuka", deadline="lewat", page=2, q="x")
    assert good.query(page=1) == {"status": "terbuka", "tenggat": "lewat", "q": "x"}


def test_due_soon_ends_with_the_next_working_day() -> None:
    clock = DeadlineClock(CalendarSettings(holiday_country=None), "Asia/Jakarta")
    friday = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)  # 15:00 WIB
    assert clock.at(friday).soon_until == datetime(2026, 12, 7, 17, 0, tzinfo=UTC)  # Tue 00:00
    holidays = DeadlineClock(CalendarSettings(holiday_country="ID"), "Asia/Jakarta")
    christmas_eve = datetime(2026, 12, 24, 3, 0, tzinfo=UTC)  # Thursday; 25th a holiday
    assert holidays.at(christmas_eve).soon_until > datetime(2026, 12, 27, tzinfo=UTC)


def test_counts_per_filter_value_within_the_other_filters_and_the_scope(engine: Engine) -> None:
    _seed(engine)
    with engine.connect() as conn:
        clerk = counts(conn, CLERK, InboxFilter(), CLOCK)
        tebet = counts(conn, CLERK, InboxFilter(kecamatan="Tebet", status="terbuka"), CLOCK)
        officer = counts(conn, OFFICER_SDA, InboxFilter(), CLOCK)
        sms = counts(conn, OFFICER_SDA, InboxFilter(channel="sms"), CLOCK)
        late = counts(conn, CLERK, InboxFilter(deadline="lewat"), CLOCK)
    assert clerk.by["agency"] == {"sudin-sda": 3, "sudin-bina-marga": 2}
    assert clerk.by["category"] == {"drainage_flooding": 3, "street_lighting": 1, "roads": 1}
    assert clerk.by["kecamatan"] == {"Tebet": 2, "Cilandak": 2, "Mampang Prapatan": 1}
    assert clerk.by["channel"] == {"sms": 1, "email": 1, "telegram": 1, "walkin": 1, "twitter": 1}
    assert "kelurahan" not in clerk.by  # counted only within a chosen kecamatan
    # Each dimension counts within the other filters, not its own (what choosing it gives).
    assert tebet.by["kecamatan"] == {"Tebet": 2, "Cilandak": 1, "Mampang Prapatan": 1}
    assert tebet.by["kelurahan"] == {"Manggarai": 1, "Bukit Duri": 1}
    assert tebet.by["agency"] == {"sudin-sda": 2}
    # An officer's counts stay within their agency, whatever the filter; no agency counts.
    assert "agency" not in officer.by
    assert officer.by["category"] == {"drainage_flooding": 3}
    assert officer.by["kecamatan"] == {"Tebet": 2, "Mampang Prapatan": 1}
    assert sms.by["channel"] == {"sms": 1, "email": 1, "twitter": 1}
    assert sms.by["kecamatan"] == {"Tebet": 1}
    assert late.by["agency"] == {"sudin-sda": 1}  # the deadline filter applies too
