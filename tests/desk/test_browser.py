"""End to end in a real headless Chromium against a real ``aduan run``.

The browser is Debian's ``chromium`` (never a downloaded one), driven by
Playwright's Python client. One test logs in, fills the walk-in form with a
photo, submits and reads the reference number back, then checks the raw row
and the blob in the store. The other opens the dashboard over inserted
complaints (as a supervisor) and saves a screenshot under ``test-artifacts/``.
The daemon and browser fixtures are in tests/desk/conftest.py.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session

from aduan.core.clock import utcnow
from aduan.store import open_store
from aduan.store.blobs import blob_path
from aduan.store.models import Complaint, Incident, raw_messages
from tests.desk.conftest import ARTIFACTS, Daemon, log_in
from tests.desk.helpers import PNG

pytestmark = pytest.mark.integration


def test_clerk_records_a_walk_in_complaint(daemon: Daemon, browser: Any, tmp_path: Path) -> None:
    photo = tmp_path / "jalan-berlubang.png"
    photo.write_bytes(PNG)
    page = browser.new_page()
    log_in(page, daemon, "/desk")
    assert "Sari (loket 3)" in page.content()
    page.fill("#nama", "Rina Marlina")
    page.fill("#nik", "3174056707880003")
    page.fill("#telepon", "0812-0007-7001")
    page.fill("#email", "rina@example.org")
    page.fill("#alamat", "Jl. Fatmawati Raya No. 21")
    page.fill("#kelurahan", "Cilandak Barat")
    page.fill("#kecamatan", "Cilandak")
    page.fill("#isi", "Jalan berlubang besar di depan halte, sudah dua motor jatuh minggu ini.")
    page.select_option("#kategori", "roads")
    page.set_input_files("#lampiran", str(photo))
    page.check("#persetujuan")
    page.click("#kirim")
    page.wait_for_selector("#reference")
    reference = page.inner_text("#reference").strip()
    assert reference.startswith(f"ADU-{utcnow().year}-")
    assert reference in page.inner_text("#receipt")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "desk-receipt.png"), full_page=True)

    engine = open_store(daemon.db_url, migrate=False)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(raw_messages)).all()
    finally:
        engine.dispose()
    assert len(rows) == 1
    row = rows[0]
    assert (row.channel, row.account, row.meta["reference"]) == ("walkin", "desk", reference)
    payload = bytes(row.payload)
    assert b"3174056707880003" not in payload
    entry = json.loads(payload)
    assert entry["desk"] == "loket-3" and entry["reporter"]["kecamatan"] == "Cilandak"
    (attachment,) = entry["attachments"]
    assert attachment["filename"] == "jalan-berlubang.png"
    assert blob_path(daemon.data_dir, attachment["sha256"]).read_bytes() == PNG

    # A wrong value is refused in the page, with the message in Indonesian.
    page.click("#aduan-baru")
    page.fill("#nama", "Tanpa Kontak")
    page.fill("#isi", "Aduan tanpa NIK, telepon atau email sama sekali.")
    page.check("#persetujuan")
    page.click("#kirim")
    assert "Isi minimal salah satu" in page.inner_text("#err-nik")
    page.close()


def test_dashboard_in_the_browser(daemon: Daemon, browser: Any) -> None:
    now = utcnow()
    engine = open_store(daemon.db_url, migrate=False)
    channels = ["sms", "telegram", "twitter", "email", "walkin", "facebook"]
    categories = [
        ("penerangan", "Suku Dinas Bina Marga"),
        ("drainase", "Suku Dinas Sumber Daya Air"),
        ("kebersihan", "Suku Dinas Lingkungan Hidup"),
        ("kependudukan", "Suku Dinas Dukcapil"),
    ]
    with Session(engine) as session:
        incident = Incident(
            reference="INC-2026-000007",
            category="drainase",
            address="Jl. Kemang Raya, Bangka",
            complaint_count=9,
            first_received_at=now - timedelta(days=2),
            last_received_at=now - timedelta(hours=3),
        )
        session.add(incident)
        session.flush()
        for n in range(60):
            received = now - timedelta(hours=5 * n + 1)
            category, agency = categories[n % 4 if n % 7 else 1]
            resolved = received + timedelta(days=1 + n % 5) if n % 3 else None
            session.add(
                Complaint(
                    reference=f"ADU-2026-{800000 + n:06d}",
                    channel=channels[n % 6 if n % 4 else 0],
                    account="demo",
                    text="x",
                    original_text="x",
                    received_at=received,
                    due_at=received + timedelta(days=3),
                    resolved_at=resolved if resolved and resolved < now else None,
                    category=category,
                    agency=agency,
                    kecamatan="Mampang Prapatan",
                    incident_id=incident.id if category == "drainase" else None,
                )
            )
        session.commit()
    engine.dispose()
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    log_in(page, daemon, "/dashboard", user="tia")
    assert page.locator("svg").count() >= 4
    assert page.inner_text("#total").endswith("60")
    assert "INC-2026-000007" in page.inner_text("#incidents")
    assert page.locator("#overdue tr").count() > 1
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    page.close()
