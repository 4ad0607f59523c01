"""The daemon's periodic jobs, listed here and nowhere else.

Each job is ``run(runtime, should_stop)`` every ``seconds(runtime)`` seconds;
the adapters that run them live beside this module (:mod:`.normalize_job`,
:mod:`.triage_jobs`, :mod:`.media_job`, :mod:`.outbox_job`) or with the part they
drain (:func:`aduan.web.spool.drain_job`,
:func:`aduan.store.statistics.refresh_statistics`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aduan.daemon.media_job import run_media
from aduan.daemon.normalize_job import run_normalize
from aduan.daemon.outbox_job import run_outbox
from aduan.daemon.triage_jobs import run_escalate, run_retrain, run_triage
from aduan.store.statistics import refresh_statistics
from aduan.web.spool import drain_job

if TYPE_CHECKING:
    from aduan.runtime import Runtime


@dataclass(frozen=True)
class PeriodicJob:
    """A pipeline job: ``run(runtime, should_stop)`` every ``seconds(settings)`` seconds.

    ``singleton`` jobs (escalation, reports) run on one replica at a time: like a
    pull channel, the job takes the lease ``job/<name>`` first. Jobs that claim
    rows with ``FOR UPDATE SKIP LOCKED`` (normalize, triage) need no lease.
    """

    name: str
    seconds: Callable[[Runtime], float]
    run: Callable[[Runtime, Callable[[], bool]], object]
    singleton: bool = False


PERIODIC_JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob("normalize", lambda rt: rt.settings.scheduler.normalize_seconds, run_normalize),
    PeriodicJob("spool-drain", lambda _rt: 2.0, drain_job),
    # Files the provider keeps (WhatsApp media ids, Instagram URLs): one replica fetches.
    PeriodicJob("media", lambda rt: rt.settings.scheduler.media_seconds, run_media, True),
    # One replica at a time: overdue marks and re-triage must not be recorded twice.
    PeriodicJob("triage", lambda rt: rt.settings.scheduler.triage_seconds, run_triage, True),
    PeriodicJob("escalate", lambda rt: rt.settings.scheduler.escalate_seconds, run_escalate, True),
    # One replica fits the model; every process picks the new file up by its mtime.
    PeriodicJob(
        "triage-retrain",
        lambda rt: rt.settings.triage.model.retrain_check_seconds,
        run_retrain,
        True,
    ),
    # No lease: rows are claimed FOR UPDATE SKIP LOCKED, replicas share the sending.
    PeriodicJob("outbox", lambda rt: rt.settings.outbox.cadence_seconds, run_outbox),
    # The query planner's statistics (SQLite only), at start and then seldom.
    PeriodicJob(
        "statistics",
        lambda rt: rt.settings.scheduler.statistics_seconds,
        lambda rt, _stop: refresh_statistics(rt.engine),
        True,
    ),
)
