"""Export memory stays flat: ten times the rows must not need more memory.

The store gets 200 000 complaints spread evenly over 100 days. The same
export runs on the first 10 days (20 000 rows) and then on all of them; the
peak of Python allocations (tracemalloc) and, for Parquet, of Arrow's memory
pool must stay within 1.5 times the smaller run's (plus 2 MB of slack). An
export that loaded every row at once would need about ten times as much.
"""

from __future__ import annotations

import tracemalloc
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pytest
from sqlalchemy import Engine, insert

from aduan.analytics.export import ExportFormat, export
from aduan.analytics.period import Period
from aduan.store.models import complaints
from tests.analytics.seed import complaint_values, utc

ROWS = 200_000
DAYS = 100
START = utc("2026-01-01 00:00")
TEXT = (
    "Selamat siang, lampu penerangan jalan umum di depan masjid sudah mati sejak "
    "minggu lalu sehingga jalan gelap dan rawan kejahatan. Mohon segera diperbaiki."
)


def bulk_seed(engine: Engine) -> None:
    step = timedelta(days=DAYS) / ROWS
    with engine.begin() as conn:
        for first in range(0, ROWS, 20_000):
            conn.execute(
                insert(complaints),
                [
                    complaint_values(
                        f"ADU-2026-{i:07d}",
                        "sms",
                        START + i * step,
                        text=TEXT,
                        category="lampu",
                        due_at=START + i * step + timedelta(days=3),
                    )
                    for i in range(first, min(first + 20_000, ROWS))
                ],
            )


def peaks(engine: Engine, out: Path, fmt: ExportFormat, period: Period) -> tuple[int, int, int]:
    tracemalloc.start()
    try:
        with engine.connect() as conn:
            result = export(conn, out, fmt, period)
        _, python_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result.rows, python_peak, pa.default_memory_pool().max_memory() or 0


@pytest.mark.slow
def test_memory_is_flat(sqlite_engine: Engine, tmp_path: Path) -> None:
    bulk_seed(sqlite_engine)
    tenth = Period(None, START + timedelta(days=DAYS // 10))
    for fmt in (ExportFormat.csv, ExportFormat.parquet):
        out = tmp_path / f"out.{fmt.value}"
        small_rows, small_peak, small_arrow = peaks(sqlite_engine, out, fmt, tenth)
        all_rows, all_peak, all_arrow = peaks(sqlite_engine, out, fmt, Period())
        assert (small_rows, all_rows) == (ROWS // 10, ROWS)
        slack = 2 * 1024 * 1024
        assert all_peak < 1.5 * small_peak + slack, (fmt, small_peak, all_peak)
        if fmt is ExportFormat.parquet:
            assert all_arrow < 1.5 * small_arrow + slack, (small_arrow, all_arrow)
