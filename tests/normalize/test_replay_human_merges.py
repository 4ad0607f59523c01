"""A clerk's split and "mark as duplicate" survive ``aduan replay`` (SQLite and PostgreSQL).

DESIGN.md: a human's decision stands. A source split off into its own case
keeps its case (its raw row carries the new ``complaint_id``, so a replay
refreshes that case from it and never places it again); a case marked as a
duplicate stays one, naming the kept case; and a later message that replies
to the split source reaches the split case, not the one it was taken from.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from aduan.normalize.replay import Slice, replay
from aduan.store.casework import mark_duplicate, split_source
from aduan.store.models import complaint_sources, complaints, raw_messages
from tests.normalize.conftest import Run, raw, replay_normalizer

LAMP = "Lampu PJU mati di Gg. Kenanga RT 03, gelap sekali sejak Senin malam"
DRAIN = "Got mampet di Jl. Melati RT 05, air meluap tiap hujan deras"
SENDER = "tel:+6281200011111"


def case(engine: Engine, reference: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(select(complaints).where(complaints.c.reference == reference)).one()


def case_of_raw(engine: Engine, external_id: str) -> Any:
    with engine.connect() as conn:
        cid = conn.execute(
            select(raw_messages.c.complaint_id).where(raw_messages.c.external_id == external_id)
        ).scalar_one()
        return conn.execute(select(complaints).where(complaints.c.id == cid)).one()


def sources_of(engine: Engine, complaint_id: int) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        found = conn.execute(
            select(complaint_sources.c.raw_message_id, complaint_sources.c.role)
            .where(complaint_sources.c.complaint_id == complaint_id)
            .order_by(complaint_sources.c.raw_message_id)
        )
        return [(int(r.raw_message_id), str(r.role)) for r in found]


def test_a_split_source_stays_split_through_a_replay(engine: Engine, normalize: Run) -> None:
    stats = normalize(raw("1", LAMP, SENDER), raw("2", LAMP + " ", SENDER, minutes=3))
    assert stats.created == 1 and stats.attached == 1  # joined: the same complaint
    old = case_of_raw(engine, "1")
    (_, (resend_raw, role)) = sources_of(engine, old.id)
    assert role == "resend"
    made = split_source(engine, old.reference, _source_id(engine, resend_raw), actor="sari")

    for _ in range(2):  # a replay, and a second one, give the same store
        replay(engine, replay_normalizer(), Slice())
        assert case_of_raw(engine, "2").reference == made.reference
        assert case_of_raw(engine, "1").reference == old.reference
        assert sources_of(engine, old.id) == [sources_of(engine, old.id)[0]]
        assert sources_of(engine, made.complaint_id) == [(resend_raw, "first")]
        kept, split = case(engine, old.reference), case(engine, made.reference)
        assert kept.source_count == 1 and split.source_count == 1
        assert split.extra["split_from"] == old.reference
        assert split.text.strip() == LAMP

    # A reply to the split message reaches the split case, not the one it left.
    normalize(raw("3", "Sudah dicek belum, Pak?", SENDER, minutes=10, refs=("2",)))
    assert case_of_raw(engine, "3").reference == made.reference


def test_a_case_marked_duplicate_stays_one_through_a_replay(engine: Engine, normalize: Run) -> None:
    normalize(
        raw("a", DRAIN, "tel:+6281200022222"),
        raw("b", "Saluran di Jl. Melati mampet, banjir tiap hujan", "tel:+6281200033333"),
    )
    first, second = case_of_raw(engine, "a"), case_of_raw(engine, "b")
    assert first.id != second.id
    mark_duplicate(engine, second.reference, first.reference, actor="sari")
    stats = replay(engine, replay_normalizer(), Slice())
    assert stats.created == 0
    after = case(engine, second.reference)
    assert after.status == "duplicate"
    assert after.extra["duplicate_of"] == first.reference
    assert case(engine, first.reference).status != "duplicate"
    assert case_of_raw(engine, "b").id == second.id


def _source_id(engine: Engine, raw_message_id: int) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(complaint_sources.c.id).where(
                    complaint_sources.c.raw_message_id == raw_message_id
                )
            ).scalar_one()
        )
