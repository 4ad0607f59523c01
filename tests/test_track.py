"""The public tracking page: status in Indonesian, and no personal data."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from aduan.config import Settings
from aduan.core.errors import ConfigError
from aduan.daemon.app import create_app
from aduan.runtime import Runtime
from aduan.runtime.loader import load_settings
from aduan.store.cases import update_status
from aduan.triage import active
from aduan.triage.escalate import escalate
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


def test_track_shows_a_passed_deadline_and_escalation_not_as_progress(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\nlogo")
    city = {"name": "Kota Contoh", "logo": str(logo), "contact": "Call center 112"}
    settings = load_settings(
        env={"ADUAN_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"}, city=city
    )
    runtime = Runtime.create(settings, logging=False)
    received = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)  # Friday 10:00 WIB
    insert_complaint(
        runtime.engine,
        reference="ADU-2026-200002",
        received_at=received,
        due_at=active().calendar.due_at(received),  # Wednesday 2 Dec 10:00 WIB
    )
    escalate(runtime.engine, Settings().triage.escalation)
    with TestClient(create_app(runtime)) as client:
        page = client.get("/track/" + tracking(runtime, "ADU-2026-200002")).text
        assert "Melewati target penyelesaian 2 Des 2026" in page
        assert "Lewat tenggat — dilaporkan ke atasan" in page
        assert "Diteruskan ke instansi terkait" in page  # the status itself, once
        assert page.count("Diteruskan ke instansi terkait") == 1
        assert "Kota Contoh" in page and "Call center 112" in page
        assert 'src="/kota/logo"' in page
        served = client.get("/kota/logo")
        assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    runtime.close()


def test_a_bad_city_setting_stops_start_up_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "aduan.toml"
    config.write_text('[city]\nname = " "\nlogo = "http://example.org/logo.png"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path=config, env={})
    problems = caught.value.problems
    assert any(p.startswith(f"{config}: city.name: ") and "empty" in p for p in problems)
    assert any(f"{config}: city.logo: " in p and "https" in p for p in problems)
    config.write_text(f'[city]\nlogo = "{tmp_path / "missing.png"}"\n')
    with pytest.raises(ConfigError, match=r"city\.logo: .*no logo file"):
        load_settings(path=config, env={})
