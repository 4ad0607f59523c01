"""The case page at /desk/aduan/{reference}: the whole case, actions by role, Indonesian errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, select

from aduan.config.desk import DeskUser
from aduan.store.blobs import put_blob
from aduan.store.cases import history
from aduan.store.models import (
    AttachmentRow,
    Incident,
    Reporter,
    ReporterIdentity,
    complaint_sources,
    complaints,
    raw_messages,
)
from aduan.triage.labels import read_labels
from tests.desk.helpers import PASSWORD_HASH, PNG, client_for, csrf_of, login, make_runtime
from tests.helpers.complaints import insert_complaint

attachments = AttachmentRow.__table__  # type: ignore[attr-defined]
OFFICERS = {
    "okta": DeskUser(password_hash=PASSWORD_HASH, role="officer", agency="sudin-sda"),
    "bima": DeskUser(password_hash=PASSWORD_HASH, role="officer", agency="sudin-bina-marga"),
}


def runtime_with_officers(engine: Engine, tmp_path: Path):  # type: ignore[no-untyped-def]
    runtime = make_runtime(engine, tmp_path)
    runtime.settings.desk.users.update(OFFICERS)
    return runtime


def post(client, path: str, **data: str):  # type: ignore[no-untyped-def]
    token = csrf_of(client.get(path).text)
    return client.post(path, data={"csrf": token, **data})


def test_clerk_updates_a_status(engine: Engine, tmp_path: Path) -> None:
    cid = insert_complaint(engine, reference="ADU-2026-300001", agency="sudin-bina-marga")
    with client_for(make_runtime(engine, tmp_path)) as client:
        path = "/desk/aduan/ADU-2026-300001"
        assert client.get(path, follow_redirects=False).status_code == 303
        assert client.post(path, data={"status": "closed"}).status_code == 403
        login(client)
        page = client.get(path)
        assert page.status_code == 200 and "Diteruskan ke instansi terkait" in page.text
        assert "Lampu jalan mati di Jl. Kemang Raya" in page.text  # the full text
        token = csrf_of(page.text)
        assert client.post(path, data={"aksi": "status", "status": "closed"}).status_code == 403
        missing = client.post(path, data={"csrf": token, "aksi": "status", "status": "resolved"})
        assert missing.status_code == 400
        assert "wajib disertai catatan" in missing.text and "--note" not in missing.text
        done = post(client, path, aksi="status", status="resolved", note="Lampu sudah diganti")
        assert done.status_code == 200 and "Selesai ditangani" in done.text
        # "Sedang ditangani" on a resolved case does not reopen it; only "Buka kembali" does
        again = post(client, path, aksi="status", status="in_progress")
        assert again.status_code == 400 and "Buka kembali" in again.text
        assert 'value="in_progress"' not in again.text and 'value="reopen"' in again.text
        reopened = post(client, path, aksi="status", status="reopen")
        assert reopened.status_code == 200 and "Sedang ditangani" in reopened.text
        unknown = client.get("/desk/aduan/ADU-2026-000000")
        assert unknown.status_code == 404 and 'name="status"' not in unknown.text
        assert "tidak ditemukan" in unknown.text
    events = history(engine, cid)
    assert [(e.to_status, e.actor) for e in events] == [
        ("resolved", "desk:sari"),
        ("in_progress", "desk:sari"),
    ]
    assert events[0].note == "Lampu sudah diganti"


def test_clerk_corrects_the_category_and_it_becomes_a_label(engine: Engine, tmp_path: Path) -> None:
    insert_complaint(engine, reference="ADU-2026-300002")
    with client_for(make_runtime(engine, tmp_path)) as client:
        path = "/desk/aduan/ADU-2026-300002"
        login(client)
        page = client.get(path)
        assert 'name="kategori"' in page.text
        assert client.post(path, data={"aksi": "koreksi", "kategori": "waste"}).status_code == 403
        wrong = post(client, path, aksi="koreksi", kategori="nope")
        assert wrong.status_code == 400 and "Kategori tidak dikenal" in wrong.text
        done = post(client, path, aksi="koreksi", kategori="waste", instansi="sudin-lh")
        assert done.status_code == 200 and "Kategori disimpan" in done.text
        assert "Keputusan petugas" in done.text  # the triage section names the human decision
    (label,) = read_labels(engine)
    assert (label.category, label.actor, label.origin) == ("waste", "desk:sari", "desk")


def test_an_officer_sees_only_their_agencys_cases(engine: Engine, tmp_path: Path) -> None:
    insert_complaint(engine, reference="ADU-2026-300003", agency="sudin-bina-marga")
    runtime = runtime_with_officers(engine, tmp_path)
    with client_for(runtime) as client:
        login(client, "okta")
        path = "/desk/aduan/ADU-2026-300003"
        denied = client.get(path)
        assert denied.status_code == 403 and "Lampu jalan" not in denied.text
        token = csrf_of(denied.text)
        refused = client.post(path, data={"csrf": token, "aksi": "catatan", "catatan": "x"})
        assert refused.status_code == 403
    with client_for(runtime) as client:
        login(client, "bima")
        page = client.get("/desk/aduan/ADU-2026-300003")
        assert page.status_code == 200 and 'name="kategori"' not in page.text  # no "correct"
        wrong = post(client, "/desk/aduan/ADU-2026-300003", aksi="status", status="rejected",
                     agency="sudin-bina-marga")  # fmt: skip
        assert wrong.status_code == 400 and "berbeda" in wrong.text
        no_agency = post(client, "/desk/aduan/ADU-2026-300003", aksi="status", status="rejected")
        assert no_agency.status_code == 400 and "instansi yang berwenang" in no_agency.text
        ok = post(client, "/desk/aduan/ADU-2026-300003", aksi="status", status="rejected",
                  agency="sudin-sda", note="Saluran, bukan lampu")  # fmt: skip
        assert ok.status_code == 200 and "Bukan kewenangan" in ok.text


def test_the_whole_case_sources_reporter_incident_photo_and_late(
    engine: Engine, tmp_path: Path
) -> None:
    runtime = make_runtime(engine, tmp_path)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        reporter = conn.execute(
            Reporter.__table__.insert().values(key="r1", created_at=now)  # type: ignore[attr-defined]
        ).inserted_primary_key[0]
        conn.execute(
            ReporterIdentity.__table__.insert().values(  # type: ignore[attr-defined]
                identity="tel:+6281200012345", reporter_id=reporter, created_at=now
            )
        )
        incident = conn.execute(
            Incident.__table__.insert().values(  # type: ignore[attr-defined]
                reference="INC-2026-000009",
                category="drainage_flooding",
                kecamatan="Cilandak",
                complaint_count=2,
                first_received_at=now,
                last_received_at=now,
                created_at=now,
            )
        ).inserted_primary_key[0]
    received = now - timedelta(days=6)
    cid = insert_complaint(
        engine,
        reference="ADU-2026-300004",
        reporter_id=reporter,
        incident_id=incident,
        received_at=received,
        due_at=received + timedelta(days=3),
        category="drainage_flooding",
        agency="sudin-sda",
        text="Got mampet",
        original_text="Got  mampet di RT 03",
    )
    insert_complaint(engine, reference="ADU-2026-300005", reporter_id=reporter)
    insert_complaint(engine, reference="ADU-2026-300006", incident_id=incident)
    raws = []
    with engine.begin() as conn:
        for n, (channel, role, text) in enumerate(
            [("sms", "first", None), ("telegram", "followup", "Masih mampet, tolong")]
        ):
            raw_id = conn.execute(
                raw_messages.insert().values(
                    channel=channel,
                    account="main",
                    external_id=f"x{n}",
                    payload=b"{}",
                    content_type="application/json",
                    content_hash="0" * 64,
                    status="normalized",
                    meta={},
                    received_at=received + timedelta(hours=n),
                    fetched_at=received,
                )
            ).inserted_primary_key[0]
            raws.append(raw_id)
            conn.execute(
                complaint_sources.insert().values(
                    complaint_id=cid,
                    raw_message_id=raw_id,
                    role=role,
                    channel=channel,
                    received_at=received + timedelta(hours=n),
                    text=text,
                )
            )
        sha = put_blob(runtime.settings.data_dir, PNG)
        photo = conn.execute(
            attachments.insert().values(
                complaint_id=cid,
                raw_message_id=raws[0],
                filename="got.png",
                content_type="image/png",
                size=len(PNG),
                sha256=sha,
                stored=True,
            )
        ).inserted_primary_key[0]
        evil = conn.execute(
            attachments.insert().values(
                complaint_id=cid,
                filename="x.html",
                content_type="text/html",
                sha256="../../../etc/passwd",
                stored=True,
            )
        ).inserted_primary_key[0]
    with client_for(runtime) as client:
        assert client.get(f"/desk/lampiran/{photo}", follow_redirects=False).status_code == 303
        login(client)
        page = client.get("/desk/aduan/ADU-2026-300004").text
        assert "Got  mampet di RT 03" in page  # the citizen's text, as written
        assert page.index("Pesan pertama") < page.index("Tindak lanjut")
        assert "Masih mampet, tolong" in page and "Telegram" in page
        assert "tel:+62812•••••345" in page and "081200012345" not in page
        assert 'href="/desk/aduan/ADU-2026-300005"' in page
        assert "INC-2026-000009" in page and 'href="/desk/aduan/ADU-2026-300006"' in page
        assert "Kec. Cilandak" in page and "Saluran air" in page
        assert 'id="deadline" class="deadline late"' in page
        assert "Melewati target penyelesaian" in page
        assert f'src="/desk/lampiran/{photo}"' in page
        served = client.get(f"/desk/lampiran/{photo}")
        assert served.status_code == 200 and served.content == PNG
        assert served.headers["content-type"] == "image/png"
        assert client.get(f"/desk/lampiran/{evil}").status_code == 404
        assert client.get("/desk/lampiran/..%2F..%2Fetc").status_code == 404
        split_form = post(client, "/desk/aduan/ADU-2026-300004", aksi="pisah", sumber="999999")
        assert split_form.status_code == 400 and "tidak ditemukan" in split_form.text
        with engine.connect() as conn:
            rows = conn.execute(select(complaint_sources)).all()
        (follow,) = [s for s in rows if s.role == "followup"]
        split = post(client, "/desk/aduan/ADU-2026-300004", aksi="pisah", sumber=str(follow.id))
        assert split.status_code == 200 and "aduan baru" in split.text
        note = post(client, "/desk/aduan/ADU-2026-300004", aksi="catatan", catatan="Cek lokasi")
        assert note.status_code == 200 and "Catatan internal" in note.text
        self_dup = post(client, "/desk/aduan/ADU-2026-300004", aksi="duplikat",
                        asli="ADU-2026-300004")  # fmt: skip
        assert self_dup.status_code == 400 and "dirinya sendiri" in self_dup.text
        dup = post(client, "/desk/aduan/ADU-2026-300004", aksi="duplikat", asli="ADU-2026-300006")
        assert dup.status_code == 200 and "Digabung dengan aduan lain" in dup.text
    with engine.connect() as conn:
        new = conn.execute(
            select(complaints).where(complaints.c.extra["split_from"].as_string() != "")
        ).one()
        assert new.text == "Masih mampet, tolong" and new.status == "new"
        moved = conn.execute(
            select(raw_messages.c.complaint_id).where(raw_messages.c.id == raws[1])
        )
        assert moved.scalar_one() == new.id
