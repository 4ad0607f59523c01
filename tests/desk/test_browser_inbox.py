"""The inbox in a real headless Chromium against a real ``aduan run``.

A clerk (a config user) logs in, finds a case by searching its words and opens
it from the list. An agency officer (a store user, ``aduan desk user add``)
sees their agency's case but not another agency's, in the list or by search,
and a typed-in URL to that case is refused. Each test saves a screenshot of
the page under its temporary folder when it fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from aduan.desk.auth import hash_password
from aduan.store import open_store
from aduan.store.users import add_user
from tests.desk.conftest import Daemon
from tests.desk.helpers import PASSWORD
from tests.helpers.complaints import insert_complaint

pytestmark = pytest.mark.integration

OFFICER_PASSWORD = "air-bersih-sda-1"
SDA_CASE = "ADU-2026-200001"
LIGHT_CASE = "ADU-2026-200002"


@pytest.fixture
def inbox_daemon(daemon: Daemon) -> Daemon:
    """The desk's daemon (clerk ``sari`` in its config) with an officer of sudin-sda in the
    store, a late drainage case, a street-lighting case and 30 waste cases."""
    engine = open_store(daemon.db_url, migrate=False)
    now = datetime.now(UTC)
    add_user(engine, "dewi", hash_password(OFFICER_PASSWORD), "officer", agency="sudin-sda")
    insert_complaint(
        engine,
        reference=SDA_CASE,
        agency="sudin-sda",
        category="drainage_flooding",
        text="Saluran air di Jl. Tebet Barat tersumbat sampah, banjir setiap hujan.",
        due_at=now - timedelta(hours=3),
        kecamatan="Tebet",
    )
    insert_complaint(
        engine,
        reference=LIGHT_CASE,
        agency="sudin-bina-marga",
        category="street_lighting",
        text="Lampunya mati di depan Masjid Al-Ikhlas, jalan gelap sekali.",
        due_at=now + timedelta(days=5),
        kecamatan="Cilandak",
    )
    for n in range(30):
        insert_complaint(engine, agency="sudin-lh", category="waste", text=f"Sampah {n} menumpuk")
    engine.dispose()
    return daemon


@contextmanager
def screenshot_on_failure(page: Any, folder: Path, name: str) -> Iterator[None]:
    try:
        yield
    except BaseException:
        page.screenshot(path=str(folder / f"{name}-failed.png"), full_page=True)
        raise


def log_in(page: Any, server: Daemon, user: str, password: str) -> None:
    page.goto(f"{server.url}/desk/")
    assert "/login" in page.url
    page.fill("#username", user)
    page.fill("#password", password)
    page.click("button[type=submit]:has-text('Masuk')")
    page.wait_for_url(f"{server.url}/desk/")


def test_a_clerk_finds_a_case_by_search_and_opens_it(
    inbox_daemon: Daemon,
    browser: Any,
    tmp_path: Path,
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    with screenshot_on_failure(page, tmp_path, "clerk-inbox"):
        log_in(page, inbox_daemon, "sari", PASSWORD)
        assert "32" in page.inner_text("#total")
        first = page.locator("#cases tr").nth(1)
        assert SDA_CASE in first.inner_text() and "Lewat tenggat" in first.inner_text()
        # A clerk's header: inbox and intake, no dashboard (a clerk gets 403 there).
        assert (
            page.locator("#nav-intake").is_visible() and page.locator("#nav-dashboard").count() == 0
        )
        assert page.locator("#kecamatan option", has_text="Tebet (1)").count() == 1
        page.fill("#q", "lampu masjid")
        page.click("#cari")
        page.wait_for_url("**/desk/?*q=lampu+masjid*")
        assert page.locator("#cases tr").count() == 2  # the header and one case
        assert "Lampunya mati" in page.inner_text("#cases")
        page.click(f"a:has-text('{LIGHT_CASE}')")
        page.wait_for_url(f"{inbox_daemon.url}/desk/aduan/{LIGHT_CASE}")
        assert LIGHT_CASE in page.content()
        page.go_back()
        page.select_option("#tenggat", "lewat")
        page.fill("#q", "")
        page.click("#cari")
        page.wait_for_url("**tenggat=lewat*")
        assert SDA_CASE in page.inner_text("#cases") and LIGHT_CASE not in page.content()
    page.close()


def test_an_officer_sees_only_their_agency(
    inbox_daemon: Daemon,
    browser: Any,
    tmp_path: Path,
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    with screenshot_on_failure(page, tmp_path, "officer-inbox"):
        log_in(page, inbox_daemon, "dewi", OFFICER_PASSWORD)
        assert "Suku Dinas Sumber Daya Air" in page.inner_text("#scope")
        assert page.locator("#nav a").all_inner_texts() == ["Kotak masuk"]  # no 403 links
        assert SDA_CASE in page.inner_text("#cases")
        assert LIGHT_CASE not in page.content() and "menumpuk" not in page.content()
        page.fill("#q", "lampu")
        page.click("#cari")
        page.wait_for_url("**q=lampu*")
        assert page.locator("#empty").is_visible() and LIGHT_CASE not in page.content()
        page.goto(f"{inbox_daemon.url}/desk/?instansi=sudin-bina-marga")
        assert LIGHT_CASE not in page.content()
    page.close()


def test_an_officer_gets_403_on_another_agencys_case(
    inbox_daemon: Daemon,
    browser: Any,
    tmp_path: Path,
) -> None:
    page = browser.new_page()
    with screenshot_on_failure(page, tmp_path, "officer-403"):
        log_in(page, inbox_daemon, "dewi", OFFICER_PASSWORD)
        answer = page.goto(f"{inbox_daemon.url}/desk/aduan/{LIGHT_CASE}")
        assert answer is not None and answer.status == 403
        assert "Lampunya mati" not in page.content()
        own = page.goto(f"{inbox_daemon.url}/desk/aduan/{SDA_CASE}")
        assert own is not None and own.status == 200
    page.close()
