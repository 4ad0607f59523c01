"""A replay and the triage it finds (SQLite and PostgreSQL): a human's decision stands.

``aduan replay`` refreshes a complaint's triage from its first source; it goes
through the same guarded writer as re-triage, so a clerk's category, agency,
priority and track survive it, the decision history stays as it was, and
what the replay did is counted and, where it changed something, recorded.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select, update

from aduan.core.messages import RawMessage
from aduan.daemon.normalize_job import normalize_pending
from aduan.normalize.pipeline import Stats
from aduan.normalize.replay import Slice, replay
from aduan.store import save_batch
from aduan.store.models import complaints
from aduan.triage import configure
from aduan.triage.apply import set_manual, triage_decisions
from tests.normalize.conftest import Run, raw, replay_normalizer

LAMP = "Lampu PJU mati di Gg. Kenanga RT 03, gelap sekali"
DRAIN = "Got mampet di Jl. Melati, air meluap tiap hujan"


@pytest.fixture(autouse=True)
def _packaged_rules() -> None:
    configure()


@pytest.fixture
def normalize(engine: Engine) -> Run:
    normalizer = replay_normalizer()

    def run(*raws: RawMessage) -> Stats:
        save_batch(engine, list(raws))
        return normalize_pending(engine, normalizer, batch_size=50)

    return run


def complaint(engine: Engine, text: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(select(complaints).where(complaints.c.original_text == text)).one()


def history(engine: Engine, complaint_id: int) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(triage_decisions)
            .where(triage_decisions.c.complaint_id == complaint_id)
            .order_by(triage_decisions.c.id)
        ).all()
    return [(r.source, r.actor, r.category, r.agency, r.priority, r.track, r.changes) for r in rows]


def test_replay_keeps_a_manual_decision_and_records_what_it_changed(
    engine: Engine, normalize: Run
) -> None:
    stats = normalize(
        raw("lamp", LAMP, "tel:+6281200011111"),
        raw("drain", DRAIN, "tel:+6281200022222", minutes=3),
    )
    assert stats.created == 2
    lamp = complaint(engine, LAMP)
    assert lamp.category == "street_lighting"
    set_manual(engine, lamp.reference, category="waste", priority="high", actor="petugas-1")
    manual = complaint(engine, LAMP)
    kept = history(engine, manual.id)
    assert kept[-1][:2] == ("manual", "petugas-1")
    drain = complaint(engine, DRAIN)
    assert drain.category == "drainage_flooding" and drain.triage_source == "rules"
    with engine.begin() as conn:  # as if older rules had routed it elsewhere
        conn.execute(
            update(complaints)
            .where(complaints.c.id == drain.id)
            .values(category="roads", agency="sudin-bina-marga")
        )
    before_drain = history(engine, drain.id)

    dry = replay(engine, replay_normalizer(), Slice(), dry_run=True)
    assert complaint(engine, DRAIN).category == "roads"  # the dry run wrote nothing

    stats = replay(engine, replay_normalizer(), Slice())
    after = complaint(engine, LAMP)
    assert (after.category, after.agency, after.priority, after.track) == (
        manual.category,
        manual.agency,
        manual.priority,
        manual.track,
    )
    assert after.triage_source == "manual"
    assert history(engine, manual.id) == kept  # the clerk's decision is still the last word
    assert stats.created == 0 and (stats.refreshed, stats.manual_kept) == (1, 1)
    assert (dry.refreshed, dry.manual_kept) == (1, 1)

    refreshed = complaint(engine, DRAIN)
    assert (refreshed.category, refreshed.agency) == ("drainage_flooding", drain.agency)
    record = history(engine, drain.id)
    assert record[: len(before_drain)] == before_drain and len(record) == len(before_drain) + 1
    source, actor, category, *_rest, changes = record[-1]
    assert (source, actor, category) == ("rules", "replay", "drainage_flooding")
    assert changes["category"] == {"from": "roads", "to": "drainage_flooding"}
    assert changes["agency"] == {"from": "sudin-bina-marga", "to": drain.agency}

    again = replay(engine, replay_normalizer(), Slice())
    assert (again.refreshed, again.manual_kept, again.unchanged) == (0, 1, 2)
    assert len(history(engine, drain.id)) == len(record)
