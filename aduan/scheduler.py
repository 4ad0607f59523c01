"""The daemon's clock: one poll job per pull channel instance, plus the pipeline's jobs.

APScheduler 3.11's ``BackgroundScheduler`` runs every job in a worker thread
(imapclient and tweepy block) with ``max_instances=1``, coalescing and jitter;
its job store stays in memory because jobs come from config and cursors live
in aduan's store. Other parts add periodic jobs through :data:`PERIODIC_JOBS`.

Errors decide what happens next (see :mod:`aduan.errors`): a transient error
backs the channel off (honouring the provider's retry-after), a fatal one
pauses it until restart; both show in ``/healthz``. At shutdown the scheduler
stops taking work, in-flight polls stop between batches, and a batch that was
not committed is simply fetched again next time (its cursor never moved).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from aduan.channels.base import PullChannel, utcnow
from aduan.errors import FatalChannelError, StoreUnavailable, TransientError
from aduan.health import Health
from aduan.ingest import poll_channel
from aduan.logs import get_logger

if TYPE_CHECKING:
    from aduan.runtime import Runtime

log = get_logger("aduan.scheduler")


@dataclass(frozen=True)
class PeriodicJob:
    """A pipeline job: ``run(runtime, should_stop)`` every ``seconds(settings)`` seconds."""

    name: str
    seconds: Callable[[Runtime], float]
    run: Callable[[Runtime, Callable[[], bool]], object]


PERIODIC_JOBS: list[PeriodicJob] = []
"""Normalize, triage, escalation and spool-drain jobs register here."""


def _load_jobs() -> None:
    # One import per module that defines periodic jobs; each appends to PERIODIC_JOBS.
    from aduan.normalize import job  # noqa: F401


class Daemon:
    def __init__(self, runtime: Runtime, health: Health | None = None) -> None:
        _load_jobs()
        self.runtime = runtime
        self.health = health or Health()
        self.stopping = threading.Event()
        workers = max(4, len(runtime.pull_channels) + len(PERIODIC_JOBS) + 1)
        self.scheduler = BackgroundScheduler(
            timezone="UTC",
            executors={"default": ThreadPoolExecutor(workers)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
        )

    def start(self) -> None:
        jitter = self.runtime.settings.scheduler.jitter_seconds or None
        for (kind, name), channel in self.runtime.pull_channels.items():
            key = f"{kind}/{name}"
            self.health.get(key)
            self.scheduler.add_job(
                self._poll,
                "interval",
                args=[key, channel],
                seconds=channel.config.cadence_seconds,
                id=f"poll:{key}",
                jitter=jitter,
                next_run_time=utcnow(),
            )
        for job in PERIODIC_JOBS:
            self.scheduler.add_job(
                self._periodic,
                "interval",
                args=[job],
                seconds=job.seconds(self.runtime),
                id=f"job:{job.name}",
                next_run_time=utcnow(),
            )
        self.scheduler.start()
        log.info(
            "scheduler_started", channels=sorted(self.health.channels), jobs=len(PERIODIC_JOBS)
        )

    def _poll(self, key: str, channel: PullChannel) -> None:
        if self.stopping.is_set():
            return
        try:
            result = poll_channel(self.runtime.engine, channel, should_stop=self.stopping.is_set)
        except (TransientError, StoreUnavailable) as exc:
            retry = getattr(exc, "retry_after", None)
            self._back_off(key, str(exc), fatal=False, retry_after=retry)
        except FatalChannelError as exc:
            self._back_off(key, str(exc), fatal=True, retry_after=None)
        except Exception as exc:  # an adapter bug must not stop the daemon
            log.exception("poll_crashed", channel=key)
            self._back_off(key, f"{type(exc).__name__}: {exc}", fatal=False, retry_after=None)
        else:
            self.health.success(key, result.fetched)

    def _back_off(self, key: str, error: str, *, fatal: bool, retry_after: float | None) -> None:
        until = self.health.failure(key, error, fatal=fatal, retry_after=retry_after)
        job_id = f"poll:{key}"
        if fatal:
            log.error("channel_paused", channel=key, error=error)
            self.scheduler.pause_job(job_id)
            return
        log.warning("channel_backoff", channel=key, error=error, retry_at=until.isoformat())
        job = self.scheduler.get_job(job_id)
        if job is not None and until > utcnow() + timedelta(seconds=1):
            job.modify(next_run_time=until)

    def _periodic(self, job: PeriodicJob) -> None:
        if self.stopping.is_set():
            return
        try:
            job.run(self.runtime, self.stopping.is_set)
        except StoreUnavailable as exc:
            log.warning("job_waiting_for_store", job=job.name, error=str(exc))
        except Exception:
            log.exception("job_crashed", job=job.name)

    def stop(self, timeout: float) -> bool:
        """Stop taking work and wait up to ``timeout`` s for in-flight jobs; True if all ended."""
        self.stopping.set()
        if not self.scheduler.running:
            return True
        self.scheduler.pause()
        done = threading.Event()

        def _shutdown() -> None:
            self.scheduler.shutdown(wait=True)
            done.set()

        threading.Thread(target=_shutdown, name="scheduler-shutdown", daemon=True).start()
        finished = done.wait(timeout)
        if not finished:
            log.warning("shutdown_abandoning_in_flight", note="their cursors did not move")
        return finished
