"""``aduan quarantine``, ``aduan replay`` and ``aduan reporter`` from the command line."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from aduan.core.messages import RawMessage
from aduan.normalize.readers import MESSAGE_JSON
from aduan.store import open_store, save_batch
from aduan.store.models import complaints, raw_messages
from tests.helpers.cli import aduan
from tests.normalize.conftest import T0, raw


def test_quarantine_retry_and_replay(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'aduan.db'}"
    engine = open_store(url)
    bad = RawMessage("sms", "main", "bad", b'{"text": 5}', MESSAGE_JSON, T0)
    save_batch(engine, [raw("1", "Lampu PJU di Gg. Mawar RT 02 mati.", "tel:+6281200011111"), bad])
    done = aduan("replay", url=url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "new complaints were created: 1" in done.stdout
    listed = aduan("quarantine", "list", url=url, cwd=tmp_path)
    assert "1 quarantined" in listed.stdout and "text" in listed.stdout
    shown = aduan("quarantine", "show", "2", url=url, cwd=tmp_path)
    assert '{"text": 5}' in shown.stdout
    # the payload is fixed by an operator, then retried
    with engine.begin() as conn:
        conn.execute(
            raw_messages.update()
            .where(raw_messages.c.external_id == "bad")
            .values(payload=b'{"text": "Sampah di Gg. Melati belum diangkut."}')
        )
    retried = aduan("quarantine", "retry", url=url, cwd=tmp_path)
    assert retried.returncode == 0 and "1 new complaints" in retried.stdout
    before = aduan("replay", "--dry-run", url=url, cwd=tmp_path)
    assert "new complaints would be created: 0" in before.stdout
    again = aduan("replay", "--channel", "sms", url=url, cwd=tmp_path)
    assert "new complaints were created: 0" in again.stdout
    with engine.connect() as conn:
        assert len(conn.execute(select(complaints.c.id)).all()) == 2
    assert aduan("reporter", "split", "99", url=url, cwd=tmp_path).returncode == 1
    engine.dispose()
