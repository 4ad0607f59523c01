"""``aduan outbox list|show|retry|cancel`` as an operator runs them: recipients masked,
changes audited, a wrong id or state a clear one-line error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from aduan.store import open_store
from aduan.store import outbox as ob
from aduan.store.models import AuditEntry
from tests.helpers.cli import aduan
from tests.outbox.test_send import put


def test_operators_list_show_cancel_and_retry(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'aduan.db'}"
    engine = open_store(url)
    put(engine, 2)
    now = datetime.now(UTC) + timedelta(seconds=1)
    first, second = ob.claim_due(engine, worker="w", limit=2, now=now, lease=timedelta(minutes=1))
    ob.record_failure(
        engine, first.id, "twilio: HTTP 400: 21211 invalid To", False, now, ob.RetryPolicy()
    )
    ob.record_sent(engine, second.id, "SM0001", now)

    listed = aduan("outbox", "list", cwd=tmp_path, url=url)
    assert listed.returncode == 0, listed.stderr
    assert "0 queued (0 due)" in listed.stdout
    assert f"{first.id}\tfailed\tsms/twilio\ttel:…2345\tcomplaint=0\treceived" in listed.stdout
    assert "6281200012345" not in listed.stdout
    only_sent = aduan("outbox", "list", "--status", "sent", cwd=tmp_path, url=url)
    assert f"{second.id}\tsent" in only_sent.stdout and "failed" not in only_sent.stdout

    shown = aduan("outbox", "show", str(first.id), cwd=tmp_path, url=url)
    assert "recipient: tel:…2345" in shown.stdout
    assert "last error: twilio: HTTP 400: 21211 invalid To" in shown.stdout
    assert shown.stdout.rstrip().endswith("Laporan Anda diterima: ADU-2026-00000")

    retried = aduan("outbox", "retry", str(first.id), "--actor", "ops", cwd=tmp_path, url=url)
    assert retried.returncode == 0 and f"{first.id} queued" in retried.stdout
    cancelled = aduan("outbox", "cancel", str(first.id), str(second.id), cwd=tmp_path, url=url)
    assert f"{first.id} cancelled" in cancelled.stdout
    assert cancelled.returncode == 1
    assert "cannot cancel a message that is sent" in cancelled.stderr
    assert "Traceback" not in cancelled.stderr

    row = ob.get_row(engine, first.id)
    assert row is not None and row.status == "cancelled"
    audit = AuditEntry.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        done = conn.execute(select(audit.c.actor, audit.c.action, audit.c.subject)).all()
    assert [tuple(r) for r in done] == [
        ("ops", "outbox.retry", str(first.id)),
        ("analis", "outbox.cancel", str(first.id)),
    ]
    missing = aduan("outbox", "show", "999", cwd=tmp_path, url=url)
    assert missing.returncode == 1 and "no outbox message 999" in missing.stderr
    bad = aduan("outbox", "list", "--status", "lost", cwd=tmp_path, url=url)
    assert bad.returncode == 1 and "unknown status 'lost'" in bad.stderr
    engine.dispose()
