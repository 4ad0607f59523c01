"""While the normalize job works through a backlog, a webhook's commit waits behind one short
batch at most (SQLite has one writer at a time), and every raw is still normalized once."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import Connection, func, select

from aduan.config.normalize import NormalizeSettings
from aduan.core.messages import RawMessage
from aduan.daemon import normalize_job
from aduan.normalize.pipeline import Normalizer
from aduan.normalize.readers import Readers
from aduan.normalize.reading import StoredRaw
from aduan.normalize.rows import Stats
from aduan.runtime import Runtime
from aduan.runtime.loader import load_settings
from aduan.store import save_batch
from aduan.store.models import complaints, raw_messages
from aduan.triage.writer import BatchTriage
from aduan.web.sink import RawSink
from tests.normalize.conftest import raw

pytestmark = pytest.mark.timing  # a wall-clock limit: make test runs it after the rest, alone

BACKLOG = 600
WORK_PER_RAW = 0.002
"""Seconds of work per raw inside the transaction, about a busy machine's cost: a batch of
the whole backlog would hold the store for more than a second."""


class SlowNormalizer(Normalizer):
    def __init__(self) -> None:
        super().__init__(NormalizeSettings(), Readers(), triage=BatchTriage)
        self.working = threading.Event()

    def process(
        self, conn: Connection, batch: Sequence[StoredRaw], *, until: float | None = None
    ) -> Stats:
        self.working.set()
        time.sleep(WORK_PER_RAW * len(batch))
        return super().process(conn, batch, until=until)


def message(i: int, prefix: str = "b") -> RawMessage:
    text = f"Lampu jalan mati di Gg. Mawar {i}"
    return raw(f"{prefix}{i}", text, f"tel:+62812{i:08d}", minutes=i)


def test_webhooks_commit_between_the_normalize_jobs_batches(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings(
        env={"ADUAN_DATABASE_URL": store_url, "ADUAN_DATA_DIR": str(tmp_path / "data")}
    )
    runtime = Runtime.create(settings, logging=False)
    normalizer = SlowNormalizer()
    monkeypatch.setattr(normalize_job, "runtime_normalizer", lambda _runtime: normalizer)
    save_batch(runtime.engine, [message(i) for i in range(BACKLOG)])
    job = threading.Thread(target=normalize_job.run_normalize, args=(runtime, lambda: False))
    job.start()
    assert normalizer.working.wait(30)

    async def intake() -> list[float]:
        sink = RawSink(runtime.engine)
        waits = []
        try:
            for i in range(5):
                started = time.perf_counter()
                result = await sink.submit([message(BACKLOG + i, "w")])
                waits.append(time.perf_counter() - started)
                assert len(result.new) == 1
                await asyncio.sleep(0.03)
        finally:
            await sink.stop()
        return waits

    waits = asyncio.run(intake())
    job.join(120)
    normalize_job.run_normalize(runtime, lambda: False)  # what came in after its last batch
    with runtime.engine.connect() as conn:
        made = conn.scalar(select(func.count()).select_from(complaints))
        statuses = dict(
            conn.execute(
                select(raw_messages.c.status, func.count()).group_by(raw_messages.c.status)
            ).all()
        )
    runtime.close()
    # One batch of the whole backlog held the store for over a second; now a webhook waits
    # for one batch of about transaction_ms (50 ms), with room for a busy machine.
    assert max(waits) < 0.5, waits
    assert made == BACKLOG + 5 and statuses == {"normalized": BACKLOG + 5}
