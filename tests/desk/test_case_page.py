"""A clerk records a complaint's follow-up at /desk/aduan/{reference}."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from aduan.store.cases import history
from aduan.triage.labels import read_labels
from tests.desk.helpers import client_for, csrf_of, login, make_runtime
from tests.helpers.complaints import insert_complaint


def test_clerk_updates_a_status(engine: Engine, tmp_path: Path) -> None:
    cid = insert_complaint(engine, reference="ADU-2026-300001")
    with client_for(make_runtime(engine, tmp_path)) as client:
        path = "/desk/aduan/ADU-2026-300001"
        assert client.get(path, follow_redirects=False).status_code == 303
        assert client.post(path, data={"status": "closed"}).status_code == 403
        login(client)
        page = client.get(path)
        assert page.status_code == 200 and "Diteruskan ke instansi terkait" in page.text
        token = csrf_of(page.text)
        assert client.post(path, data={"status": "closed"}).status_code == 403
        missing = client.post(path, data={"csrf": token, "status": "resolved"})
        assert missing.status_code == 400 and "note" in missing.text
        done = client.post(
            path, data={"csrf": token, "status": "resolved", "note": "Lampu sudah diganti"}
        )
        assert done.status_code == 200 and "Selesai ditangani" in done.text
        assert client.get("/desk/aduan/ADU-2026-000000").status_code == 404
    (event,) = history(engine, cid)
    assert (event.to_status, event.actor, event.note) == (
        "resolved",
        "desk:sari",
        "Lampu sudah diganti",
    )


def test_clerk_corrects_the_category_and_it_becomes_a_label(engine: Engine, tmp_path: Path) -> None:
    insert_complaint(engine, reference="ADU-2026-300002")
    with client_for(make_runtime(engine, tmp_path)) as client:
        path = "/desk/aduan/ADU-2026-300002"
        login(client)
        page = client.get(path)
        assert 'name="kategori"' in page.text
        token = csrf_of(page.text)
        assert client.post(path, data={"kategori": "waste"}).status_code == 403
        wrong = client.post(path, data={"csrf": token, "kategori": "nope"})
        assert wrong.status_code == 400
        done = client.post(path, data={"csrf": token, "kategori": "waste"})
        assert done.status_code == 200 and "Kategori disimpan" in done.text
    (label,) = read_labels(engine)
    assert (label.category, label.actor, label.origin) == ("waste", "desk:sari", "desk")
