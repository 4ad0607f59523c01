"""Links and actions by role: the header shows only what the role may open, and only a
supervisor reassigns a case to another agency (with a note), in a test client."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import Engine, select

from aduan.config.desk import DeskUser
from aduan.store.cases import history
from aduan.store.models import complaints
from tests.desk.helpers import PASSWORD_HASH, client_for, csrf_of, login, make_runtime
from tests.helpers.complaints import insert_complaint

USERS = {
    "okta": DeskUser(password_hash=PASSWORD_HASH, role="officer", agency="sudin-bina-marga"),
    "susi": DeskUser(password_hash=PASSWORD_HASH, role="supervisor"),
    "adi": DeskUser(password_hash=PASSWORD_HASH, role="admin"),
}
CASE = "/desk/aduan/ADU-2026-500001"


def runtime_with_roles(engine: Engine, tmp_path: Path):  # type: ignore[no-untyped-def]
    runtime = make_runtime(engine, tmp_path)
    runtime.settings.desk.users.update(USERS)
    return runtime


def links(html: str) -> list[str]:
    nav = re.search(r'<nav id="nav">(.*?)</nav>', html, re.S)
    assert nav is not None, "no navigation in the header"
    return re.findall(r'href="([^"]+)"', nav.group(1))


def test_the_header_links_only_what_the_role_may_open(engine: Engine, tmp_path: Path) -> None:
    insert_complaint(engine, reference="ADU-2026-500001", agency="sudin-bina-marga")
    runtime = runtime_with_roles(engine, tmp_path)
    expected = {
        "sari": ["/desk/", "/desk"],  # clerk: inbox and intake, no dashboard
        "okta": ["/desk/"],  # officer: their inbox only
        "susi": ["/desk/", "/desk", "/dashboard"],
        "adi": ["/dashboard"],  # admin: no cases
    }
    for user, hrefs in expected.items():
        with client_for(runtime) as client:
            login(client, user)
            page = client.get("/dashboard" if user == "adi" else "/desk/")
            assert page.status_code == 200, user
            assert links(page.text) == hrefs, user
            for href in hrefs:  # every link shown opens
                assert client.get(href).status_code == 200, (user, href)
            if "/dashboard" not in hrefs:
                assert client.get("/dashboard").status_code == 403
            if "/desk" not in hrefs:  # no intake link: the typed-in form is refused too
                refused = client.get("/desk")
                assert refused.status_code == 403 and "Loket aduan hanya" in refused.text
                assert client.post("/desk", data={"teks": "x"}).status_code == 403
    with client_for(runtime) as client:
        assert '<nav id="nav">' not in client.get("/login").text  # a stranger: no links


def _post(client, **data: str):  # type: ignore[no-untyped-def]
    token = csrf_of(client.get(CASE).text)
    return client.post(CASE, data={"csrf": token, **data})


def test_only_a_supervisor_reassigns_with_a_note(engine: Engine, tmp_path: Path) -> None:
    cid = insert_complaint(engine, reference="ADU-2026-500001", agency="sudin-bina-marga")
    runtime = runtime_with_roles(engine, tmp_path)
    for user in ("sari", "okta"):  # a clerk corrects; an officer rejects: neither reassigns
        with client_for(runtime) as client:
            login(client, user)
            assert 'value="pindah"' not in client.get(CASE).text
            refused = _post(client, aksi="pindah", instansi="sudin-sda", note="Saluran")
            assert refused.status_code == 403, user
    with client_for(runtime) as client:
        login(client, "susi")
        page = client.get(CASE)
        assert 'value="pindah"' in page.text
        assert _post(client, aksi="pindah", instansi="sudin-sda").status_code == 400
        same = _post(client, aksi="pindah", instansi="sudin-bina-marga", note="x")
        assert same.status_code == 400 and "berbeda" in same.text
        unknown = _post(client, aksi="pindah", instansi="<b>x</b>", note="x")
        assert unknown.status_code == 400 and "<b>x</b>" not in unknown.text
        done = _post(client, aksi="pindah", instansi="sudin-sda", note="Ini saluran, bukan lampu")
        assert done.status_code == 200 and "dipindahkan" in done.text
    with engine.connect() as conn:
        row = conn.execute(select(complaints).where(complaints.c.id == cid)).one()
    assert (row.agency, row.category, row.triage_source) == (
        "sudin-sda",
        "street_lighting",
        "manual",
    )
    (note,) = [e for e in history(engine, cid) if e.kind == "note"]
    assert note.actor == "desk:susi" and "Ini saluran, bukan lampu" in (note.note or "")
