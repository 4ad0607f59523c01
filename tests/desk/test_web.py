"""The desk's pages through Starlette's TestClient, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from aduan.channels.walkin import WalkinChannel, WalkinConfig
from aduan.config.desk import DeskUser
from aduan.core.clock import utcnow
from aduan.store.blobs import blob_path
from aduan.store.models import Complaint, raw_messages
from tests.desk.helpers import (
    GOOD_FORM,
    PASSWORD_HASH,
    PNG,
    client_for,
    csrf_of,
    entry_id_of,
    login,
    make_runtime,
)


def test_nothing_is_served_without_login(engine: Engine, tmp_path: Path) -> None:
    with client_for(make_runtime(engine, tmp_path)) as client:
        for path in ("/desk", "/dashboard"):
            answer = client.get(path, follow_redirects=False)
            assert answer.status_code == 303
            assert answer.headers["location"] == f"/login?next={path}"
        answer = client.post("/desk", data=GOOD_FORM, follow_redirects=False)
        assert answer.status_code == 403
    with engine.connect() as conn:
        assert conn.execute(select(raw_messages.c.id)).all() == []


def test_login_needs_the_right_password_and_csrf(engine: Engine, tmp_path: Path) -> None:
    with client_for(make_runtime(engine, tmp_path)) as client:
        page = client.get("/login")
        token = csrf_of(page.text)
        form = {"username": "sari", "password": "rahasia-loket-1", "next": "/desk"}
        assert client.post("/login", data=form, follow_redirects=False).status_code == 403
        wrong = {**form, "csrf": ("y" if token[0] == "x" else "x") + token[1:]}  # never the token
        assert client.post("/login", data=wrong, follow_redirects=False).status_code == 403
        bad = client.post("/login", data={**form, "csrf": token, "password": "salah"})
        assert bad.status_code == 401
        assert "kata sandi salah" in bad.text
        assert client.get("/desk", follow_redirects=False).status_code == 303
        ok = client.post("/login", data={**form, "csrf": token}, follow_redirects=False)
        assert ok.status_code == 303 and ok.headers["location"] == "/desk"
        desk = client.get("/desk")
        assert desk.status_code == 200 and "Aduan tatap muka" in desk.text
        assert "loket-2" in desk.text


def test_login_refuses_an_offsite_next(engine: Engine, tmp_path: Path) -> None:
    with client_for(make_runtime(engine, tmp_path)) as client:
        page = client.get("/login")
        answer = client.post(
            "/login",
            data={"csrf": csrf_of(page.text), "username": "sari",
                  "password": "rahasia-loket-1", "next": "//evil.example.org/x"},
            follow_redirects=False,
        )  # fmt: skip
        assert answer.headers["location"] == "/desk/"


def test_a_forged_cookie_is_not_a_login(engine: Engine, tmp_path: Path) -> None:
    with client_for(make_runtime(engine, tmp_path)) as client:
        client.cookies.set("aduan_session", "eyJ1c2VyIjoic2FyaSJ9.forged.sig")
        assert client.get("/desk", follow_redirects=False).status_code == 303


def test_repeated_failures_are_throttled(engine: Engine, tmp_path: Path) -> None:
    with client_for(make_runtime(engine, tmp_path)) as client:
        codes = [login(client, password="salah").status_code for _ in range(6)]
        assert codes[:5] == [401] * 5 and codes[5] == 429


def test_submit_stores_raw_blob_and_shows_reference(engine: Engine, tmp_path: Path) -> None:
    runtime = make_runtime(engine, tmp_path)
    with client_for(runtime) as client:
        login(client)
        page = client.get("/desk")
        form = {**GOOD_FORM, "csrf": csrf_of(page.text), "entry_id": entry_id_of(page.text)}
        files = [("lampiran", ("foto lampu.png", PNG, "image/png"))]
        answer = client.post("/desk", data=form, files=files)
        assert answer.status_code == 200, answer.text
        found = re.search(r"<span id=\"reference\">(ADU-\d{4}-\d{6})", answer.text)
        assert found
        reference = found.group(1)
        again = client.post("/desk", data=form, files=files)
        assert reference in again.text and "sudah dikirim sebelumnya" in again.text
    with engine.connect() as conn:
        rows = conn.execute(select(raw_messages)).all()
    assert len(rows) == 1
    row = rows[0]
    assert row.channel == "walkin" and row.account == "desk"
    assert row.meta["reference"] == reference
    payload = bytes(row.payload)
    assert b"3174051203850001" not in payload
    entry = json.loads(payload)
    assert entry["reporter"]["nik_identity"].startswith("nik:")
    assert entry["clerk"] == "sari" and entry["desk"] == "loket-2"
    (attachment,) = entry["attachments"]
    assert attachment["content_type"] == "image/png" and attachment["size"] == len(PNG)
    assert blob_path(runtime.settings.data_dir, attachment["sha256"]).read_bytes() == PNG
    channel = WalkinChannel("desk", WalkinConfig(), runtime.context)
    from aduan.core.messages import RawMessage

    message = channel.read(
        RawMessage("walkin", "desk", row.external_id, payload, row.content_type,
                   row.received_at, row.meta)
    )  # fmt: skip
    assert "tel:+6281200012345" in message.identities
    assert "mailto:budi@example.com" in message.identities
    assert message.extra["hint"] == "street_lighting"
    assert message.extra["kecamatan"] == "Mampang Prapatan"
    assert message.ref == reference


def test_desk_page_lists_the_offices_and_official_names(engine: Engine, tmp_path: Path) -> None:
    runtime = make_runtime(engine, tmp_path)
    with client_for(runtime) as client:
        login(client)
        page = client.get("/desk").text
    assert '<option value="Mampang Prapatan">' in page and '<option value="Bangka">' in page
    assert "Kantor Kecamatan Tebet" in page and "Sabtu 08:00-11:00" in page


def test_invalid_form_is_shown_again_with_messages(engine: Engine, tmp_path: Path) -> None:
    with client_for(make_runtime(engine, tmp_path)) as client:
        login(client)
        page = client.get("/desk")
        form = {
            **GOOD_FORM,
            "nik": "12345",
            "persetujuan": "",
            "csrf": csrf_of(page.text),
            "entry_id": entry_id_of(page.text),
        }
        answer = client.post("/desk", data=form)
        assert answer.status_code == 400
        assert "NIK harus 16 angka" in answer.text
        assert "Persetujuan pelapor diperlukan" in answer.text
        assert 'value="Budi Santoso"' in answer.text
        wrong = {**GOOD_FORM, "csrf": "nope", "entry_id": entry_id_of(page.text)}
        assert client.post("/desk", data=wrong).status_code == 403
    with engine.connect() as conn:
        assert conn.execute(select(raw_messages.c.id)).all() == []


def test_oversized_and_wrong_type_attachments(engine: Engine, tmp_path: Path) -> None:
    runtime = make_runtime(engine, tmp_path, max_file_bytes=1000)
    with client_for(runtime) as client:
        login(client)
        page = client.get("/desk")
        form = {**GOOD_FORM, "csrf": csrf_of(page.text), "entry_id": entry_id_of(page.text)}
        big = [("lampiran", ("besar.png", PNG + b"\0" * 2000, "image/png"))]
        answer = client.post("/desk", data=form, files=big)
        assert answer.status_code in (400, 413) and "lampiran" in answer.text.lower()
        exe = [("lampiran", ("virus.png", b"MZ\x90\x00 not an image", "image/png"))]
        answer = client.post("/desk", data=form, files=exe)
        assert answer.status_code == 400 and "hanya foto" in answer.text


def test_trusted_proxy_header_logs_in(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not an IP address"):
        make_runtime(engine, tmp_path, proxy_user_header="X-User", trusted_proxies=["proxy"])
    runtime = make_runtime(
        engine, tmp_path, proxy_user_header="X-Remote-User", trusted_proxies=["127.0.0.0/8"]
    )
    from starlette.testclient import TestClient

    from aduan.daemon.app import create_app

    with TestClient(create_app(runtime), client=("127.0.0.1", 5000)) as client:
        page = client.get("/desk", headers={"X-Remote-User": "andi"})
        assert page.status_code == 200 and "andi" in page.text
        form = {**GOOD_FORM, "csrf": csrf_of(page.text), "entry_id": entry_id_of(page.text)}
        done = client.post("/desk", data=form, headers={"X-Remote-User": "andi"})
        assert done.status_code == 200 and "Nomor aduan" in done.text
        other = client.get("/desk", headers={"X-Remote-User": "andi"}, follow_redirects=False)
        assert other.status_code == 200
    with TestClient(create_app(runtime), client=("10.0.0.9", 5000)) as client:
        answer = client.get("/desk", headers={"X-Remote-User": "andi"}, follow_redirects=False)
        assert answer.status_code == 303


def test_dashboard_figures(engine: Engine, tmp_path: Path) -> None:
    now = utcnow()
    hours = timedelta(hours=1)
    # (received, due, resolved) in hours from now: three met, two missed, one still open in time
    plan = [
        (-48, 24, -24),
        (-24, 48, -12),
        (-2, 72, -1),
        (-120, -48, -24),
        (-24, 48, None),
        (-144, -24, None),
    ]
    rows = [
        Complaint(
            reference=f"ADU-2026-90000{n}",
            channel=("sms", "walkin", "email")[n % 3],
            account="x",
            text="t",
            original_text="t",
            received_at=now + received * hours,
            category=("street_lighting", "drainage_flooding")[n % 2],
            agency="sudin-sda" if n % 2 else "sudin-bina-marga",
            due_at=now + due * hours,
            resolved_at=None if resolved is None else now + resolved * hours,
            kecamatan="Cilandak",
            status="new" if resolved is None else "resolved",
        )
        for n, (received, due, resolved) in enumerate(plan)
    ]
    from sqlmodel import Session

    with Session(engine) as session:
        session.add_all(rows)
        session.commit()
    from aduan.desk.dashboard import collect

    figures = collect(engine, days=7)
    assert figures.total == 6
    assert sum(sum(v) for v in figures.per_day.values()) == 6
    assert dict(figures.by_category) == {"street_lighting": 3, "drainage_flooding": 3}
    assert (figures.sla_met, figures.sla_due) == (3, 5)
    assert [o["reference"] for o in figures.overdue] == ["ADU-2026-900005"]
    assert figures.by_kecamatan == [{"kecamatan": "Cilandak", "total": 6, "open": 2, "late": 1}]
    runtime = make_runtime(engine, tmp_path)
    runtime.settings.desk.users["tia"] = DeskUser(password_hash=PASSWORD_HASH, role="supervisor")
    with client_for(runtime) as client:
        login(client)  # a clerk: the dashboard is the supervisors'
        assert client.get("/dashboard").status_code == 403
    with client_for(runtime) as client:
        login(client, "tia")
        page = client.get("/dashboard")
        assert page.status_code == 200
        assert page.text.count("<svg") >= 4
        assert "60.0%" in page.text and 'href="/desk/aduan/ADU-2026-900005"' in page.text
        assert "Budi" not in page.text
        for code in ("drainage_flooding", "street_lighting", "sudin-sda", ">sms<", ">walkin<"):
            assert code not in page.text, code
        assert "Suku Dinas Sumber Daya Air" in page.text and "Loket" in page.text
        assert 'id="kecamatan"' in page.text and "WIB" in page.text


@pytest.mark.parametrize("path", ["/desk", "/dashboard", "/login"])
def test_security_headers(engine: Engine, tmp_path: Path, path: str) -> None:
    with client_for(make_runtime(engine, tmp_path)) as client:
        login(client)
        answer = client.get(path)
        assert answer.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        cookie = answer.headers.get("set-cookie", "")
        assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()


def test_kiosk_pushes_entries_through_the_webhook(engine: Engine, tmp_path: Path) -> None:
    from pydantic import SecretStr

    from tests.channels.walkin.contract_case import TOKEN, entry

    runtime = make_runtime(engine, tmp_path)
    config = WalkinConfig(intake_token=SecretStr(TOKEN))
    runtime.channels[("walkin", "kiosk")] = WalkinChannel("kiosk", config, runtime.context)
    body = json.dumps(entry(1)).encode()
    with client_for(runtime) as client:
        url = "/webhooks/walkin/kiosk"
        assert client.post(url, content=body).status_code == 401
        wrong = {"Authorization": "Bearer nope"}
        assert client.post(url, content=body, headers=wrong).status_code == 403
        good = {"Authorization": f"Bearer {TOKEN}"}
        assert client.post(url, content=body, headers=good).status_code == 200
        assert client.post(url, content=body, headers=good).status_code == 200
        plain = json.dumps({**entry(2), "reporter": {"nik": "3174051203850001"}}).encode()
        refused = client.post(url, content=plain, headers=good)
        assert refused.status_code == 400 and "never the NIK" in refused.text
    with engine.connect() as conn:
        ids = conn.execute(select(raw_messages.c.external_id)).scalars().all()
    assert ids == ["kiosk:0001"]
