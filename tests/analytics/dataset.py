"""Seven complaints over two weeks of November 2026 with known figures.

Times are UTC; the office is Asia/Jakarta (UTC+7), so B, received on
Monday 2 November at 20:00 UTC, belongs to Tuesday 3 November locally.

| ref | channel | category | received    | due         | resolved         | outcome        |
| A   | sms     | lampu    | 11-02 01:00 | 11-05 01:00 | 11-03 01:00 24 h | met            |
| B   | sms     | lampu    | 11-02 20:00 | 11-06 01:00 | 11-07 20:00 120 h| missed         |
| C   | email   | banjir   | 11-03 05:00 | 11-06 05:00 | -                | open, overdue  |
| G   | sms     | lampu    | 11-04 01:00 | 11-07 01:00 | -                | marked overdue |
| D   | email   | -        | 11-09 02:00 | -           | -                | untriaged      |
| E   | twitter | banjir   | 11-10 03:00 | 11-13 03:00 | 11-10 09:00 6 h  | met            |
| F   | twitter | banjir   | 11-10 04:00 | 2099        | -                | not yet due    |
"""

from __future__ import annotations

from sqlalchemy import Engine

from tests.analytics.seed import add_complaint, add_incident, add_reporter, add_source, utc

AGENCY = {"lampu": "dinas-bina-marga", "banjir": "dinas-sda", None: None}
ROWS = [
    ("A", "sms", "lampu", "2026-11-02 01:00", "2026-11-05 01:00", "2026-11-03 01:00", False),
    ("B", "sms", "lampu", "2026-11-02 20:00", "2026-11-06 01:00", "2026-11-07 20:00", False),
    ("C", "email", "banjir", "2026-11-03 05:00", "2026-11-06 05:00", None, False),
    ("G", "sms", "lampu", "2026-11-04 01:00", "2026-11-07 01:00", None, True),
    ("D", "email", None, "2026-11-09 02:00", None, None, False),
    ("E", "twitter", "banjir", "2026-11-10 03:00", "2026-11-13 03:00", "2026-11-10 09:00", False),
    ("F", "twitter", "banjir", "2026-11-10 04:00", "2099-01-01 00:00", None, False),
]


def ref(letter: str) -> str:
    return f"ADU-2026-00000{'ABCDEFG'.index(letter) + 1}"


def seed(engine: Engine) -> None:
    with engine.begin() as conn:
        budi = add_reporter(conn, "r-budi", "Budi Hartono", "tel:+6281200019999")
        incident = add_incident(conn, "INC-2026-000001", utc("2026-11-02 01:00"))
        for letter, channel, category, received, due, resolved, overdue in ROWS:
            received_at = utc(received)
            cid = add_complaint(
                conn,
                ref(letter),
                channel,
                received_at,
                reporter_id=budi if letter in "AB" else None,
                category=category,
                agency=AGENCY[category],
                priority="normal" if category else None,
                track="field" if category else None,
                due_at=utc(due) if due else None,
                resolved_at=utc(resolved) if resolved else None,
                status="resolved" if resolved else "new",
                overdue=overdue,
                incident_id=incident if letter in "AB" else None,
                kecamatan="Kebayoran Baru" if letter == "A" else None,
                kelurahan="Gandaria Utara" if letter == "A" else None,
                source_count=2 if letter == "A" else 1,
            )
            add_source(conn, cid, channel, f"{letter}-1", received_at)
            if letter == "A":
                add_source(conn, cid, "telegram", "A-2", utc("2026-11-02 02:00"), role="resend")
