"""Partner POST -> normalized and triaged complaint -> status by CLI -> partner reads it closed."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from starlette.testclient import TestClient

from aduan.daemon.app import create_app
from aduan.daemon.normalize_job import normalize_pending, runtime_normalizer
from tests.open311.conftest import JAKI_KEY, partner_settings


def test_round_trip(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    runtime = partner_settings(url, tmp_path)
    form = {
        "api_key": JAKI_KEY,
        "service_code": "other",
        "description": "Lampu PJU di Jl. Ampera Raya depan SDN 03 mati sejak tiga malam.",
        "address_string": "Jl. Ampera Raya",
        "attribute[partner_id]": "JAKI-1",
    }
    with TestClient(create_app(runtime)) as client:
        (created,) = client.post("/open311/v2/requests.json", data=form).json()
        reference = created["service_request_id"]
        stats = normalize_pending(runtime.engine, runtime_normalizer(runtime))
        assert stats.created == 1
        own = {"api_key": JAKI_KEY}
        (triaged,) = client.get(f"/open311/v2/requests/{reference}.json", params=own).json()
        assert triaged["status"] == "open"
        assert triaged["service_code"] == "street_lighting"  # the rules, not the partner's hint
        assert "Bina Marga" in triaged["agency_responsible"]
        assert triaged["expected_datetime"] > triaged["requested_datetime"]

        env = {**os.environ, "ADUAN_DATABASE_URL": url}
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "aduan",
                "complaint",
                "update",
                reference,
                "--status",
                "resolved",
                "--note",
                "Lampu PJU sudah diganti",
                "--actor",
                "sudin-bm",
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        assert done.returncode == 0, done.stderr
        (closed,) = client.get(f"/open311/v2/requests/{reference}.json", params=own).json()
    runtime.close()
    assert closed["status"] == "closed"
    assert closed["status_notes"] == "Lampu PJU sudah diganti"
    updated = datetime.fromisoformat(closed["updated_datetime"])
    assert updated > datetime.fromisoformat(triaged["updated_datetime"])
    assert closed["expected_datetime"] == triaged["expected_datetime"]
