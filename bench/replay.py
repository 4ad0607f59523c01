"""Benchmark: a full ``aduan replay`` of N raw messages in a city desk's mix.

Generates N raw messages (default 1,000,000; ``--quick`` 50,000) in the
providers' own payload shapes — 40% SMS (a gateway's signed JSON), 25%
Telegram (Bot API ``Update``), 20% X (API v2 tweet with ``includes.users``),
10% email (RFC 5322 bytes, quoted-printable), 5% walk-in (the clerk's JSON)
— with 5% resends and 5% near-duplicates, at a steady ~3,000 messages a day,
stores them in SQLite (``--postgresql``: a throw-away database on the local
PostgreSQL), then times a full replay (read, clean, reporter,
three-level dedup, triage, bulk writes). In the same run it times the bare
floor: one ``executemany`` of the same number of complaint rows in one
transaction; on SQLite, also the replay's writes alone: every row it wrote
and its update of each raw message, written again bare in as many
transactions (the most any normalizer writing those rows could reach).
Registered channels read their own payloads when present; a local reader per
shape stands in otherwise (the output says which).

Per-channel rates: each channel's read time is measured; the shared rest
(dedup, triage, writes) is charged per message. Prints a table and ends with
one JSON line. ``--model DIR``: triage blends in the learned model saved in
DIR (``aduan triage train --dir DIR``), as with ``[triage.model] enabled``.

Cost growth: above 50,000 messages the same run then replays a corpus of
50,000 (``--quick``'s) in a store of its own, back to back, and reports the
cost per message at N over the cost per message at 50,000
(``cost_growth_vs_50k``; ``cost_growth_1m_vs_50k`` at N = 1,000,000): in wall
time, in the process's CPU time, and over the pace (:class:`replay_floors.Pace`:
one piece of the normalizer's own pure-Python work, timed every few batches,
which other processes on the shared cores slow as they slow the replay); with
the load average around each replay. ``--no-reference`` skips it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from replay_corpus import BATCH, JSON_CHANNELS, LOCAL, complaint_text, generate  # noqa: E402
from replay_floors import Pace, floor, rows_floor  # noqa: E402  (bench/ is the script's own folder)

from aduan.channels.registry import REGISTRY  # noqa: E402
from aduan.config.normalize import NormalizeSettings  # noqa: E402
from aduan.config.triage import ModelSettings, TriageSettings  # noqa: E402
from aduan.core.messages import Message, RawMessage  # noqa: E402
from aduan.normalize.pipeline import Normalizer  # noqa: E402
from aduan.normalize.readers import Reader, Readers  # noqa: E402
from aduan.normalize.replay import Slice, replay  # noqa: E402
from aduan.normalize.rows import Stats  # noqa: E402
from aduan.store import open_store  # noqa: E402
from aduan.store.raw import insert_raws  # noqa: E402
from aduan.triage import configure  # noqa: E402
from aduan.triage.router import current_model  # noqa: E402
from aduan.triage.writer import BatchTriage  # noqa: E402
from tests.helpers.databases import admin_dsn, create_database  # noqa: E402

REFERENCE = 50_000
"""The corpus the cost per message is compared with (``--quick``'s)."""


def pick_readers(sample: dict[str, RawMessage]) -> tuple[dict[str, Reader], dict[str, str]]:
    """Registered channels where they read our payloads; local readers otherwise."""
    chosen: dict[str, Reader] = {}
    how: dict[str, str] = {}
    fallback = Readers()
    for channel, raw in sample.items():
        reader = fallback.reader(channel, "bench") if channel in REGISTRY else None
        if reader is not None:
            try:
                reader(raw)
                chosen[channel], how[channel] = reader, "registered channel"
                continue
            except Exception as exc:  # a shape the module does not take: say so
                how[channel] = f"local reader (registered one refused: {type(exc).__name__})"
        else:
            how[channel] = "local reader (channel not registered on this branch)"
        chosen[channel] = LOCAL[channel]
    return chosen, how


def timed(readers: dict[str, Reader], spent: defaultdict[str, float]) -> dict[str, Reader]:
    def wrap(channel: str, reader: Reader) -> Reader:
        def read(raw: RawMessage) -> Message:
            t = time.perf_counter()
            try:
                return reader(raw)
            finally:
                spent[channel] += time.perf_counter() - t

        return read

    return {c: wrap(c, r) for c, r in readers.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=1_000_000, help="raw messages (default 1M)")
    parser.add_argument("--quick", action="store_true", help="50,000 messages")
    parser.add_argument("--keep", type=Path, help="keep the store in this directory")
    parser.add_argument(
        "--postgresql", action="store_true", help="a throw-away database on the local PostgreSQL"
    )
    parser.add_argument(
        "--model",
        type=Path,
        help="triage with the learned model saved in this directory ([triage.model] on)",
    )
    parser.add_argument(
        "--no-reference",
        action="store_true",
        help="above 50,000: skip the 50,000 replay the cost growth is measured against",
    )
    args = parser.parse_args(argv)
    n = REFERENCE if args.quick else args.n
    if args.model is not None:
        model = ModelSettings(enabled=True, directory=args.model)
        configure(TriageSettings(model=model))
        if current_model() is None:
            sys.exit(f"replay: no usable triage model in {args.model}")
    if args.postgresql and admin_dsn() is None:
        sys.exit("replay: no PostgreSQL answers on the local socket or 127.0.0.1:5432")
    with store(args.keep, args.postgresql) as (workdir, url):
        return run(n, workdir, url, n > REFERENCE and not args.no_reference)


@contextmanager
def store(keep: Path | None, postgresql: bool) -> Iterator[tuple[Path, str | None]]:
    """A work directory and, with ``postgresql``, a throw-away database (dropped after)."""
    with tempfile.TemporaryDirectory(prefix="aduan-bench-") as tmp:
        workdir = keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        if not postgresql:
            yield workdir, None
            return
        databases = create_database()
        try:
            yield workdir, next(databases)
        finally:
            databases.close()  # drops the database


@dataclass
class Replayed:
    """One corpus generated, stored and replayed: what the replay took."""

    n: int
    seconds: float
    cpu_seconds: float
    """The process's CPU time (user and system) during the replay."""
    load: tuple[float, float]
    """The 1-minute load average when the replay started and when it ended."""
    pace_us: float
    """The pace during the replay (:class:`replay_floors.Pace`), µs a text."""
    stats: Stats
    counts: Counter[str]
    spent: defaultdict[str, float]
    """Read time per channel."""
    how: dict[str, str]

    @property
    def us(self) -> float:
        return 1e6 * self.seconds / self.n

    @property
    def cpu_us(self) -> float:
        return 1e6 * self.cpu_seconds / self.n

    def describe(self) -> str:
        return (
            f"replay of {self.n:,}: {self.seconds:.1f} s, {self.us:.1f} µs a message"
            f" ({self.cpu_us:.1f} µs of CPU, {self.us / self.pace_us:.2f} paces);"
            f" load average {self.load[0]:.1f} -> {self.load[1]:.1f}"
        )


def replayed(n: int, workdir: Path, pg_url: str | None) -> Replayed:
    """Generate and store ``n`` raw messages, then time a full replay of them."""
    engine = open_store(pg_url or f"sqlite:///{workdir / 'replay.db'}")
    t = time.perf_counter()
    sample: dict[str, RawMessage] = {}
    counts: Counter[str] = Counter()
    chunk: list[RawMessage] = []
    for raw in generate(n):
        sample.setdefault(raw.channel, raw)
        counts[raw.channel] += 1
        chunk.append(raw)
        if len(chunk) == 5000:
            with engine.begin() as conn:
                insert_raws(conn, chunk)
            chunk = []
    if chunk:
        with engine.begin() as conn:
            insert_raws(conn, chunk)
    print(f"generated and stored {n:,} raw messages in {time.perf_counter() - t:.1f} s")
    chosen, how = pick_readers(sample)
    spent: defaultdict[str, float] = defaultdict(float)
    normalizer = Normalizer(
        NormalizeSettings(), Readers(extra=timed(chosen, spent)), triage=BatchTriage
    )
    load = os.getloadavg()[0]
    pace = Pace(complaint_text)
    t, cpu = time.perf_counter(), time.process_time()
    stats = replay(engine, normalizer, Slice(), batch_size=BATCH, progress=pace)
    total = time.perf_counter() - t - pace.spent
    cpu = time.process_time() - cpu - pace.cpu_spent
    engine.dispose()
    loads = (load, os.getloadavg()[0])
    return Replayed(n, total, cpu, loads, pace.us, stats, counts, spent, how)


def run(n: int, workdir: Path, pg_url: str | None, with_reference: bool) -> int:
    done = replayed(n, workdir, pg_url)
    counts, spent, how, stats, total = done.counts, done.spent, done.how, done.stats, done.seconds
    for channel in counts:
        print(f"  {channel:<9} {counts[channel]:>9,}  read by {how[channel]}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the replay's
    ref = None
    if with_reference:  # right after, and after the peak is read: the peak is N's alone
        with store(None, pg_url is not None) as (ref_dir, ref_url):
            ref = replayed(REFERENCE, ref_dir, ref_url)
        print(f"reference: {ref.describe()}")
    floor_s = floor(n, workdir, pg_url)
    writes = None if pg_url else rows_floor(workdir / "replay.db", workdir, -(-n // BATCH))
    postgresql = pg_url is not None
    shared = (total - sum(spent.values())) / n
    floor_rate = n / floor_s
    overall = n / total
    per_channel: dict[str, float] = {}
    print(f"\nstore: {'PostgreSQL' if postgresql else 'SQLite'}")
    print(
        f"replay of {n:,}: {total:.1f} s, {overall:,.0f} msgs/s "
        f"({overall / floor_rate:.2f}x the floor of {floor_rate:,.0f} rows/s)"
    )
    print(
        f"  created {stats.created:,}, attached {stats.attached:,}, incidents "
        f"{stats.incidents:,} ({stats.linked:,} complaints linked), quarantined "
        f"{stats.quarantined:,}"
    )
    print(f"\n{'channel':<10}{'msgs':>10}{'msgs/s':>10}{'x floor':>9}  (read time + shared cost)")
    for channel in counts:
        seconds = spent[channel] + shared * counts[channel]
        rate = counts[channel] / seconds
        per_channel[channel] = round(rate)
        print(f"{channel:<10}{counts[channel]:>10,}{rate:>10,.0f}{rate / floor_rate:>9.2f}")
    json_rate = sum(counts[c] for c in JSON_CHANNELS) / sum(
        spent[c] + shared * counts[c] for c in JSON_CHANNELS
    )
    print(
        f"\npeak memory (ru_maxrss) {peak_mb:,.0f} MB; cost per message {done.us:.1f} µs"
        f" ({done.cpu_us:.1f} µs of CPU); load average {done.load[0]:.1f} -> {done.load[1]:.1f}"
        f"; pace {done.pace_us:.1f} µs a text"
    )
    growth = growth_figures(done, ref)
    json_n = sum(counts[c] for c in JSON_CHANNELS)
    json_read_us = 1e6 * sum(spent[c] for c in JSON_CHANNELS) / json_n
    print(
        f"reading alone: the JSON channels' readers take {json_read_us:.1f} µs a message;"
        f" the shared rest (cleanup, reporters, dedup, triage, writes) {1e6 * shared:.1f} µs"
    )
    if writes is not None:
        writes_s, rows = writes
        print(
            f"writes alone: the replay's {rows:,} rows and raw updates ({rows / n:.2f} a message)"
            f" written again bare take {writes_s:.1f} s, {1e6 * writes_s / n:.1f} µs a message:"
            f" at most {n / writes_s:,.0f} msgs/s with nothing else done"
        )
    print("targets: JSON channels >= 10,000/s, email >= 1,000/s, peak < 500 MB at 1M")
    figures = {
        "store": "postgresql" if postgresql else "sqlite",
        "messages": n,
        "replay_seconds": round(total, 2),
        "overall_msgs_per_s": round(overall),
        "json_channels_msgs_per_s": round(json_rate),
        "email_msgs_per_s": per_channel.get("email"),
        "per_channel_msgs_per_s": per_channel,
        "floor_rows_per_s": round(floor_rate),
        "ratio_to_floor": round(overall / floor_rate, 3),
        "peak_memory_mb": round(peak_mb),
        "cost_per_message_us": round(done.us, 1),
        "cpu_per_message_us": round(done.cpu_us, 1),
        "pace_us": round(done.pace_us, 1),
        "load_average": [round(x, 2) for x in done.load],
        **growth,
        "json_read_us_per_message": round(json_read_us, 1),
        "shared_us_per_message": round(1e6 * shared, 1),
        "writes_alone_msgs_per_s": round(n / writes[0]) if writes else None,
        "writes_alone_us_per_message": round(1e6 * writes[0] / n, 1) if writes else None,
        "rows_written_per_message": round(writes[1] / n, 2) if writes else None,
        "complaints_created": stats.created,
        "sources_attached": stats.attached,
        "incidents": stats.incidents,
        "readers": how,
    }
    print(json.dumps(figures))
    return 0


def growth_figures(done: Replayed, ref: Replayed | None) -> dict[str, object]:
    """The cost per message at N over the reference's (printed, and for the JSON)."""
    if ref is None:
        return {}
    wall, cpu = done.us / ref.us, done.cpu_us / ref.cpu_us
    paced = wall * ref.pace_us / done.pace_us
    print(
        f"cost growth: {done.n:,} vs {ref.n:,} messages {wall:.2f}x per message"
        f" ({done.us:.1f} / {ref.us:.1f} µs), CPU {cpu:.2f}x"
        f" ({done.cpu_us:.1f} / {ref.cpu_us:.1f} µs); over the pace {paced:.2f}x"
        f" (pace {done.pace_us:.1f} / {ref.pace_us:.1f} µs a text)"
    )
    return {
        "cost_growth_vs_50k": round(wall, 3),
        "cost_growth_1m_vs_50k": round(wall, 3) if done.n == 1_000_000 else None,
        "cpu_cost_growth_vs_50k": round(cpu, 3),
        "paced_cost_growth_vs_50k": round(paced, 3),
        "reference": {
            "messages": ref.n,
            "cost_per_message_us": round(ref.us, 1),
            "cpu_per_message_us": round(ref.cpu_us, 1),
            "pace_us": round(ref.pace_us, 1),
            "load_average": [round(x, 2) for x in ref.load],
        },
    }


if __name__ == "__main__":
    sys.exit(main())
