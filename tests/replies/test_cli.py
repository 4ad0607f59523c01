"""``aduan reporter contact --off/--on`` and ``aduan complaint update`` tell (or do not tell) the
citizen, as an operator runs them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from aduan.store.models import AuditEntry
from tests.helpers.cli import aduan
from tests.replies.conftest import Run, outbox_rows, raw
from tests.replies.test_events import LAMP, PHONE, _complaint

audit_log = AuditEntry.__table__  # type: ignore[attr-defined]


def test_do_not_contact_from_the_terminal(engine: Engine, normalize: Run, tmp_path: Path) -> None:
    normalize(raw("sms-1", LAMP, PHONE))
    cid, reference = _complaint(engine, "sms-1")
    url = str(engine.url.render_as_string(hide_password=False))
    off = aduan(
        "reporter", "contact", "--off", "0811-1272-206", "--reason", "minta", cwd=tmp_path, url=url
    )
    assert off.returncode == 0, off.stderr
    assert off.stdout.strip() == "tel:…2206: do not contact"
    assert "+628111272206" not in off.stdout + off.stderr
    update = aduan(
        "complaint", "update", reference, "--status", "in_progress", cwd=tmp_path, url=url
    )
    assert update.returncode == 0, update.stderr
    assert len(outbox_rows(engine, cid)) == 1  # only the acknowledgement from before
    on = aduan("reporter", "contact", "--on", PHONE, cwd=tmp_path, url=url)
    assert on.returncode == 0 and "may be contacted" in on.stdout
    done = aduan(
        "complaint",
        "update",
        reference,
        "--status",
        "resolved",
        "--note",
        "Beres",
        cwd=tmp_path,
        url=url,
    )
    assert done.returncode == 0, done.stderr
    rows = outbox_rows(engine, cid)
    assert [r.event.split(":")[0] for r in rows] == ["received", "status"]
    assert "Catatan: Beres" in rows[-1].text and "/track/" in rows[-1].text
    with engine.connect() as conn:
        actions = [r.action for r in conn.execute(select(audit_log.c.action))]
    assert actions == ["contact_off", "contact_on"]
    bad = aduan("reporter", "contact", "--off", "bukan nomor", cwd=tmp_path, url=url)
    assert bad.returncode != 0 and "Traceback" not in bad.stderr
