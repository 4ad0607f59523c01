"""Export memory stays flat: ten times the rows must not need more memory.

The store gets 200 000 complaints spread evenly over 100 days. The same
export runs, each time in a fresh process, on the first 10 days (20 000 rows)
and on all of them. The process's peak resident memory (``ru_maxrss``, which
counts Python objects, Arrow buffers and SQLite's cache alike) grows during
the export by some amount for the small run; the large run may grow by at
most 1.5 times that plus 8 MB. An export that held every row at once would
grow by about ten times as much (measured: roughly 1 KB per row).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from aduan.store.types import sqlite_text
from tests.analytics.seed import utc

ROWS = 200_000
DAYS = 100
START = utc("2026-01-01 00:00")
TEXT = (
    "Selamat siang, lampu penerangan jalan umum di depan masjid sudah mati sejak "
    "minggu lalu sehingga jalan gelap dan rawan kejahatan. Mohon segera diperbaiki."
)


def bulk_seed(engine: Engine) -> None:
    """Straight through sqlite3's executemany: 200 000 rows in a few seconds."""
    step = timedelta(days=DAYS) / ROWS
    sql = (
        "INSERT INTO complaints (reference, channel, account, text, original_text, match_text,"
        " received_at, created_at, updated_at, status, source_count, overdue, extra, category,"
        " due_at) VALUES (?, 'sms', 'main', ?, ?, '', ?, ?, ?, 'new', 1, 0, '{}', 'lampu', ?)"
    )

    def rows() -> Iterator[tuple[object, ...]]:
        for i in range(ROWS):
            at = sqlite_text(START + i * step)
            due = sqlite_text(START + i * step + timedelta(days=3))
            yield (f"ADU-2026-{i:07d}", TEXT, TEXT, at, at, at, due)

    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("BEGIN")
        cursor.executemany(sql, rows())
        cursor.execute("COMMIT")
    finally:
        raw.close()


MEASURE = """
import json, resource, sys
from datetime import datetime
from pathlib import Path
from aduan.analytics.export import ExportFormat, export
from aduan.analytics.period import Period
from aduan.store import make_engine

url, out, fmt, until = sys.argv[1:5]
engine = make_engine(url, read_only=True)
period = Period(None, datetime.fromisoformat(until) if until else None)
with engine.connect() as conn:
    conn.exec_driver_sql("SELECT count(*) FROM v_complaints").all()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rows = export(conn, Path(out), ExportFormat(fmt), period).rows
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"rows": rows, "growth_kb": after - before}))
"""


def growth(url: str, out: Path, fmt: str, until: str) -> tuple[int, int]:
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, url, str(out), fmt, until],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    return int(figures["rows"]), int(figures["growth_kb"])


@pytest.mark.slow
def test_memory_is_flat(sqlite_engine: Engine, tmp_path: Path) -> None:
    bulk_seed(sqlite_engine)
    url = str(sqlite_engine.url)
    tenth = (START + timedelta(days=DAYS // 10)).isoformat()
    for fmt in ("csv", "parquet"):
        out = tmp_path / f"out.{fmt}"
        small_rows, small_kb = growth(url, out, fmt, tenth)
        all_rows, all_kb = growth(url, out, fmt, "")
        assert (small_rows, all_rows) == (ROWS // 10, ROWS)
        assert all_kb < 1.5 * small_kb + 8 * 1024, (fmt, small_kb, all_kb)
