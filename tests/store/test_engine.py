"""SQLite engine settings that change what is on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from aduan.store import engine as engine_module
from aduan.store import make_engine


def test_wal_is_cut_back_after_a_burst(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    limit = 256 * 1024
    monkeypatch.setattr(engine_module, "WAL_SIZE_LIMIT", limit)
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    wal = tmp_path / "a.db-wal"
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE blobs (b BLOB)"))
    with engine.begin() as conn:  # a burst: 4 MB in one transaction
        for _ in range(64):
            conn.execute(text("INSERT INTO blobs VALUES (randomblob(65536))"))
    burst = wal.stat().st_size
    assert burst > 16 * limit
    raw = engine.raw_connection()
    raw.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)")
    raw.close()
    with engine.begin() as conn:  # the next write restarts the WAL and truncates it
        conn.execute(text("INSERT INTO blobs VALUES (x'00')"))
    assert wal.stat().st_size <= limit
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM blobs")).scalar() == 65
    engine.dispose()
