"""A daemon and a CLI command writing one SQLite file at once never see "database is locked"."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import func, select

from aduan.core.clock import utcnow
from aduan.core.messages import RawMessage
from aduan.store import open_store, save_batch
from aduan.store.models import raw_messages

WRITER = """
import sys
from aduan.core.clock import utcnow
from aduan.core.messages import RawMessage
from aduan.store import make_engine, save_batch
engine = make_engine(sys.argv[1])
for i in range(150):
    rows = [RawMessage("sms", "cli", f"{i}-{j}", b"x" * 500, "text/plain", utcnow())
            for j in range(5)]
    save_batch(engine, rows, ("sms", "cli", {"i": i}))
"""


def test_two_processes_writing_one_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    engine = open_store(url)
    errors: list[BaseException] = []

    def daemon_like() -> None:
        try:
            for i in range(150):
                rows = [
                    RawMessage("sms", "daemon", f"{i}-{j}", b"y" * 500, "text/plain", utcnow())
                    for j in range(5)
                ]
                save_batch(engine, rows, ("sms", "daemon", {"i": i}))
                with engine.connect() as conn:  # reads interleaved with writes
                    conn.execute(select(func.count()).select_from(raw_messages)).scalar_one()
        except BaseException as exc:
            errors.append(exc)

    others = [
        subprocess.Popen([sys.executable, "-c", WRITER, url], stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    thread = threading.Thread(target=daemon_like)
    thread.start()
    outputs = [p.communicate(timeout=120)[1] for p in others]
    thread.join(120)
    assert not errors, errors
    assert all(p.returncode == 0 for p in others), outputs
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(raw_messages)).scalar_one()
    assert total == 150 * 5 * 2  # two writer processes share account "cli": ids collide, kept once
    engine.dispose()
