"""Benchmark the desk inbox's queries at 100 000 complaints on SQLite and PostgreSQL.

A fresh store (a temporary SQLite file; a throw-away PostgreSQL database at
127.0.0.1:5432, trust auth, dropped afterwards) gets N synthetic complaints
(100 000; 10 000 with ``--quick``) through the store's bulk writer, with the
migrations' triggers and indexes in place (the FTS5 table fills as rows go
in), then ANALYZEd (PostgreSQL: VACUUM ANALYZE, as autovacuum would; SQLite:
``--no-analyze`` for a store never analyzed, as aduan leaves it). Texts are
built from phrase fragments — no real people. About a third
of the complaints are open, deadlines spread over a year up to next week,
eleven agencies, ten kecamatan, eight channels.

Timed in the same process, median of 5 after one warm-up, each the page's
full work (the list of 50 *and* the counts):

* ``clerk default``: every case, by deadline;
* ``officer default``: one agency's cases (the scope condition);
* ``filtered``: open, one category, one kecamatan, received in the last 90 days;
* ``late``: open and past the deadline;
* ``search``: two words over the complaint text (FTS5 / Indonesian tsvector);
* ``search officer``: the same, within one agency;

and the floor: a bare ``SELECT <the same columns> FROM complaints LIMIT 50``
through the driver. Prints ms and the ratio to the floor, then ONE line of
JSON. The target is under 200 ms for every query.

    .venv/bin/python bench/desk_inbox.py --quick
    .venv/bin/python bench/desk_inbox.py --no-pg
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Engine, text

from aduan.config.triage import CalendarSettings
from aduan.desk.access import Viewer
from aduan.desk.inbox import DeadlineClock, InboxFilter, counts, rows
from aduan.store import open_store
from aduan.store.bulk import insert_rows
from aduan.store.models import complaints

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test"
TARGET_MS = 200.0
AGENCIES = (
    ("sudin-bina-marga", ("roads", "street_lighting")),
    ("sudin-sda", ("drainage_flooding",)),
    ("sudin-lh", ("waste",)),
    ("sudin-tamhut", ("parks_trees",)),
    ("sudin-hub", ("traffic",)),
    ("satpol-pp", ("public_order",)),
    ("sudin-kes", ("health",)),
    ("sudin-dukcapil", ("civil_registry",)),
    ("sudin-citata", ("building_permits",)),
    ("sudin-sosial", ("social",)),
    ("pam-jaya", ("water_supply",)),
)
KECAMATAN = (
    "Tebet", "Setiabudi", "Mampang Prapatan", "Pasar Minggu", "Kebayoran Lama",
    "Cilandak", "Kebayoran Baru", "Pancoran", "Jagakarsa", "Pesanggrahan",
)  # fmt: skip
CHANNELS = ("sms", "email", "twitter", "telegram", "walkin", "facebook", "whatsapp", "rss")
SUBJECTS = (
    "Lampu jalan", "Saluran air", "Jalan", "Trotoar", "Sampah", "Pohon", "Got",
    "Pipa air", "Parkir liar", "Pedagang kaki lima", "Lampunya", "Taman",
)  # fmt: skip
PROBLEMS = (
    "mati sejak minggu lalu", "tersumbat dan berbau", "berlubang besar", "rusak parah",
    "menumpuk tiga hari", "tumbang menutup jalan", "mampet kalau hujan", "bocor terus",
    "mengganggu pejalan kaki", "belum diperbaiki", "gelap di malam hari", "banjir lagi",
)  # fmt: skip
PLACES = (
    "di depan masjid", "dekat sekolah", "di gang sempit", "di ujung jalan", "depan pasar",
    "dekat halte", "di RT 05 RW 03", "samping kantor kelurahan", "dekat stasiun",
)  # fmt: skip
TAILS = ("Mohon segera ditindaklanjuti.", "Terima kasih.", "Sudah lapor dua kali.", "", "Tolong!")
OPEN = ("new", "triaged", "in_progress")
CLOSED = ("resolved", "closed", "rejected")


def synthetic(n: int, now: datetime, seed: int = 7) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    for i in range(n):
        agency, categories = AGENCIES[i % len(AGENCIES)]
        received = now - timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        open_case = rng.random() < 0.3
        due = received + timedelta(days=3, hours=rng.randrange(0, 48))
        if open_case:  # open cases are recent: due from two weeks ago to next week
            due = now + timedelta(hours=rng.randrange(-14 * 24, 7 * 24))
        words = (rng.choice(SUBJECTS), rng.choice(PROBLEMS), rng.choice(PLACES))
        body = f"{' '.join(words)} di Kec. {KECAMATAN[i % 10]}. {rng.choice(TAILS)}".strip()
        yield {
            "reference": f"ADU-{received.year}-{i + 1:06d}",
            "channel": CHANNELS[rng.randrange(len(CHANNELS))],
            "account": "bench",
            "text": body,
            "original_text": body,
            "match_text": body.lower(),
            "received_at": received,
            "created_at": received,
            "updated_at": received,
            "category": rng.choice(categories),
            "agency": agency,
            "priority": "normal",
            "track": "same_day",
            "due_at": due,
            "status": rng.choice(OPEN if open_case else CLOSED),
            "source_count": 1,
            "overdue": False,
            "extra": {},
            "kecamatan": KECAMATAN[(i * 7) % 10],
        }


def seed(engine: Engine, n: int, now: datetime, *, analyze: bool = True) -> float:
    started = time.perf_counter()
    batch: list[dict[str, Any]] = []
    with engine.begin() as conn:
        for row in synthetic(n, now):
            batch.append(row)
            if len(batch) == 10_000:
                insert_rows(conn, complaints, batch)
                batch = []
        insert_rows(conn, complaints, batch)
    if engine.dialect.name == "sqlite":
        # In a transaction the store's own BEGIN commits (under AUTOCOMMIT it is rolled
        # back, and the statistics with it). ``--no-analyze``: a store never analyzed.
        if analyze:
            with engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        return time.perf_counter() - started
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # What autovacuum does for a store that has been running (visibility map, stats).
        conn.exec_driver_sql("VACUUM ANALYZE")
    return time.perf_counter() - started


def median_ms(work: Callable[[], object], repeat: int = 5) -> float:
    work()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(engine: Engine, now: datetime) -> dict[str, float]:
    clock = DeadlineClock(CalendarSettings(), "Asia/Jakarta").at(now)
    clerk = Viewer("bench", "clerk")
    officer = Viewer("bench-sda", "officer", "sudin-sda")
    cases = {
        "clerk default": (clerk, InboxFilter()),
        "officer default": (officer, InboxFilter()),
        "filtered": (
            clerk,
            InboxFilter(
                status="terbuka",
                category="drainage_flooding",
                kecamatan="Tebet",
                since=(now - timedelta(days=90)).date(),
            ),
        ),
        "late": (clerk, InboxFilter(deadline="lewat")),
        "search": (clerk, InboxFilter(q="lampu mati")),
        "search officer": (officer, InboxFilter(q="saluran tersumbat")),
        "page 20": (clerk, InboxFilter(page=20)),
    }
    found: dict[str, float] = {}
    with engine.connect() as conn:
        floor_sql = (
            "SELECT id, reference, text, channel, category, agency, kecamatan, kelurahan,"
            " status, received_at, due_at FROM complaints LIMIT 50"
        )
        found["floor"] = median_ms(lambda: conn.exec_driver_sql(floor_sql).fetchall())
        for name, (viewer, wanted) in cases.items():

            def page(viewer: Viewer = viewer, wanted: InboxFilter = wanted) -> object:
                return rows(conn, viewer, wanted, clock), counts(conn, viewer, wanted, clock)

            found[name] = median_ms(page)
            found[f"{name} (list only)"] = median_ms(
                lambda viewer=viewer, wanted=wanted: rows(conn, viewer, wanted, clock)
            )
    return found


@contextmanager
def postgres() -> Iterator[str]:
    name = f"aduan_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(url: str, n: int, *, analyze: bool = True) -> dict[str, Any]:
    now = datetime.now(UTC)
    engine = open_store(url)
    try:
        seconds = seed(engine, n, now, analyze=analyze)
        with engine.connect() as conn:
            size = conn.execute(text("SELECT count(*) FROM complaints")).scalar_one()
        figures = measure(engine, now)
    finally:
        engine.dispose()
    return {"rows": size, "seed_s": round(seconds, 1), "ms": figures}


def report(name: str, result: dict[str, Any]) -> None:
    figures = result["ms"]
    floor = figures["floor"]
    print(f"\n{name}: {result['rows']} complaints (seeded in {result['seed_s']} s)")
    print(f"  {'query':<30} {'ms':>8} {'x floor':>9}")
    for query, ms in figures.items():
        flag = "" if ms < TARGET_MS or query == "floor" else "  OVER TARGET"
        print(f"  {query:<30} {ms:8.2f} {ms / floor:9.1f}{flag}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 000 rows instead of 100 000")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument(
        "--no-analyze", action="store_true", help="SQLite: no ANALYZE (planner statistics)"
    )
    args = parser.parse_args()
    n = args.rows or (10_000 if args.quick else 100_000)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'aduan.db'}"
        results["sqlite"] = run(url, n, analyze=not args.no_analyze)
    report("SQLite", results["sqlite"])
    if not args.no_pg:
        with postgres() as url:
            results["postgresql"] = run(url, n)
        report("PostgreSQL", results["postgresql"])
    worst = max(ms for result in results.values() for q, ms in result["ms"].items() if q != "floor")
    results["worst_ms"] = round(worst, 2)
    results["target_met"] = worst < TARGET_MS
    print(json.dumps(results, default=lambda v: round(v, 3)))


if __name__ == "__main__":
    main()
