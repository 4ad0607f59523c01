"""A clerk answers the citizen from /desk/aduan/{reference}, and sees what was sent."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from aduan.config.desk import DeskUser
from aduan.store.models import AuditEntry
from tests.desk.helpers import PASSWORD_HASH, client_for, csrf_of, login, make_runtime
from tests.replies.conftest import Run, outbox_rows, raw
from tests.replies.test_events import LAMP, PHONE, _complaint

audit_log = AuditEntry.__table__  # type: ignore[attr-defined]


def test_a_clerk_replies_and_the_case_page_lists_the_outbox(
    engine: Engine, tmp_path: Path, normalize: Run
) -> None:
    normalize(raw("sms-1", LAMP, PHONE))
    cid, reference = _complaint(engine, "sms-1")
    path = f"/desk/aduan/{reference}"
    with client_for(make_runtime(engine, tmp_path)) as client:
        assert client.post(path, data={"aksi": "balas", "balasan": "Halo"}).status_code == 403
        login(client)
        page = client.get(path)
        assert 'id="outbox"' in page.text and "tel:…2206" in page.text
        assert PHONE not in page.text and "+628111272206" not in page.text
        token = csrf_of(page.text)
        assert (
            client.post(path, data={"aksi": "balas", "balasan": "Halo"}).status_code == 403
        )  # no CSRF
        empty = client.post(path, data={"csrf": token, "aksi": "balas", "balasan": "   "})
        assert empty.status_code == 400 and "tulis balasan" in empty.text
        done = client.post(
            path,
            data={"csrf": token, "aksi": "balas", "balasan": "Petugas datang besok pagi jam 9."},
        )
        assert done.status_code == 200 and "Balasan masuk antrean kirim" in done.text
        assert "Petugas datang besok pagi jam 9." in done.text  # listed with its status
    rows = outbox_rows(engine, cid)
    assert [r.event.split(":")[0] for r in rows] == ["received", "reply"]
    reply = rows[-1]
    assert (reply.channel, reply.recipient, reply.status) == ("sms/main", PHONE, "queued")
    assert reply.text.startswith("Petugas datang besok pagi jam 9.") and reference in reply.text
    with engine.connect() as conn:
        actions = conn.execute(select(audit_log.c.action, audit_log.c.actor)).all()
    assert ("reply", "desk:sari") in [tuple(a) for a in actions]


def test_do_not_contact_from_the_case_page(engine: Engine, tmp_path: Path, normalize: Run) -> None:
    normalize(raw("sms-1", LAMP, PHONE))
    cid, reference = _complaint(engine, "sms-1")
    path = f"/desk/aduan/{reference}"
    with client_for(make_runtime(engine, tmp_path)) as client:
        login(client)
        token = csrf_of(client.get(path).text)
        off = client.post(path, data={"csrf": token, "aksi": "kontak", "kontak": "off"})
        assert off.status_code == 200 and "tidak akan dihubungi" in off.text
        refused = client.post(
            path, data={"csrf": token, "aksi": "balas", "balasan": "Halo, ada kabar."}
        )
        assert refused.status_code == 400 and "STOP" in refused.text
        status = client.post(path, data={"csrf": token, "aksi": "status", "status": "in_progress"})
        assert status.status_code == 200
        assert len(outbox_rows(engine, cid)) == 1  # the acknowledgement, from before
        on = client.post(path, data={"csrf": token, "aksi": "kontak", "kontak": "on"})
        assert on.status_code == 200 and "boleh dihubungi" in on.text.lower()
        client.post(
            path, data={"csrf": token, "aksi": "status", "status": "resolved", "note": "Beres"}
        )
    assert [r.event.split(":")[0] for r in outbox_rows(engine, cid)] == ["received", "status"]


def test_an_officer_replies_only_on_their_agency_cases(
    engine: Engine, tmp_path: Path, normalize: Run
) -> None:
    normalize(raw("sms-1", LAMP, PHONE))  # street lighting: sudin-bina-marga
    cid, reference = _complaint(engine, "sms-1")
    runtime = make_runtime(engine, tmp_path)
    for user, agency in (("budi", "sudin-sda"), ("rina", "sudin-bina-marga")):
        runtime.settings.desk.users[user] = DeskUser(
            password_hash=PASSWORD_HASH, role="officer", agency=agency
        )
    path = f"/desk/aduan/{reference}"
    with client_for(runtime) as client:
        login(client, "budi")
        assert client.get(path).status_code == 403  # another agency's case: not even shown
    assert len(outbox_rows(engine, cid)) == 1
    with client_for(runtime) as client:
        login(client, "rina")
        token = csrf_of(client.get(path).text)
        sent = client.post(
            path, data={"csrf": token, "aksi": "balas", "balasan": "Halo dari Bina Marga."}
        )
        assert sent.status_code == 200 and "Balasan masuk antrean kirim" in sent.text
    assert len(outbox_rows(engine, cid)) == 2
