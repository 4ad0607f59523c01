"""The floors ``bench/replay.py`` measures its replay against, in the same run.

- :func:`floor`: one ``executemany`` of N complaint rows in one transaction (SQLite,
  or PostgreSQL by URL);
- :func:`rows_floor`: every row a finished replay wrote, and its update of each raw
  message, written again bare into a fresh store in as many transactions, with
  foreign-key checks off and datetimes already text: the most any normalizer writing
  those rows could reach;
- :class:`Pace`: a fixed piece of the normalizer's own pure-Python work, timed between
  batches during a replay: how fast this machine runs our code at that moment. Other
  processes on shared cores slow a long replay unevenly; its cost over the pace's is
  the cost the machine's load does not explain.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aduan.normalize.features import extract
from aduan.places.extract import default_extractor
from aduan.store import open_store


def _bare_store(path: Path) -> sqlite3.Connection:
    """A fresh store's schema at ``path``, opened with sqlite3 itself (autocommit), with
    the journal and durability aduan's own engine uses."""
    open_store(f"sqlite:///{path}").dispose()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    return db


def floor(n: int, workdir: Path, url: str | None = None) -> float:
    """executemany of n complaint rows in one transaction into the real schema:
    in a SQLite file of its own, or in the emptied PostgreSQL database at ``url``."""
    if url is not None:
        return _pg_floor(n, url)
    db = _bare_store(workdir / "floor.db")
    start = time.perf_counter()
    db.execute("BEGIN")
    db.executemany(FLOOR_SQL, floor_rows(n, datetime.now(UTC).isoformat()))
    db.execute("COMMIT")
    elapsed = time.perf_counter() - start
    db.close()
    return elapsed


def _pg_floor(n: int, url: str) -> float:
    engine = open_store(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE complaints, triage_decisions, complaint_sources CASCADE")
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        start = time.perf_counter()
        rows: Any = floor_rows(n, datetime.now(UTC))  # psycopg streams any iterable
        cursor.executemany(FLOOR_SQL.replace("?", "%s"), rows)
        raw.commit()
        elapsed = time.perf_counter() - start
    finally:
        raw.close()
        engine.dispose()
    return elapsed


ROW_TABLES = (
    "reporters",
    "reporter_identities",
    "reporter_merges",
    "incidents",
    "complaints",
    "complaint_sources",
    "attachments",
    "triage_decisions",
)
"""The tables a replay writes, parents first."""


def rows_floor(replay_db: Path, workdir: Path, batches: int) -> tuple[float, int]:
    """The replay's writes alone: every row it wrote, and its update of each raw message,
    written again into a fresh store, the same ``executemany`` in the same number of
    transactions, with nothing read, cleaned, deduplicated or triaged. No normalizer
    that writes these rows can be faster than this. Returns (seconds, rows written)."""
    db = _bare_store(workdir / "rows-floor.db")
    done = sqlite3.connect(replay_db)
    db.execute("ATTACH DATABASE ? AS done", (str(replay_db),))
    columns = [r[1] for r in db.execute("PRAGMA done.table_info(raw_messages)")]
    reset = {
        "status": "'pending'",
        "error": "NULL",
        "normalized_at": "NULL",
        "complaint_id": "NULL",
        "attempts": "0",
    }
    db.execute(
        f"INSERT INTO raw_messages ({', '.join(columns)}) SELECT "
        + ", ".join(reset.get(c, c) for c in columns)
        + " FROM done.raw_messages"
    )
    sources: list[tuple[str, Any, int]] = []
    for table in ROW_TABLES:
        names = [r[1] for r in db.execute(f"PRAGMA done.table_info({table})")]
        count = db.execute(f"SELECT count(*) FROM done.{table}").fetchone()[0]
        sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        reader = done.execute(f"SELECT * FROM {table} ORDER BY id")
        sources.append((sql, reader, -(-count // batches)))
    raw_sql = (
        "UPDATE raw_messages SET status = ?, error = ?, normalized_at = ?, complaint_id = ?,"
        " attempts = attempts + 1 WHERE id = ?"
    )
    raws = done.execute(
        "SELECT status, error, normalized_at, complaint_id, id FROM raw_messages"
        " ORDER BY received_at, id"
    )
    raw_chunk = -(-db.execute("SELECT count(*) FROM raw_messages").fetchone()[0] // batches)
    elapsed, written = 0.0, 0
    for _ in range(batches):
        chunks = [(sql, reader.fetchmany(size)) for sql, reader, size in sources]
        updates = raws.fetchmany(raw_chunk)
        start = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        for sql, rows in chunks:
            db.executemany(sql, rows)
        db.executemany(raw_sql, updates)
        db.execute("COMMIT")
        elapsed += time.perf_counter() - start
        written += sum(len(rows) for _, rows in chunks) + len(updates)
    done.close()
    db.close()
    return elapsed, written


FLOOR_SQL = (
    "INSERT INTO complaints (reference, channel, account, reporter_id, text, original_text,"
    " match_text, text_hash, received_at, created_at, updated_at, category, agency, priority,"
    " track, due_at, triage_source, status, source_count, overdue, extra, language)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)


def floor_rows(n: int, now: Any) -> Iterator[tuple[Any, ...]]:
    return (
        (
            f"ADU-2026-{i:07d}",
            "sms",
            "bench",
            1,
            "lampu jalan mati di gang mawar rt 02 " * 3,
            "lampu jalan mati di gang mawar rt 02 " * 3,
            "lampu jalan mati gang mawar",
            "h" * 32,
            now,
            now,
            now,
            "street_light",
            "Sudin Bina Marga",
            "normal",
            "same_day",
            now,
            "rules",
            "triaged",
            1,
            False,
            "{}",
            "id",
        )
        for i in range(n)
    )


class Pace:
    """Features and place of the same ``texts`` complaint texts, every ``every`` batches.

    Pass it as the replay's ``progress``; :attr:`spent` and :attr:`cpu_spent` are its
    own wall and CPU time, to take out of the replay's; :attr:`us` is the mean time of a
    round per text."""

    def __init__(self, make_text: Any, texts: int = 300, every: int = 2) -> None:
        rng = random.Random(11)
        self.texts = [make_text(rng).lower() for _ in range(texts)]
        self.every = every
        self.batches = 0
        self.rounds: list[float] = []
        self.spent = self.cpu_spent = 0.0
        self._round()  # the lexicon and gazetteer loaded, caches warm: not a round
        self()  # one round before the replay, so a short replay has one too
        self.spent = self.cpu_spent = 0.0  # not the replay's time

    def __call__(self, _rows: int = 0) -> None:
        self.batches += 1
        if (self.batches - 1) % self.every:
            return
        t, cpu = time.perf_counter(), time.process_time()
        self._round()
        took = time.perf_counter() - t
        self.rounds.append(took)
        self.spent += took
        self.cpu_spent += time.process_time() - cpu

    def _round(self) -> None:
        places = default_extractor()
        for text in self.texts:
            extract(text)
            places.extract(text)

    @property
    def us(self) -> float:
        return 1e6 * sum(self.rounds) / len(self.rounds) / len(self.texts)
