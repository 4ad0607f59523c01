"""The normalize job: claim pending raw messages in batches and turn them into complaints.

Each batch is one transaction: the claim (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so several replicas never normalize one raw twice; on SQLite the
``BEGIN IMMEDIATE`` write lock already serialises), the complaints, and the
raws marked ``normalized``/``ignored``/``quarantined``. A crash rolls the
whole batch back and it is claimed again.

:func:`normalize_now` normalizes given raw ids at once (the walk-in desk, tests).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError

from aduan.config.normalize import NormalizeSettings
from aduan.config.places import PlacesSettings
from aduan.core import heap
from aduan.core.errors import StoreUnavailable
from aduan.core.logs import get_logger
from aduan.normalize.pipeline import Normalizer
from aduan.normalize.readers import Readers
from aduan.normalize.reading import RAW_COLUMNS, load_raws, to_stored
from aduan.normalize.rows import Stats
from aduan.normalize.triaging import TriageFactory
from aduan.store.keys import nik_key
from aduan.store.models import raw_messages
from aduan.triage.writer import BatchTriage

if TYPE_CHECKING:
    from aduan.runtime import Runtime

log = get_logger("aduan.normalize")

_NORMALIZERS: dict[int, Normalizer] = {}
_LOCK = threading.Lock()


def normalizer_for(
    engine: Engine,
    settings: NormalizeSettings,
    readers: Readers,
    *,
    triage: TriageFactory | None = None,
    data_dir: Path | None = None,
    places: PlacesSettings | None = None,
) -> Normalizer:
    """The long-lived normalizer of this engine (its window survives between batches)."""
    with _LOCK:
        found = _NORMALIZERS.get(id(engine))
        if found is None:
            found = Normalizer(settings, readers, triage=triage, data_dir=data_dir, places=places)
            _NORMALIZERS[id(engine)] = found
        return found


def claim_and_normalize(engine: Engine, normalizer: Normalizer, limit: int) -> Stats:
    """One batch of pending raws, claimed and normalized in one transaction."""
    try:
        with engine.begin() as conn:
            query = (
                select(*RAW_COLUMNS)
                .where(raw_messages.c.status == "pending")
                .order_by(raw_messages.c.id)
                .limit(limit)
            )
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            batch = [to_stored(r) for r in conn.execute(query).all()]
            return normalizer.process(conn, batch)
    except OperationalError as exc:
        normalizer.forget()
        raise StoreUnavailable(
            f"store unavailable: {str(exc.orig or exc).splitlines()[0]}"
        ) from exc
    except BaseException:
        normalizer.forget()
        raise


def normalize_pending(
    engine: Engine,
    normalizer: Normalizer,
    *,
    batch_size: int = 1000,
    should_stop: Callable[[], bool] = lambda: False,
) -> Stats:
    """Normalize every pending raw message, batch after batch."""
    total = Stats()
    while not should_stop():
        stats = claim_and_normalize(engine, normalizer, batch_size)
        total.add(stats)
        if sum(stats.by_channel.values()) + stats.quarantined + stats.ignored == 0:
            break
        heap.settle()
    return total


def normalize_now(engine: Engine, normalizer: Normalizer, raw_ids: Sequence[int]) -> Stats:
    """Normalize these raw messages now, whatever their status, in one transaction."""
    try:
        with engine.begin() as conn:
            return normalizer.process(conn, load_raws(conn, raw_ids))
    except BaseException:
        normalizer.forget()
        raise


def runtime_normalizer(runtime: Runtime) -> Normalizer:
    """The daemon's normalizer: the runtime's channels read, the rules in force triage.

    The daemon's job adapters sit above triage, so this is where the one writer of
    triage results is handed to the normalizer (which only knows the port)."""
    settings = runtime.settings
    key = settings.nik_hash_key.get_secret_value() if settings.nik_hash_key else None
    readers = Readers(runtime.channels, data_dir=settings.data_dir)
    normalizer = normalizer_for(
        runtime.engine,
        settings.normalize,
        readers,
        triage=BatchTriage,
        data_dir=settings.data_dir,
        places=settings.places,
    )
    normalizer.nik_key = nik_key(runtime.engine, key)
    return normalizer


def run_normalize(runtime: Runtime, should_stop: Callable[[], bool]) -> Stats:
    stats = normalize_pending(
        runtime.engine,
        runtime_normalizer(runtime),
        batch_size=runtime.settings.normalize.batch_size,
        should_stop=should_stop,
    )
    if stats.created or stats.attached or stats.quarantined:
        log.info("normalized", **stats.as_dict())
    return stats
