"""Soak benchmark: the real daemon under a steady stream for 10 minutes (``--quick``: 60 s).

A fake provider (the HTTP feed of :mod:`tests.helpers.feed`, polled by the
daemon at ``--cadence``) publishes ``--pull-rate`` messages a second and a
sender posts ``--webhook-rate`` signed webhooks a second to the same daemon
process (``python -m tests.helpers.rundaemon run``). Each message carries its
arrival time. At the end the store is read back:

* throughput (messages stored per second of the run);
* lag from arrival to the stored raw row (p50/p99), per path and overall;
  when normalize/triage jobs exist (complaints appear), also the lag from
  arrival to the complaint's first triage decision; the JSON says which lag
  was measured (``lag_measured``);
* RSS of the daemon at start, after warm-up (10% of the run, at least 10 s)
  and at the end.

Targets: p99 lag under 2 cadences; RSS growth after warm-up under 10%.
The bare floor, timed in the same run: ``save_batch`` of the same rows
straight into a fresh store (rows/s), against which the stream's rate is a
fraction. The last line is one JSON object with the figures.

    .venv/bin/python bench/soak.py --quick
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import func, select, text

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from aduan.core.messages import RawMessage  # noqa: E402
from aduan.store import make_engine, open_store, save_batch  # noqa: E402
from aduan.store.models import complaints, raw_messages  # noqa: E402
from tests.helpers.channels import sign  # noqa: E402
from tests.helpers.daemons import start_daemon  # noqa: E402
from tests.helpers.databases import admin_dsn, create_database  # noqa: E402
from tests.helpers.feed import FeedServer  # noqa: E402

SECRET = "soak-secret"


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bare_floor(rows: int, folder: Path) -> float:
    """Rows per second that ``save_batch`` alone reaches on a fresh SQLite store."""
    engine = open_store(f"sqlite:///{folder / 'bare.db'}")
    now = datetime.now(UTC)
    raws = [
        RawMessage("bare", "x", str(i), b'{"text": "Lampu jalan mati di RT 03"}', "json", now)
        for i in range(rows)
    ]
    began = time.perf_counter()
    for start in range(0, rows, 100):  # the daemon's default batch size
        save_batch(engine, raws[start : start + 100], ("bare", "x", {"last": start}))
    elapsed = time.perf_counter() - began
    engine.dispose()
    return rows / elapsed


def pump_feed(server: FeedServer, rate: float, stop: threading.Event) -> None:
    tick, owed = 0.1, 0.0
    while not stop.is_set():
        owed += rate * tick
        if owed >= 1:
            server.add("soak", int(owed))
            owed -= int(owed)
        time.sleep(tick)


def pump_webhooks(
    port: int, rate: float, stop: threading.Event, errors: list[int], sent: list[int]
) -> None:
    n = 0
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        next_at = time.monotonic()
        while not stop.is_set():
            n += 1
            body = json.dumps(
                {"id": f"h{n}", "text": f"Got mampet di Jl. Kenanga #{n}", "sent": time.time()}
            ).encode()
            answer = client.post(
                "/webhooks/testpush/soak", content=body, headers={"x-signature": sign(SECRET, body)}
            )
            sent[0] = n
            if answer.status_code != 200:
                errors.append(answer.status_code)
            next_at += 1 / rate
            time.sleep(max(0.0, next_at - time.monotonic()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="60 s instead of 10 minutes")
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--cadence", type=float, default=2.0, help="poll cadence (s)")
    parser.add_argument("--pull-rate", type=float, default=20.0, help="feed messages/s")
    parser.add_argument("--webhook-rate", type=float, default=10.0, help="webhooks/s")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument(
        "--postgresql", action="store_true", help="a throw-away database on the local PostgreSQL"
    )
    args = parser.parse_args()
    if args.postgresql:
        if admin_dsn() is None:
            sys.exit("soak: no PostgreSQL answers on the local socket or 127.0.0.1:5432")
        databases = create_database()
        args.database_url = next(databases)
        try:
            run(args)
        finally:
            databases.close()  # drops the database
        return
    run(args)


def run(args: argparse.Namespace) -> None:
    seconds = args.seconds or (60.0 if args.quick else 600.0)
    warmup = max(10.0, seconds * 0.1)

    folder = Path(tempfile.mkdtemp(prefix="aduan-soak-"))
    url = args.database_url or f"sqlite:///{folder / 'aduan.db'}"
    store = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    expected_rows = int(seconds * (args.pull_rate + args.webhook_rate))
    floor = bare_floor(max(2000, expected_rows), folder)

    with FeedServer() as server:
        env = {
            "ADUAN_CHANNELS__TESTFEED__SOAK__URL": server.url("soak"),
            "ADUAN_CHANNELS__TESTFEED__SOAK__CADENCE_SECONDS": str(args.cadence),
            "ADUAN_CHANNELS__TESTPUSH__SOAK__SECRET": SECRET,
            "ADUAN_LOG__LEVEL": "WARNING",
        }
        daemon = start_daemon(folder / "daemon", url, env)
        rss_start = daemon.rss_kib()
        stop = threading.Event()
        errors: list[int] = []
        hooks_sent = [0]
        threads = [
            threading.Thread(target=pump_feed, args=(server, args.pull_rate, stop), daemon=True),
            threading.Thread(
                target=pump_webhooks,
                args=(daemon.port, args.webhook_rate, stop, errors, hooks_sent),
                daemon=True,
            ),
        ]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(warmup)
        rss_warm = daemon.rss_kib()
        time.sleep(max(0.0, seconds - warmup))
        rss_end = daemon.rss_kib()
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        published = server.next_id
        reader = make_engine(url)

        def count() -> int:
            with reader.connect() as conn:
                return int(
                    conn.execute(select(func.count()).select_from(raw_messages)).scalar_one()
                )

        deadline = time.monotonic() + 4 * args.cadence + 10
        while count() < published + hooks_sent[0] and time.monotonic() < deadline:
            time.sleep(0.2)
        elapsed = time.monotonic() - began
        exit_seconds = daemon.stop()

    lags: dict[str, list[float]] = {"testfeed": [], "testpush": []}
    with reader.connect() as conn:
        for channel, payload, received, fetched in conn.execute(
            select(
                raw_messages.c.channel,
                raw_messages.c.payload,
                raw_messages.c.received_at,
                raw_messages.c.fetched_at,
            )
        ):
            sent = json.loads(payload).get("sent")
            start = datetime.fromtimestamp(float(sent), UTC) if sent else received
            lags[channel].append((fetched - start).total_seconds())
        n_complaints = int(conn.execute(select(func.count()).select_from(complaints)).scalar_one())
        triaged: list[float] = []
        if n_complaints:
            rows = conn.execute(
                text(
                    "SELECT r.payload, r.received_at, MIN(t.at) FROM complaint_sources s "
                    "JOIN raw_messages r ON r.id = s.raw_message_id "
                    "JOIN triage_decisions t ON t.complaint_id = s.complaint_id "
                    "GROUP BY r.id, r.payload, r.received_at"
                )
            ).all()
            for payload, received, at in rows:
                if isinstance(at, str):
                    at = datetime.fromisoformat(at)
                if at.tzinfo is None:
                    at = at.replace(tzinfo=UTC)
                sent = json.loads(payload).get("sent")
                start = datetime.fromtimestamp(float(sent), UTC) if sent else received
                triaged.append((at - start).total_seconds())
    reader.dispose()

    every = lags["testfeed"] + lags["testpush"]
    measured = "arrival_to_triaged_complaint" if triaged else "arrival_to_raw"
    overall = triaged or every
    stored_rows = len(every)
    growth = 100.0 * (rss_end - rss_warm) / rss_warm if rss_warm else float("nan")
    figures = {
        "store": store.lower(),
        "seconds": round(elapsed, 1),
        "cadence_s": args.cadence,
        "published": published + hooks_sent[0],
        "stored": stored_rows,
        "lost": published + hooks_sent[0] - stored_rows,
        "webhook_errors": len(errors),
        "throughput_per_s": round(stored_rows / seconds, 1),
        "bare_rows_per_s": round(floor, 1),
        "stream_vs_bare": round((args.pull_rate + args.webhook_rate) / floor, 4),
        "lag_measured": measured,
        "lag_p50_s": round(percentile(overall, 0.5), 3),
        "lag_p99_s": round(percentile(overall, 0.99), 3),
        "pull_lag_p50_s": round(percentile(lags["testfeed"], 0.5), 3),
        "pull_lag_p99_s": round(percentile(lags["testfeed"], 0.99), 3),
        "webhook_lag_p50_s": round(percentile(lags["testpush"], 0.5), 3),
        "webhook_lag_p99_s": round(percentile(lags["testpush"], 0.99), 3),
        "raw_lag_p99_s": round(percentile(every, 0.99), 3),
        "complaints": n_complaints,
        "p99_under_2_cadences": percentile(overall, 0.99) < 2 * args.cadence,
        "rss_start_kib": rss_start,
        "rss_warm_kib": rss_warm,
        "rss_end_kib": rss_end,
        "rss_growth_after_warmup_pct": round(growth, 2),
        "rss_growth_under_10pct": growth < 10.0,
        "exit_seconds": round(exit_seconds, 2),
    }
    print(
        f"soak on {store}: {seconds:.0f} s, cadence {args.cadence:g} s, "
        f"{args.pull_rate:g} pull/s + {args.webhook_rate:g} webhooks/s"
    )
    print(
        f"  stored {stored_rows} raw messages ({figures['throughput_per_s']}/s), "
        f"lost {figures['lost']}, webhook errors {len(errors)}"
    )
    print(
        f"  bare save_batch floor (SQLite): {floor:,.0f} rows/s (the stream is "
        f"{100 * figures['stream_vs_bare']:.2f}% of it)"
    )
    print(f"  lag measured: {measured}")
    print(
        f"  pull lag p50 {figures['pull_lag_p50_s']} s, p99 {figures['pull_lag_p99_s']} s; "
        f"webhook lag p50 {figures['webhook_lag_p50_s']} s, p99 {figures['webhook_lag_p99_s']} s"
    )
    print(
        f"  overall p99 {figures['lag_p99_s']} s vs target {2 * args.cadence:g} s: "
        f"{'OK' if figures['p99_under_2_cadences'] else 'MISSED'}"
    )
    if not triaged:
        print("  no complaints appeared: normalize/triage jobs are not in this build")
    print(
        f"  RSS start {rss_start / 1024:.1f} MiB, after warm-up {rss_warm / 1024:.1f} MiB, "
        f"end {rss_end / 1024:.1f} MiB: growth {growth:.2f}% "
        f"({'OK' if figures['rss_growth_under_10pct'] else 'MISSED'})"
    )
    print(f"  SIGTERM to exit: {exit_seconds:.2f} s")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
