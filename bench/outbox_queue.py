"""The cost of acknowledging at intake: queueing a normalizer batch's ``received`` messages.

    .venv/bin/python bench/outbox_queue.py            # 20,000 complaints, batches of 1,000
    .venv/bin/python bench/outbox_queue.py --quick    # 5,000
    .venv/bin/python bench/outbox_queue.py --postgresql

For each batch, in one transaction as the normalizer does, times
:func:`aduan.replies.events.on_created` (contact preferences checked, texts
rendered, outbox rows inserted) for SMS complaints from distinct phones, 5% of
which said STOP; then the same batch again (a replay: nothing new may be
queued). Prints microseconds per complaint for the first pass and the replay,
and the rows queued; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import Engine, func, select  # noqa: E402

from aduan.config.replies import RepliesSettings  # noqa: E402
from aduan.core.clock import utcnow  # noqa: E402
from aduan.core.messages import Message, RawMessage  # noqa: E402
from aduan.daemon.normalize_job import normalize_pending, runtime_normalizer  # noqa: E402
from aduan.replies import configure  # noqa: E402
from aduan.replies.events import Created, on_created  # noqa: E402
from aduan.runtime import Runtime  # noqa: E402
from aduan.runtime.loader import load_settings  # noqa: E402
from aduan.store import open_store, save_batch  # noqa: E402
from aduan.store.models import outbox  # noqa: E402
from aduan.store.outbox import set_contact  # noqa: E402
from tests.helpers.databases import admin_dsn, create_database  # noqa: E402

BATCH = 1000


def batch(start: int, n: int) -> list[Created]:
    now = utcnow()
    items = []
    for i in range(start, start + n):
        complaint = {
            "id": i,
            "reference": f"ADU-2026-{i:06d}",
            "category": "PJU",
            "agency": "sudin-bina-marga",
            "received_at": now,
            "due_at": now + timedelta(days=3),
        }
        message = Message(text="Lampu jalan mati", identities=(f"tel:+6281{i:09d}",))
        items.append(Created(complaint, "sms", "kannel", message))
    return items


def run(url: str, n: int) -> dict[str, float]:
    """The first pass and the replay of ``n`` complaints' acknowledgements on ``url``."""
    engine: Engine = open_store(url)
    configure(RepliesSettings.model_validate({"sms": {"quiet_hours": ""}}))
    with engine.begin() as conn:
        for i in range(0, n, 20):  # 5% said STOP
            set_contact(conn, f"tel:+6281{i:09d}", allowed=False, by="citizen", reason="STOP")
    first = again = 0.0
    for start in range(0, n, BATCH):
        items = batch(start, min(BATCH, n - start))
        t = time.perf_counter()
        with engine.begin() as conn:
            on_created(conn, items)
        first += time.perf_counter() - t
        t = time.perf_counter()
        with engine.begin() as conn:
            assert on_created(conn, items) == 0
        again += time.perf_counter() - t
    with engine.connect() as conn:
        queued = int(conn.execute(select(func.count()).select_from(outbox)).scalar_one())
    engine.dispose()
    assert queued == n - len(range(0, n, 20)), queued
    return {
        "complaints": n,
        "queued": queued,
        "us_per_complaint": round(first / n * 1e6, 1),
        "us_per_complaint_replay": round(again / n * 1e6, 1),
    }


def normalize_rate(n: int, acknowledge: bool, workdir: Path) -> float:
    """Messages per second the runtime's normalizer makes complaints of ``n`` new SMS."""
    env = {
        "ADUAN_DATABASE_URL": f"sqlite:///{workdir / 'n.db'}",
        "ADUAN_DATA_DIR": str(workdir / "data"),
        "ADUAN_CHANNELS__SMS__GEN__GATEWAY": "generic",
        "ADUAN_CHANNELS__SMS__GEN__SIGNING_SECRET": "bench-signing-secret",
        "ADUAN_REPLIES__SMS__QUIET_HOURS": "",
        "ADUAN_REPLIES__EVENTS": json.dumps({"received": acknowledge, "triaged": False}),
    }
    runtime = Runtime.create(load_settings(env=env), logging=False)
    now = utcnow()
    texts = ("Saluran air tersumbat di Pondok Labu", "Lampu jalan mati di Jl. Wijaya")
    raws = [
        RawMessage(
            "sms",
            "gen",
            f"g{i}",
            json.dumps(
                {"id": f"g{i}", "from": f"+62812{i:08d}", "text": f"{texts[i % 2]} {i}"}
            ).encode(),
            "application/json",
            received_at=now,
        )
        for i in range(n)
    ]
    save_batch(runtime.engine, raws)
    t = time.perf_counter()
    normalize_pending(runtime.engine, runtime_normalizer(runtime))
    rate = n / (time.perf_counter() - t)
    with runtime.engine.connect() as conn:
        queued = int(conn.execute(select(func.count()).select_from(outbox)).scalar_one())
    runtime.close()
    assert queued == (n if acknowledge else 0), queued
    return round(rate, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=20_000)
    parser.add_argument("--quick", action="store_true", help="5,000 complaints")
    parser.add_argument("--postgresql", action="store_true", help="a throw-away local database")
    parser.add_argument("--normalize", action="store_true", help="also the normalizer's rate")
    args = parser.parse_args()
    n = 5_000 if args.quick else args.n
    if args.postgresql:
        if admin_dsn() is None:
            sys.exit("outbox_queue: no PostgreSQL on 127.0.0.1:5432")
        databases = create_database()
        try:
            figures = run(next(databases), n)
        finally:
            databases.close()
    else:
        with tempfile.TemporaryDirectory(prefix="aduan-bench-") as tmp:
            figures = run(f"sqlite:///{Path(tmp) / 'q.db'}", n)
    store = "postgresql" if args.postgresql else "sqlite"
    print(
        f"{store}: {figures['queued']} of {n} queued, "
        f"{figures['us_per_complaint']} µs/complaint, "
        f"replay {figures['us_per_complaint_replay']} µs/complaint"
    )
    if args.normalize:
        for acknowledge in (False, True):
            with tempfile.TemporaryDirectory(prefix="aduan-bench-") as tmp:
                rate = normalize_rate(n, acknowledge, Path(tmp))
            figures[f"normalize_per_s_{'acks' if acknowledge else 'no_acks'}"] = rate
            print(f"normalizer, acknowledgement {'on' if acknowledge else 'off'}: {rate} SMS/s")
    print(json.dumps({"store": store, **figures}))


if __name__ == "__main__":
    main()
