"""The public tracking page: status in Indonesian, and no personal data."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from aduan.daemon.app import create_app
from aduan.runtime import Runtime
from aduan.runtime.loader import load_settings
from aduan.store.cases import update_status
from tests.helpers.complaints import insert_complaint, tracking


def test_track_page(tmp_path: Path) -> None:
    settings = load_settings(env={"ADUAN_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"})
    runtime = Runtime.create(settings, logging=False)
    insert_complaint(
        runtime.engine,
        reference="ADU-2026-200001",
        text="Saya Budi Santoso, 081200012345, lampu jalan mati",
        address="Jl. Kemang Raya No. 10 RT 3",
    )
    update_status(
        runtime.engine,
        "ADU-2026-200001",
        "resolved",
        actor="x",
        note="Lampu diganti, info 081200012345",
    )
    with TestClient(create_app(runtime)) as client:
        page = client.get("/track/" + tracking(runtime, "ADU-2026-200001").lower())
        assert page.status_code == 200
        assert "Selesai ditangani" in page.text and "Penerangan jalan umum" in page.text
        assert "Lampu diganti" in page.text
        for private in ("Budi", "081200012345", "Kemang Raya No. 10"):
            assert private not in page.text
        missing = client.get("/track/ADU-2026-000000")
        assert missing.status_code == 404 and "tidak ditemukan" in missing.text
        without_code = client.get("/track/ADU-2026-200001")
        assert without_code.status_code == 404 and "Selesai" not in without_code.text
        by_query = client.get(
            "/track/ADU-2026-200001", params={"kode": tracking(runtime, "ADU-2026-200001")[-4:]}
        )
        assert by_query.status_code == 200
    runtime.close()
