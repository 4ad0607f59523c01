"""The desk's journeys in a real headless Chromium against a real ``aduan run``.

* a clerk's day: intake at the desk, the receipt, open the case from it,
  correct the category, set it in progress, resolve it with a note, and read
  it all in the history;
* an officer of another agency is refused a case (403);
* an overdue complaint shows its late state on the case page, on the
  dashboard and on the citizen's ``/track`` at 390 px, where the reference
  stays on one line and the labels do not squeeze the values.

Each test that fails leaves screenshots under its tmp_path (tests/desk/conftest.py).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from aduan.config import Settings
from aduan.core.clock import utcnow
from aduan.store import open_store
from aduan.store.keys import nik_hash_key
from aduan.store.models import complaints
from aduan.store.references import check_key, tracking_id
from aduan.triage.escalate import escalate
from tests.desk.conftest import ARTIFACTS, Daemon, log_in
from tests.helpers.complaints import insert_complaint

pytestmark = pytest.mark.integration
LINES = """e => {
  const range = document.createRange();
  range.selectNodeContents(e);
  return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
}"""


def test_a_clerks_day(daemon: Daemon, browser: Any, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    log_in(page, daemon, "/desk")
    typed = "Got mampet di depan SDN 03,\nair meluap ke jalan tiap hujan."
    page.fill("#nama", "Rina Marlina")
    page.fill("#telepon", "0812-0007-7001")
    page.fill("#kecamatan", "Cilandak")
    page.fill("#isi", typed)
    page.select_option("#kategori", "roads")  # the clerk's first guess, corrected later
    page.check("#persetujuan")
    page.click("#kirim")
    page.wait_for_selector("#receipt")
    reference = page.inner_text("#reference").strip()
    receipt = page.inner_text("#receipt")
    assert "Kota Administrasi Jakarta Selatan" in receipt and "Call center 112" in receipt
    assert "Jalan, trotoar dan jembatan" in receipt and "WIB" in receipt
    code = page.inner_text("#check-code").strip()
    assert page.get_attribute("#track-link", "href").endswith(f"/track/{reference}-{code}")
    page.emulate_media(media="print")  # what the printer gets: the receipt, not the menus
    assert page.is_visible("#receipt") and not page.is_visible("header")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "receipt-print.png"), full_page=True)
    page.emulate_media(media="screen")

    page.click("#buka-aduan")  # "sedang diproses" until the normalize job has run
    page.wait_for_selector("#summary", timeout=30_000)
    assert page.inner_text("#reference") == reference
    assert page.inner_text("#complaint-text") == typed
    page.select_option("#kategori", "drainage_flooding")
    page.click("#simpan-kategori")
    assert "Kategori disimpan" in page.inner_text("#message")
    assert page.inner_text("#category") == "Saluran air, genangan dan banjir"
    page.select_option("#status-baru", "in_progress")
    page.click("#simpan")
    assert page.inner_text("#status") == "Sedang ditangani"
    page.select_option("#status-baru", "resolved")
    page.click("#simpan")  # without a note: refused, in Indonesian
    assert "wajib disertai catatan" in page.inner_text("#error")
    page.select_option("#status-baru", "resolved")
    page.fill("#catatan", "Saluran dikeruk petugas SDA")
    page.click("#simpan")
    assert page.inner_text("#status") == "Selesai ditangani"
    history = page.inner_text("#history")
    assert "Sedang ditangani" in history and "Selesai ditangani" in history
    assert "Saluran dikeruk petugas SDA" in history and "desk:sari" in history
    options = page.eval_on_selector_all("#status-baru option", "os => os.map(o => o.value)")
    assert options == ["reopen"]  # a resolved case offers only "Buka kembali"
    page.close()
    engine = open_store(daemon.db_url, migrate=False)
    try:
        with engine.connect() as conn:
            row = conn.execute(select(complaints).where(complaints.c.reference == reference)).one()
    finally:
        engine.dispose()
    assert row.original_text == typed.replace("\n", "\r\n")  # as the browser sent it
    assert row.subject is None and row.extra["hint"] == "roads"
    assert (row.category, row.triage_source, row.status) == (
        "drainage_flooding",
        "manual",
        "resolved",
    )


def test_an_officer_cannot_open_another_agencys_case(daemon: Daemon, browser: Any) -> None:
    engine = open_store(daemon.db_url, migrate=False)
    try:
        insert_complaint(engine, reference="ADU-2026-500001", agency="sudin-bina-marga")
        insert_complaint(
            engine, reference="ADU-2026-500002", agency="sudin-sda", category="drainage_flooding"
        )
    finally:
        engine.dispose()
    page = browser.new_page()
    log_in(page, daemon, "/desk/aduan/ADU-2026-500002", user="okta")
    assert page.is_visible("#summary")
    answer = page.goto(f"{daemon.url}/desk/aduan/ADU-2026-500001")
    assert answer is not None and answer.status == 403
    assert page.is_visible("#denied") and "Lampu jalan" not in page.content()
    assert page.goto(f"{daemon.url}/dashboard").status == 403
    page.close()


def _overdue(daemon: Daemon) -> str:
    """A demo complaint six days old, past its deadline and escalated; its tracking id."""
    engine = open_store(daemon.db_url, migrate=False)
    try:
        received = utcnow() - timedelta(days=6)
        insert_complaint(
            engine,
            reference="ADU-2026-500003",
            agency="sudin-sda",
            category="drainage_flooding",
            kecamatan="Cilandak",
            received_at=received,
            due_at=received + timedelta(days=3),
        )
        escalate(engine, Settings().triage.escalation)
        return tracking_id(check_key(nik_hash_key(engine)), "ADU-2026-500003")
    finally:
        engine.dispose()


def test_an_overdue_complaint_is_late_everywhere(daemon: Daemon, browser: Any) -> None:
    tracked = _overdue(daemon)
    phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    phone.goto(f"{daemon.url}/track/{tracked}")
    late = phone.locator("#late")
    assert late.is_visible() and late.inner_text().startswith("Melewati target penyelesaian")
    assert "Lewat tenggat — dilaporkan ke atasan" in phone.inner_text("#history")
    assert "Kota Administrasi Jakarta Selatan" in phone.inner_text("#city-name")
    ref = phone.locator("#reference")
    box = ref.bounding_box()
    size = ref.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    lines = ref.evaluate(LINES)
    assert box is not None and lines == 1 and box["height"] < 2 * size  # one line, not wrapped
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    status = phone.locator("#status").bounding_box()
    assert status is not None and status["width"] > 250  # the value keeps the width
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "track-390.png"), full_page=True)
    phone.close()

    desk = browser.new_page(viewport={"width": 1100, "height": 900})
    log_in(desk, daemon, "/desk/aduan/ADU-2026-500003", user="tia")
    assert "late" in (desk.get_attribute("#deadline", "class") or "")
    assert desk.inner_text("#deadline").startswith("Melewati target penyelesaian")
    assert "Lewat tenggat — dilaporkan ke atasan" in desk.inner_text("#history")
    desk.screenshot(path=str(ARTIFACTS / "case-late.png"), full_page=True)
    desk.goto(f"{daemon.url}/desk/?tenggat=lewat")  # the inbox, late cases only
    row = desk.locator("#cases tr", has_text="ADU-2026-500003")
    assert row.get_attribute("class") == "lewat"
    assert "Lewat tenggat" in row.inner_text()
    desk.goto(f"{daemon.url}/dashboard")
    assert desk.inner_text("#overdue-count").strip().endswith("1")
    desk.click("#overdue a:has-text('ADU-2026-500003')")
    desk.wait_for_url(f"{daemon.url}/desk/aduan/ADU-2026-500003")
    desk.close()
