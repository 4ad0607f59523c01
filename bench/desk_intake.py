"""Walk-in desk intake: entries per second through the full desk path vs the bare raw insert.

The desk path per entry: check the fields, keep one small photo as a blob,
hash the NIK, reserve a reference (its own commit), parse through the walkin
channel and store the raw row (another commit). The baseline in the same
process stores equally sized raw rows with one ``save_batch`` commit each,
the floor any raw-first intake pays. A desk serves people at a counter, so
the figure to watch is headroom, not raw speed. Three durable writes per entry
(reference, blob fsync, raw row) against one put the ratio near 1/3.

    .venv/bin/python bench/desk_intake.py [--quick] [--entries N]

The last line is JSON: entries_per_s, baseline_per_s, ratio, ms_per_entry.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import func, select

from aduan.config import Settings
from aduan.core.clock import utcnow
from aduan.core.messages import RawMessage
from aduan.desk.auth import Clerk
from aduan.desk.entry import Upload, check_entry
from aduan.desk.intake import intake
from aduan.runtime import Runtime
from aduan.store import open_store, save_batch
from aduan.store.keys import nik_hash_key
from aduan.store.models import raw_messages

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f80f00000101000518d84e0000000049454e44ae426082"
)
FORM = {
    "nama": "Warga Uji",
    "nik": "3174051203850001",
    "telepon": "0812-0001-2345",
    "email": "warga@example.com",
    "alamat": "Jl. Contoh No. 1",
    "kelurahan": "Bangka",
    "kecamatan": "Mampang Prapatan",
    "isi": "Lampu jalan mati sejak seminggu, mohon segera diperbaiki oleh petugas.",
    "kategori": "street_lighting",
}


def run(entries: int, folder: Path) -> dict[str, float]:
    desk_url = f"sqlite:///{folder / 'desk.db'}"
    engine = open_store(desk_url)
    settings = Settings(database_url=desk_url, data_dir=folder / "data")
    runtime = Runtime(settings, engine, {}, lambda: nik_hash_key(engine))
    clerk = Clerk("bench", "loket-1", "bench")
    started = time.perf_counter()
    for n in range(entries):
        checked = check_entry(
            {**FORM, "isi": f"{FORM['isi']} #{n}"},
            True,
            [Upload("foto.png", "image/png", PNG + n.to_bytes(4, "big"))],
            settings.desk,
        )
        assert checked.ok, checked.errors
        receipt = intake(runtime, checked, clerk, f"desk:{uuid.uuid4()}")
        assert receipt.new
    desk_seconds = time.perf_counter() - started
    with engine.connect() as conn:
        size = int(conn.execute(select(func.avg(func.length(raw_messages.c.payload)))).scalar_one())
    engine.dispose()

    base_engine = open_store(f"sqlite:///{folder / 'base.db'}")
    payload = b"x" * size
    started = time.perf_counter()
    for n in range(entries):
        raw = RawMessage("walkin", "desk", f"b{n}", payload, "application/json", utcnow())
        save_batch(base_engine, [raw])
    base_seconds = time.perf_counter() - started
    base_engine.dispose()
    return {
        "entries": entries,
        "entries_per_s": round(entries / desk_seconds, 1),
        "baseline_per_s": round(entries / base_seconds, 1),
        "ratio": round(base_seconds / desk_seconds, 3),
        "ms_per_entry": round(1000 * desk_seconds / entries, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 entries instead of 2,000")
    parser.add_argument("--entries", type=int, default=None)
    args = parser.parse_args()
    entries = args.entries or (200 if args.quick else 2000)
    with tempfile.TemporaryDirectory() as folder:
        figures = run(entries, Path(folder))
    print(f"walk-in desk intake, {entries} entries on SQLite")
    print(f"  desk path : {figures['entries_per_s']:>9,.1f} entries/s "
          f"({figures['ms_per_entry']} ms each)")  # fmt: skip
    print(f"  bare raw  : {figures['baseline_per_s']:>9,.1f} rows/s (one commit each)")
    print(f"  ratio     : {figures['ratio']:.2f} of the bare floor")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
