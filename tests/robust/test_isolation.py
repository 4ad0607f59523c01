"""A batch that fails as a whole is taken again one raw at a time: only the culprit waits.

The culprit here claims a reference another complaint already has (what a kiosk
could once do): the batch's insert fails on the unique reference, the batch
rolls back, and each raw is normalized alone; the culprit is quarantined with
the exception's class, the others become complaints. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import Engine, select

from aduan.config.normalize import NormalizeSettings
from aduan.config.settings import LimitSettings
from aduan.daemon.normalize_job import claim_and_normalize, normalize_now
from aduan.normalize.pipeline import Normalizer
from aduan.normalize.readers import Readers
from aduan.store import save_batch
from aduan.store.models import complaints, raw_messages
from aduan.triage.writer import BatchTriage
from tests.normalize.conftest import raw


def _normalizer(tmp_path: Path) -> Normalizer:
    readers = Readers(limits=LimitSettings())
    return Normalizer(NormalizeSettings(), readers, triage=BatchTriage, data_dir=tmp_path)


def test_a_batch_failing_at_insert_quarantines_only_its_culprit(
    engine: Engine, tmp_path: Path
) -> None:
    normalizer = _normalizer(tmp_path)
    first = raw("a", "Lampu jalan mati di Gg. Mawar", "tel:+6281200070001")
    save_batch(engine, [first])
    claim_and_normalize(engine, normalizer, 100)
    with engine.connect() as conn:
        taken = conn.execute(select(complaints.c.reference)).scalar_one()
    culprit = raw(
        "b", "Sampah menumpuk di Jl. Kenanga", "tel:+6281200070002", meta={"reference": taken}
    )
    good = raw("c", "Saluran air mampet di RT 03", "tel:+6281200070003", minutes=1)
    save_batch(engine, [culprit, good])
    stats = claim_and_normalize(engine, normalizer, 100)
    assert (stats.created, stats.quarantined) == (1, 1)
    with engine.connect() as conn:
        rows = dict(
            conn.execute(
                select(raw_messages.c.external_id, raw_messages.c.error).where(
                    raw_messages.c.status == "quarantined"
                )
            ).all()
        )
        made = conn.execute(select(complaints.c.id)).all()
    assert list(rows) == ["b"]
    assert re.match(r"normalize: (IntegrityError|UniqueViolation): ", rows["b"]), rows["b"]
    assert len(made) == 2


def test_normalize_now_isolates_too(engine: Engine, tmp_path: Path) -> None:
    normalizer = _normalizer(tmp_path)
    saved = save_batch(engine, [raw("a", "Lampu jalan mati di Gg. Mawar", "tel:+6281200070001")])
    normalize_now(engine, normalizer, list(saved.new.values()))
    with engine.connect() as conn:
        taken = conn.execute(select(complaints.c.reference)).scalar_one()
    culprit = raw("b", "Sampah di Jl. Kenanga", "tel:+6281200070002", meta={"reference": taken})
    good = raw("c", "Saluran air mampet di RT 03", "tel:+6281200070003", minutes=1)
    ids = list(save_batch(engine, [culprit, good]).new.values())
    stats = normalize_now(engine, normalizer, ids)
    assert (stats.created, stats.quarantined) == (1, 1)
