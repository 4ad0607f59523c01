"""The daemon's clock: one poll job per pull channel instance, plus the pipeline's jobs.

APScheduler 3.11's ``BackgroundScheduler`` runs every job in a worker thread
(imapclient and tweepy block) with ``max_instances=1``, coalescing and jitter;
its job store stays in memory because jobs come from config and cursors live
in aduan's store. The pipeline's jobs are the literal list :data:`aduan.daemon.jobs.PERIODIC_JOBS`.

Errors decide what happens next (see :mod:`aduan.core.errors`): a transient error
backs the channel off (honouring the provider's retry-after), a fatal one
pauses it until restart; both show in ``/healthz``. An unreachable store
leaves the channel ``waiting``: nothing moved, the next poll tries again.
A webhook channel with a ``probe()`` (Instagram: does the Graph API take the
token?) is probed every ``probe_seconds`` of its config; a refusal shows as
``failing`` in ``/healthz``.

With PostgreSQL several replicas may run: before each poll the daemon takes
(or confirms) the channel's advisory-lock lease (:mod:`aduan.daemon.lease`); a
replica without the lease skips the poll and shows ``standby``.

At shutdown the scheduler stops taking work, in-flight polls stop between
batches, and a batch that was not committed is simply fetched again next
time (its cursor never moved). A job that hangs is abandoned after the grace
period; the process exits all the same.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, JobSubmissionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.exc import OperationalError

from aduan.channels.base import PullChannel
from aduan.core.clock import utcnow
from aduan.core.errors import FatalChannelError, StoreUnavailable, TransientError
from aduan.core.logs import get_logger
from aduan.daemon.ingest import poll_channel
from aduan.daemon.jobs import PERIODIC_JOBS, PeriodicJob
from aduan.daemon.lease import Leases, leases_for
from aduan.runtime import metrics
from aduan.runtime.health import Health

if TYPE_CHECKING:
    from aduan.runtime import Runtime

log = get_logger("aduan.scheduler")


class _SkippedRuns(logging.Filter):
    """Drops APScheduler's warning for a run skipped while the last one still goes (a long
    normalize batch, a slow poll): that is the schedule working, counted in
    ``aduan_job_runs_skipped_total`` rather than written to an idle daemon's log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances" not in str(record.msg)


_SKIPPED_RUNS = _SkippedRuns()


class Daemon:
    def __init__(
        self, runtime: Runtime, health: Health | None = None, leases: Leases | None = None
    ) -> None:
        self.runtime = runtime
        self.health = health or Health()
        self.leases = leases or leases_for(runtime.settings.database_url)
        self.stopping = threading.Event()
        probes = sum(callable(getattr(c, "probe", None)) for c in runtime.push_channels.values())
        workers = max(4, len(runtime.pull_channels) + probes + len(PERIODIC_JOBS) + 1)
        self.scheduler = BackgroundScheduler(
            timezone="UTC",
            executors={"default": ThreadPoolExecutor(workers)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
        )
        logging.getLogger("apscheduler.scheduler").addFilter(_SKIPPED_RUNS)  # once: same filter
        self.scheduler.add_listener(self._skipped, EVENT_JOB_MAX_INSTANCES)

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
        for (kind, name), push in self.runtime.push_channels.items():
            probe = getattr(push, "probe", None)  # the provider still takes the credentials?
            if callable(probe):
                self.scheduler.add_job(
                    self._probe,
                    "interval",
                    args=[f"{kind}/{name}", probe],
                    seconds=float(getattr(push.config, "probe_seconds", 600.0)),
                    id=f"probe:{kind}/{name}",
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
        for (kind, name), channel in self.runtime.pull_channels.items():
            watch = getattr(channel, "watch", None)  # push notice of new mail (IMAP IDLE)
            if callable(watch):
                watch(lambda key=f"{kind}/{name}": self._wake(key))
        log.info(
            "scheduler_started", channels=sorted(self.health.channels), jobs=len(PERIODIC_JOBS)
        )

    def _skipped(self, event: JobSubmissionEvent) -> None:
        metrics.run_skipped(event.job_id)

    def _poll(self, key: str, channel: PullChannel) -> None:
        if self.stopping.is_set():
            return
        try:
            if not self.leases.acquire(key):
                self.health.standby(key)
                return
            result = poll_channel(self.runtime.engine, channel, should_stop=self.stopping.is_set)
        except (StoreUnavailable, OperationalError) as exc:
            # The store is down: the cursor did not move, so the channel simply waits.
            error = str(exc).splitlines()[0]
            log.warning("poll_waiting_for_store", channel=key, error=error)
            metrics.poll_failed(key, "store")
            self.health.waiting(key, error)
        except TransientError as exc:
            metrics.poll_failed(key, "transient")
            self._back_off(key, str(exc), fatal=False, retry_after=exc.retry_after)
        except FatalChannelError as exc:
            metrics.poll_failed(key, "fatal")
            self._back_off(key, str(exc), fatal=True, retry_after=None)
        except Exception as exc:  # an adapter bug must not stop the daemon
            log.exception("poll_crashed", channel=key)
            metrics.poll_failed(key, "crash")
            self._back_off(key, f"{type(exc).__name__}: {exc}", fatal=False, retry_after=None)
        else:
            metrics.fetched(key, result.fetched)
            metrics.stored(key, result.stored, result.duplicates)
            metrics.quarantined(key, result.rejected)
            self.health.success(key, result.fetched)

    def _probe(self, key: str, probe: Callable[[], None]) -> None:
        """Ask a webhook channel's provider whether it takes the credentials: refused is
        ``failing`` in ``/healthz`` (webhooks are still accepted); no answer changes nothing."""
        if self.stopping.is_set():
            return
        try:
            probe()
        except FatalChannelError as exc:
            log.error("channel_credentials_refused", channel=key, error=str(exc))
            self.health.refused(key, str(exc))
        except TransientError as exc:
            log.warning("channel_probe_unanswered", channel=key, error=str(exc))
        except Exception:  # an adapter bug must not stop the daemon
            log.exception("channel_probe_crashed", channel=key)
        else:
            self.health.probed(key)

    def _wake(self, key: str) -> None:
        """Poll ``key`` now, unless it is paused or backing off."""
        if self.stopping.is_set():
            return
        job = self.scheduler.get_job(f"poll:{key}")
        if job is None or job.next_run_time is None or self.health.get(key).state != "ok":
            return
        job.modify(next_run_time=utcnow())

    def _back_off(self, key: str, error: str, *, fatal: bool, retry_after: float | None) -> None:
        kind, name = key.split("/", 1)
        channel = self.runtime.channels.get((kind, name))
        base = channel.config.cadence_seconds if channel is not None else 5.0
        job_id = f"poll:{key}"
        if fatal:
            # Pause before health says "paused" (readers then see the job paused too); never
            # during stop: shutdown(wait=True) holds the job store lock pause_job needs.
            if not self.stopping.is_set():
                self.scheduler.pause_job(job_id)
            self.health.failure(key, error, fatal=True, retry_after=None, base=base)
            log.error("channel_paused", channel=key, error=error)
            return
        until = self.health.failure(key, error, fatal=False, retry_after=retry_after, base=base)
        log.warning("channel_backoff", channel=key, error=error, retry_at=until.isoformat())
        job = None if self.stopping.is_set() else self.scheduler.get_job(job_id)
        if job is not None and until > utcnow() + timedelta(seconds=1):
            job.modify(next_run_time=until)

    def _periodic(self, job: PeriodicJob) -> None:
        if self.stopping.is_set():
            return
        try:
            if job.singleton and not self.leases.acquire(f"job/{job.name}"):
                return
            job.run(self.runtime, self.stopping.is_set)
        except (StoreUnavailable, OperationalError) as exc:
            log.warning("job_waiting_for_store", job=job.name, error=str(exc).splitlines()[0])
        except Exception:
            log.exception("job_crashed", job=job.name)

    def stop(self, timeout: float) -> bool:
        """Stop taking work and wait up to ``timeout`` s for in-flight jobs; True if all ended."""
        self.stopping.set()
        if not self.scheduler.running:
            self.leases.close()
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
        self.leases.close()
        return finished
