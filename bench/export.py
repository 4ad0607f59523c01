"""Benchmark ``aduan export`` against a bare sqlite3 SELECT + csv.writer floor.

A temporary SQLite store gets N complaints (200 000; 20 000 with --quick)
with Indonesian texts, a third of which carry a phone number, an e-mail
address, a "Nama:" line or a signature. In the same process it times:

* the floor: sqlite3 ``SELECT`` of the same columns from the tables, each row
  straight to ``csv.writer`` (no masking, no types);
* ``export`` to CSV (masked and with personal data), JSON Lines and Parquet.

Prints rows/s and the ratio to the floor, then ONE line of JSON.

    .venv/bin/python bench/export.py --quick
"""

from __future__ import annotations

import argparse
import csv
import json
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aduan.analytics.export import ExportFormat, export
from aduan.analytics.period import Period
from aduan.store import open_store
from aduan.store.types import sqlite_text

TEXTS = [
    "Lampu penerangan jalan umum di depan masjid mati sejak minggu lalu, jalan gelap.",
    "Saluran air di RT 05/RW 03 mampet, kalau hujan rumah warga kebanjiran.",
    "Nama: Siti Aminah\nJalan berlubang di depan sekolah, sudah ada motor jatuh.",
    "Pohon tumbang menutup jalan. Hubungi saya di 0812-0001-2345 untuk lokasi.",
    "Sampah menumpuk tiga hari tidak diangkut. Balas ke warga@example.com ya.",
    "Trotoar rusak dan membahayakan pejalan kaki.\n\nTerima kasih,\nBudi Santoso",
]
FLOOR_SQL = (
    "SELECT c.reference, c.channel, c.account, r.key, c.category, c.agency, c.priority,"
    " c.track, c.status, c.received_at, c.due_at, c.resolved_at, c.overdue, 0, i.reference,"
    " c.kecamatan, c.kelurahan, c.lat, c.lon, c.source_count, c.subject, c.text, c.address,"
    " r.display_name, NULL FROM complaints c LEFT JOIN reporters r ON r.id = c.reporter_id"
    " LEFT JOIN incidents i ON i.id = c.incident_id ORDER BY c.id"
)


def seed(path: Path, rows: int) -> None:
    open_store(f"sqlite:///{path}").dispose()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    sql = (
        "INSERT INTO complaints (reference, channel, account, text, original_text, match_text,"
        " received_at, created_at, updated_at, status, source_count, overdue, extra, category,"
        " agency, due_at, kecamatan, lat, lon) VALUES (?, ?, 'main', ?, ?, '', ?, ?, ?, 'new',"
        " 1, 0, '{}', 'lampu', 'dinas-bina-marga', ?, 'Kebayoran Baru', -6.2445, 106.8001)"
    )
    channels = ("sms", "email", "twitter", "telegram", "walkin")

    def values() -> object:
        for i in range(rows):
            at = start + timedelta(seconds=30 * i)
            text = TEXTS[i % len(TEXTS)]
            when, due = sqlite_text(at), sqlite_text(at + timedelta(days=3))
            yield (f"ADU-2026-{i:07d}", channels[i % 5], text, text, when, when, when, due)

    with sqlite3.connect(path) as conn:
        conn.executemany(sql, values())  # type: ignore[arg-type]


def floor(path: Path, out: Path) -> tuple[int, float]:
    began = time.perf_counter()
    conn = sqlite3.connect(path)
    count = 0
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        cursor = conn.execute(FLOOR_SQL)
        while chunk := cursor.fetchmany(5000):
            writer.writerows(chunk)
            count += len(chunk)
    conn.close()
    return count, time.perf_counter() - began


def timed(path: Path, out: Path, fmt: ExportFormat, personal: bool) -> tuple[int, float]:
    engine = open_store(f"sqlite:///{path}", migrate=False)
    began = time.perf_counter()
    with engine.connect() as conn:
        rows = export(conn, out, fmt, Period(), include_personal_data=personal).rows
    elapsed = time.perf_counter() - began
    engine.dispose()
    return rows, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 000 rows instead of 200 000")
    parser.add_argument("--rows", type=int, default=None)
    args = parser.parse_args()
    rows = args.rows or (20_000 if args.quick else 200_000)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = folder / "aduan.db"
        seed(db, rows)
        n, seconds = floor(db, folder / "floor.csv")
        assert n == rows
        floor_rate = rows / seconds
        print(f"{rows} complaints; floor sqlite3 SELECT + csv.writer: {floor_rate:,.0f} rows/s")
        figures: dict[str, float | int] = {"rows": rows, "floor_rows_per_s": round(floor_rate)}
        cases = [
            ("csv_masked", ExportFormat.csv, False),
            ("csv_personal", ExportFormat.csv, True),
            ("jsonl_masked", ExportFormat.jsonl, False),
            ("parquet_masked", ExportFormat.parquet, False),
        ]
        for name, fmt, personal in cases:
            n, seconds = timed(db, folder / f"{name}.{fmt.value}", fmt, personal)
            assert n == rows
            rate = rows / seconds
            ratio = floor_rate / rate
            print(f"export {name:15s} {rate:10,.0f} rows/s  ({ratio:.1f}x the floor's time)")
            figures[f"export_{name}_rows_per_s"] = round(rate)
            figures[f"export_{name}_vs_floor"] = round(ratio, 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
