"""Prometheus metrics for the daemon, served at ``/metrics``.

Counters live in one process-wide registry (:data:`REGISTRY`); any part
counts through the small helpers below, which never raise::

    from aduan.runtime import metrics
    metrics.fetched("email/city", 12)
    metrics.normalized(40)            # the normalize job, per batch
    metrics.quarantined("sms/kannel") # a raw message that could not be read
    metrics.triaged(40, source="rules")

Gauges that describe the store (pending raw messages, overdue complaints)
and the daemon (spool depth, per-channel lag and failures) are computed when
``/metrics`` is scraped, so they cost nothing between scrapes. The webhook
endpoint (:mod:`aduan.web.app`) reports each request's status and latency; the
``/metrics`` route is :mod:`aduan.web.metrics`.

Names (all prefixed ``aduan_``): ``messages_fetched_total``,
``messages_stored_total``, ``messages_duplicate_total``,
``messages_quarantined_total`` (label ``channel``), ``normalized_total``
(``outcome``), ``triaged_total`` (``source``), ``poll_failures_total``
(``channel``, ``kind``), ``webhook_requests_total`` (``channel``,
``status``), ``webhook_latency_seconds`` (histogram, ``channel``),
``spool_records_written_total``, ``spool_records_drained_total``,
``outbox_sent_total`` (``channel``), ``outbox_failures_total`` (``channel``,
``status``: queued when it will be retried, failed, gave_up); at scrape:
``queue_pending_raws``, ``queue_oldest_pending_seconds``, ``quarantine_raws``
(``channel``), ``complaints_overdue``, ``store_up``,
``spool_records``, ``channel_lag_seconds``, ``channel_consecutive_failures``,
``channel_up`` (``channel``), ``outbox_queued``, ``outbox_oldest_queued_seconds``,
``outbox_messages`` (``channel``, ``status``).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import and_, func, select

from aduan.core.clock import utcnow
from aduan.runtime.stuck import queue_facts
from aduan.store.models import complaints
from aduan.store.outbox import summary_of

if TYPE_CHECKING:
    from aduan.runtime import Runtime
    from aduan.runtime.health import Health

__all__ = ["CONTENT_TYPE_LATEST", "REGISTRY", "render"]

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)

_FETCHED = Counter(
    "aduan_messages_fetched", "Messages fetched from pull channels.", ["channel"], registry=REGISTRY
)
_STORED = Counter(
    "aduan_messages_stored", "New raw messages committed.", ["channel"], registry=REGISTRY
)
_DUPLICATE = Counter(
    "aduan_messages_duplicate",
    "Messages already in the store (re-fetch, retry, replay).",
    ["channel"],
    registry=REGISTRY,
)
_QUARANTINED = Counter(
    "aduan_messages_quarantined",
    "Raw messages that could not be read or stored, kept for operators.",
    ["channel"],
    registry=REGISTRY,
)
_NORMALIZED = Counter(
    "aduan_normalized", "Raw messages normalized.", ["outcome"], registry=REGISTRY
)
_TRIAGED = Counter("aduan_triaged", "Complaints triaged.", ["source"], registry=REGISTRY)
_POLL_FAILURES = Counter(
    "aduan_poll_failures", "Failed polls.", ["channel", "kind"], registry=REGISTRY
)
_WEBHOOKS = Counter(
    "aduan_webhook_requests", "Webhook requests answered.", ["channel", "status"], registry=REGISTRY
)
_WEBHOOK_LATENCY = Histogram(
    "aduan_webhook_latency_seconds",
    "Time from a webhook request to its answer.",
    ["channel"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
_SPOOL_WRITTEN = Counter(
    "aduan_spool_records_written",
    "Webhook requests written to the local spool while the store was unreachable.",
    registry=REGISTRY,
)
_SPOOL_DRAINED = Counter(
    "aduan_spool_records_drained", "Spool records committed to the store.", registry=REGISTRY
)
_OUTBOX_SENT = Counter(
    "aduan_outbox_sent", "Messages a provider took from the outbox.", ["channel"], registry=REGISTRY
)
_OUTBOX_FAILURES = Counter(
    "aduan_outbox_failures",
    "Failed sends from the outbox, by what became of the message.",
    ["channel", "status"],
    registry=REGISTRY,
)


def fetched(channel: str, n: int = 1) -> None:
    if n:
        _FETCHED.labels(channel).inc(n)


@lru_cache(maxsize=1024)
def _stored_series(channel: str) -> tuple[Counter, Counter]:
    return _STORED.labels(channel), _DUPLICATE.labels(channel)


def stored(channel: str, new: int, duplicates: int = 0) -> None:
    # The labelled series are looked up once per channel: this runs on every webhook.
    new_series, duplicate_series = _stored_series(channel)
    if new:
        new_series.inc(new)
    if duplicates:
        duplicate_series.inc(duplicates)


def quarantined(channel: str, n: int = 1) -> None:
    if n:
        _QUARANTINED.labels(channel).inc(n)


def normalized(n: int = 1, outcome: str = "complaint") -> None:
    """Count raw messages the normalize job finished (outcome: complaint, source, ignored...)."""
    if n:
        _NORMALIZED.labels(outcome).inc(n)


def triaged(n: int = 1, source: str = "rules") -> None:
    """Count complaints the triage job decided (source: rules, default, human...)."""
    if n:
        _TRIAGED.labels(source).inc(n)


_RUNS_SKIPPED = Counter(
    "aduan_job_runs_skipped",
    "Scheduled runs skipped because the job's previous run was still going.",
    ["job"],
    registry=REGISTRY,
)


def run_skipped(job: str) -> None:
    _RUNS_SKIPPED.labels(job).inc()


def outbox_sent(channel: str) -> None:
    _OUTBOX_SENT.labels(channel).inc()


def outbox_failed(channel: str, status: str) -> None:
    """A failed send; ``status``: queued (will be retried), failed or gave_up."""
    _OUTBOX_FAILURES.labels(channel, status).inc()


def poll_failed(channel: str, kind: str) -> None:
    _POLL_FAILURES.labels(channel, kind).inc()


def spool_written(n: int = 1) -> None:
    _SPOOL_WRITTEN.inc(n)


def spool_drained(n: int) -> None:
    if n:
        _SPOOL_DRAINED.inc(n)


@lru_cache(maxsize=1024)
def _webhook_series(kind: str, instance: str, status: int) -> tuple[Counter, Histogram]:
    channel = f"{kind}/{instance}"
    return _WEBHOOKS.labels(channel, str(status)), _WEBHOOK_LATENCY.labels(channel)


def observe_webhook(kind: str, instance: str, status: int, seconds: float) -> None:
    requests, latency = _webhook_series(kind, instance, status)
    requests.inc()
    latency.observe(seconds)


class ScrapeCollector(Collector):
    """Gauges computed at scrape time from the store, the spool and the daemon's health."""

    def __init__(self, runtime: Runtime, health: Health | None, spool_records: int) -> None:
        self.runtime = runtime
        self.health = health
        self.spool_records = spool_records

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("aduan_store_up", "1 when the store answered this scrape.")
        pending = GaugeMetricFamily(
            "aduan_queue_pending_raws", "Raw messages waiting to be normalized."
        )
        overdue = GaugeMetricFamily(
            "aduan_complaints_overdue", "Open complaints past their due time."
        )
        oldest = GaugeMetricFamily(
            "aduan_queue_oldest_pending_seconds",
            "Seconds since the oldest pending raw message was stored (0: none pending).",
        )
        held = GaugeMetricFamily(
            "aduan_quarantine_raws",
            "Raw messages in quarantine now, per channel instance.",
            labels=["channel"],
        )
        queued = GaugeMetricFamily("aduan_outbox_queued", "Outbox messages waiting to be sent.")
        queued_age = GaugeMetricFamily(
            "aduan_outbox_oldest_queued_seconds",
            "Seconds since the oldest message still waiting in the outbox was queued.",
        )
        messages = GaugeMetricFamily(
            "aduan_outbox_messages",
            "Outbox messages per channel instance and status.",
            labels=["channel", "status"],
        )
        try:
            with self.runtime.engine.connect() as conn:
                facts = queue_facts(conn)
                outbox = summary_of(conn, utcnow())
                late = conn.execute(
                    select(func.count())
                    .select_from(complaints)
                    .where(
                        and_(
                            complaints.c.due_at < utcnow(),
                            complaints.c.resolved_at.is_(None),
                            complaints.c.closed_at.is_(None),
                        )
                    )
                ).scalar_one()
        except Exception:
            up.add_metric([], 0)
        else:
            up.add_metric([], 1)
            pending.add_metric([], facts.pending)
            oldest.add_metric([], facts.oldest_pending_seconds)
            for key, n in facts.quarantined.items():
                held.add_metric([key], n)
            overdue.add_metric([], int(late))
            queued.add_metric([], outbox["queued"])
            queued_age.add_metric([], outbox["oldest_queued_seconds"])
            for channel, counts in outbox["channels"].items():
                for status, n in counts.items():
                    messages.add_metric([channel, status], n)
            yield queued
            yield queued_age
            yield messages
            yield pending
            yield oldest
            yield held
            yield overdue
        yield up
        spool = GaugeMetricFamily(
            "aduan_spool_records", "Webhook requests in the local spool, not yet in the store."
        )
        spool.add_metric([], self.spool_records)
        yield spool
        if self.health is None:
            return
        lag = GaugeMetricFamily(
            "aduan_channel_lag_seconds",
            "Seconds since the last successful poll or accepted webhook.",
            labels=["channel"],
        )
        failures = GaugeMetricFamily(
            "aduan_channel_consecutive_failures", "Failures in a row.", labels=["channel"]
        )
        state = GaugeMetricFamily(
            "aduan_channel_up", "1 when the channel is ok or on standby.", labels=["channel"]
        )
        for key, entry in self.health.snapshot().items():
            if entry.get("lag_seconds") is not None:
                lag.add_metric([key], float(str(entry["lag_seconds"])))
            failures.add_metric([key], float(str(entry.get("consecutive_failures", 0))))
            state.add_metric([key], 1.0 if entry.get("state") in ("ok", "standby") else 0.0)
        yield lag
        yield failures
        yield state


def render(runtime: Runtime, health: Health | None, spool_records: int) -> bytes:
    """The exposition text: the counters, then the gauges computed now (``spool_records``:
    the web's spool depth, which its caller reads)."""
    scrape = CollectorRegistry(auto_describe=False)
    scrape.register(ScrapeCollector(runtime, health, spool_records))
    return generate_latest(REGISTRY) + generate_latest(scrape)
