"""The normalize job: claim pending raw messages in batches and turn them into complaints.

Each batch is one transaction: the claim (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so several replicas never normalize one raw twice; on SQLite the
``BEGIN IMMEDIATE`` write lock already serialises), the complaints, and the
raws marked ``normalized``/``ignored``/``quarantined``. The daemon's batches
are sized to hold the store about ``transaction_ms`` (:mod:`.slices`), and on
SQLite each waits its turn behind the webhook sink's next commit
(:mod:`aduan.store.turns`): webhooks wait for one short batch at most, never
for a backlog.

No raw can hold the queue: when a batch fails for any reason but an
unreachable store (a reader or the triage raising, a reference already
taken at insert), the batch is rolled back and its raws are taken again one
per transaction; the one that fails alone is quarantined with its exception's
class and first line (never the payload) and the others go on.

:func:`normalize_now` normalizes given raw ids at once (the walk-in desk, tests).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import OperationalError

from aduan.config.normalize import NormalizeSettings
from aduan.config.places import PlacesSettings
from aduan.core import heap
from aduan.core.clock import utcnow
from aduan.core.errors import StoreUnavailable
from aduan.core.logs import get_logger
from aduan.daemon.slices import Slices
from aduan.normalize.pipeline import Normalizer
from aduan.normalize.readers import Readers
from aduan.normalize.reading import RAW_COLUMNS, load_raws, to_stored
from aduan.normalize.rows import Stats, failure
from aduan.normalize.triaging import TriageFactory
from aduan.runtime import metrics
from aduan.store.keys import nik_key
from aduan.store.models import raw_messages
from aduan.store.turns import turns_for
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


def claim_and_normalize(
    engine: Engine, normalizer: Normalizer, limit: int, *, slices: Slices | None = None
) -> Stats:
    """One batch of pending raws, claimed and normalized in one transaction; with
    ``slices``, timed by it and placing no message past its time.

    A batch that fails is normalized again one raw at a time (:func:`isolate`).
    """
    try:
        return _claim_and_process(engine, normalizer, limit, None, slices)
    except StoreUnavailable:
        raise
    except Exception as exc:
        log.warning("normalize_batch_failed", error=type(exc).__name__, isolating=True)
        return isolate(engine, normalizer, limit)


def _claim_and_process(
    engine: Engine,
    normalizer: Normalizer,
    limit: int,
    raw_id: int | None,
    slices: Slices | None = None,
) -> Stats:
    with turns_for(engine).background(), _forgetting(normalizer), engine.begin() as conn:
        until = slices.begin() if slices is not None else None
        query = (
            select(*RAW_COLUMNS)
            .where(raw_messages.c.status == "pending")
            .order_by(raw_messages.c.id)
            .limit(limit)
        )
        if raw_id is not None:
            query = query.where(raw_messages.c.id == raw_id)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        batch = [to_stored(r) for r in conn.execute(query).all()]
        return normalizer.process(conn, batch, until=until)


@contextmanager
def _forgetting(normalizer: Normalizer | None) -> Iterator[None]:
    """Drop the normalizer's caches when the transaction fails; an unreachable store is
    StoreUnavailable (the job waits), anything else goes up as it is."""
    try:
        yield
    except OperationalError as exc:
        if normalizer is not None:
            normalizer.forget()
        raise StoreUnavailable(
            f"store unavailable: {str(exc.orig or exc).splitlines()[0]}"
        ) from exc
    except BaseException:
        if normalizer is not None:
            normalizer.forget()
        raise


def isolate(engine: Engine, normalizer: Normalizer, limit: int) -> Stats:
    """The first ``limit`` pending raws, each in its own transaction; quarantine those that fail."""
    with engine.connect() as conn:
        ids = conn.scalars(
            select(raw_messages.c.id)
            .where(raw_messages.c.status == "pending")
            .order_by(raw_messages.c.id)
            .limit(limit)
        ).all()
    return one_at_a_time(engine, normalizer, ids, pending=True)


def one_at_a_time(
    engine: Engine, normalizer: Normalizer, raw_ids: Sequence[int], *, pending: bool
) -> Stats:
    """Each raw in its own transaction (only if still pending, with ``pending``); the one
    that fails alone is quarantined."""
    total = Stats()
    for raw_id in raw_ids:
        try:
            if pending:
                total.add(_claim_and_process(engine, normalizer, 1, raw_id))
            else:
                total.add(_process_ids(engine, normalizer, [raw_id]))
        except StoreUnavailable:
            raise
        except Exception as exc:
            error = failure("normalize", exc)
            total.add(quarantine_raw(engine, raw_id, error, only_pending=pending))
    return total


def quarantine_raw(engine: Engine, raw_id: int, error: str, *, only_pending: bool = True) -> Stats:
    """Set one raw ``quarantined`` with ``error``; the Stats say whether it was."""
    stats = Stats()
    with _forgetting(None), engine.begin() as conn:
        cond = [raw_messages.c.id == raw_id]
        if only_pending:
            cond.append(raw_messages.c.status == "pending")
        else:  # a raw that fed a complaint keeps its place
            cond.append(raw_messages.c.complaint_id.is_(None))
        row = conn.execute(
            select(raw_messages.c.channel, raw_messages.c.account).where(*cond)
        ).first()
        if row is None:
            return stats
        conn.execute(
            update(raw_messages)
            .where(*cond)
            .values(
                status="quarantined",
                error=error,
                normalized_at=utcnow(),
                attempts=raw_messages.c.attempts + 1,
            )
        )
    key = f"{row.channel}/{row.account}"
    log.warning("raw_quarantined", raw_id=raw_id, channel=key, error=error.split(":")[1].strip())
    stats.quarantined = 1
    stats.quarantined_by_channel[key] = 1
    return stats


def normalize_pending(
    engine: Engine,
    normalizer: Normalizer,
    *,
    batch_size: int = 1000,
    transaction_seconds: float | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> Stats:
    """Normalize every pending raw message, batch after batch.

    ``transaction_seconds``: each batch is sized (up to ``batch_size``) so that its
    transaction holds the store about that long, and places no message after that time
    (the rest stay pending for the next batch) (:class:`~aduan.daemon.slices.Slices`);
    None: batches of ``batch_size``. The heap is settled once per ``batch_size`` rows
    and at the end, whatever the batches' size (:func:`aduan.core.heap.settle`).
    """
    total = Stats()
    slices = Slices(transaction_seconds, batch_size) if transaction_seconds else None
    unsettled = 0
    while not should_stop():
        size = slices.size if slices else batch_size
        stats = claim_and_normalize(engine, normalizer, size, slices=slices)
        taken = _taken(stats)
        if slices is not None:
            slices.end(taken)
        total.add(stats)
        unsettled += taken
        if taken == 0:
            break
        if unsettled >= batch_size:
            heap.settle()
            unsettled = 0
    if unsettled:
        heap.settle()
    return total


def _taken(stats: Stats) -> int:
    """Raws a batch took out of the pending queue (normalized, ignored, quarantined, or
    set waiting for the other parts of a split SMS)."""
    return sum(stats.by_channel.values()) + stats.quarantined + stats.ignored + stats.waiting


def normalize_now(engine: Engine, normalizer: Normalizer, raw_ids: Sequence[int]) -> Stats:
    """Normalize these raw messages now, whatever their status, in one transaction.

    When that fails, each is normalized alone and the one that fails alone is
    quarantined (unless it already fed a complaint), as in :func:`isolate`.
    """
    try:
        return _process_ids(engine, normalizer, raw_ids)
    except StoreUnavailable:
        raise
    except Exception as exc:
        log.warning("normalize_batch_failed", error=type(exc).__name__, isolating=True)
    return one_at_a_time(engine, normalizer, raw_ids, pending=False)


def _process_ids(engine: Engine, normalizer: Normalizer, raw_ids: Sequence[int]) -> Stats:
    with _forgetting(normalizer), engine.begin() as conn:
        return normalizer.process(conn, load_raws(conn, raw_ids))


def runtime_normalizer(runtime: Runtime) -> Normalizer:
    """The daemon's normalizer: the runtime's channels read, the rules in force triage.

    The daemon's job adapters sit above triage, so this is where the one writer of
    triage results is handed to the normalizer (which only knows the port)."""
    settings = runtime.settings
    key = settings.nik_hash_key.get_secret_value() if settings.nik_hash_key else None
    readers = Readers(runtime.channels, data_dir=settings.data_dir, limits=settings.limits)
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
        transaction_seconds=runtime.settings.normalize.transaction_ms / 1000,
        should_stop=should_stop,
    )
    count(stats)
    if stats.created or stats.attached or stats.quarantined or stats.edited:
        log.info("normalized", **{k: v for k, v in stats.as_dict().items() if v})
    return stats


def count(stats: Stats) -> None:
    """Add one run's figures to the documented counters."""
    metrics.normalized(stats.created, "complaint")
    metrics.normalized(stats.attached, "source")
    metrics.normalized(stats.edited, "edit")
    metrics.normalized(stats.ignored, "ignored")
    metrics.normalized(stats.quarantined, "quarantined")
    for key, n in stats.quarantined_by_channel.items():
        metrics.quarantined(key, n)
    for source, n in stats.triaged_by_source.items():
        metrics.triaged(n, source)
