"""Driver-level bulk writes store exactly what SQLAlchemy Core would store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import Engine, select

from aduan.store.bulk import insert_rows, update_rows
from aduan.store.models import TriageDecision, complaints, raw_messages
from aduan.store.raw import insert_raws
from tests.store.test_raw import raw

triage_table = TriageDecision.__table__  # type: ignore[attr-defined]
JAKARTA = timezone(timedelta(hours=7))


def _complaint(cid: int, at: datetime) -> dict[str, object]:
    return {
        "id": cid,
        "reference": f"ADU-2026-{cid:06d}",
        "channel": "sms",
        "account": "main",
        "text": "Lampu mati",
        "original_text": "lampu mati",
        "received_at": at,
        "created_at": at,
        "updated_at": at,
        "status": "new",
        "extra": {"gateway": "kannel"} if cid % 2 else {},
    }


def test_insert_rows_matches_core(engine: Engine) -> None:
    at = datetime(2026, 3, 1, 8, 30, 0, tzinfo=JAKARTA)
    with engine.begin() as conn:
        conn.execute(complaints.insert(), [_complaint(1, at)])
        insert_rows(conn, complaints, [_complaint(2, at), _complaint(3, at)])
    with engine.connect() as conn:
        rows = conn.execute(select(complaints).order_by(complaints.c.id)).mappings().all()
        # Both paths compare alike in SQL, on the stored text itself.
        same_time = conn.execute(
            select(complaints.c.id).where(complaints.c.received_at == at)
        ).all()
    core, *bulk = rows
    for row in bulk:
        for column in ("received_at", "created_at", "match_text", "source_count", "overdue"):
            assert row[column] == core[column], column
    assert core["received_at"] == datetime(2026, 3, 1, 1, 30, tzinfo=UTC)
    assert core["source_count"] == 1 and core["overdue"] is False  # defaults filled in
    assert bulk[0]["extra"] == {} and bulk[1]["extra"] == {"gateway": "kannel"}
    assert len(same_time) == 3


def test_insert_json_lists_and_update_rows(engine: Engine) -> None:
    at = datetime(2026, 3, 1, 1, 30, 0, 123456, tzinfo=UTC)
    with engine.begin() as conn:
        insert_rows(conn, complaints, [_complaint(1, at)])
        insert_rows(
            conn,
            triage_table,
            [
                {
                    "complaint_id": 1,
                    "at": at,
                    "category": "street_light",
                    "agency": None,
                    "priority": "normal",
                    "track": "normal",
                    "due_at": None,
                    "source": "rules",
                    "score": 2.5,
                    "rules": ["street_light:pju", "street_light:lampu"],
                    "actor": "normalizer",
                    "changes": {},
                }
            ],
        )
        new = insert_raws(conn, [raw("r1"), raw("r2")])
        later = at + timedelta(minutes=5)
        update_rows(
            conn,
            raw_messages,
            [
                {"id": rid, "status": "normalized", "normalized_at": later, "complaint_id": 1}
                for rid in new.new.values()
            ],
            increment=("attempts",),
        )
        update_rows(conn, complaints, [{"id": 1, "source_count": 2, "updated_at": later}])
    with engine.connect() as conn:
        decision = conn.execute(select(triage_table)).mappings().one()
        raws = conn.execute(select(raw_messages)).mappings().all()
        complaint = conn.execute(select(complaints)).mappings().one()
    assert decision["rules"] == ["street_light:pju", "street_light:lampu"]
    assert decision["at"] == at and decision["due_at"] is None
    assert [(r["status"], r["attempts"], r["complaint_id"]) for r in raws] == [
        ("normalized", 1, 1),
        ("normalized", 1, 1),
    ]
    assert all(r["normalized_at"] == later for r in raws)
    assert complaint["source_count"] == 2 and complaint["updated_at"] == later
