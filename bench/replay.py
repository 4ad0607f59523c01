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
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from replay_corpus import BATCH, JSON_CHANNELS, LOCAL, generate  # noqa: E402
from replay_floors import floor, rows_floor  # noqa: E402  (bench/ is the script's own folder)

from aduan.channels.registry import REGISTRY  # noqa: E402
from aduan.config.normalize import NormalizeSettings  # noqa: E402
from aduan.config.triage import ModelSettings, TriageSettings  # noqa: E402
from aduan.core.messages import Message, RawMessage  # noqa: E402
from aduan.normalize.pipeline import Normalizer  # noqa: E402
from aduan.normalize.readers import Reader, Readers  # noqa: E402
from aduan.normalize.replay import Slice, replay  # noqa: E402
from aduan.store import open_store  # noqa: E402
from aduan.store.raw import insert_raws  # noqa: E402
from aduan.triage import configure  # noqa: E402
from aduan.triage.router import current_model  # noqa: E402
from aduan.triage.writer import BatchTriage  # noqa: E402
from tests.helpers.databases import admin_dsn, create_database  # noqa: E402


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
    args = parser.parse_args(argv)
    n = 50_000 if args.quick else args.n
    if args.model is not None:
        model = ModelSettings(enabled=True, directory=args.model)
        configure(TriageSettings(model=model))
        if current_model() is None:
            sys.exit(f"replay: no usable triage model in {args.model}")
    if not args.postgresql:
        return run(n, args.keep, None)
    if admin_dsn() is None:
        sys.exit("replay: no PostgreSQL answers on the local socket or 127.0.0.1:5432")
    databases = create_database()
    try:
        return run(n, args.keep, next(databases))
    finally:
        databases.close()  # drops the database


def run(n: int, keep: Path | None, pg_url: str | None) -> int:
    with tempfile.TemporaryDirectory(prefix="aduan-bench-") as tmp:
        workdir = keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        url = pg_url or f"sqlite:///{workdir / 'replay.db'}"
        engine = open_store(url)
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
        for channel in counts:
            print(f"  {channel:<9} {counts[channel]:>9,}  read by {how[channel]}")
        spent: defaultdict[str, float] = defaultdict(float)
        normalizer = Normalizer(
            NormalizeSettings(), Readers(extra=timed(chosen, spent)), triage=BatchTriage
        )
        t = time.perf_counter()
        stats = replay(engine, normalizer, Slice(), batch_size=BATCH)
        total = time.perf_counter() - t
        engine.dispose()
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the replay's
        floor_s = floor(n, workdir, pg_url)
        writes = None if pg_url else rows_floor(workdir / "replay.db", workdir, -(-n // BATCH))
    shared = (total - sum(spent.values())) / n
    floor_rate = n / floor_s
    overall = n / total
    per_channel: dict[str, float] = {}
    print(f"\nstore: {'PostgreSQL' if pg_url else 'SQLite'}")
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
    print(f"\npeak memory (ru_maxrss) {peak_mb:,.0f} MB; cost per message {1e6 * total / n:.1f} µs")
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
        "store": "postgresql" if pg_url else "sqlite",
        "messages": n,
        "replay_seconds": round(total, 2),
        "overall_msgs_per_s": round(overall),
        "json_channels_msgs_per_s": round(json_rate),
        "email_msgs_per_s": per_channel.get("email"),
        "per_channel_msgs_per_s": per_channel,
        "floor_rows_per_s": round(floor_rate),
        "ratio_to_floor": round(overall / floor_rate, 3),
        "peak_memory_mb": round(peak_mb),
        "cost_per_message_us": round(1e6 * total / n, 1),
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


if __name__ == "__main__":
    sys.exit(main())
