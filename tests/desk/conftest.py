"""Headless Chromium against a real ``aduan run``: the daemon, the browser, logging in.

The daemon's config has a clerk (``sari``), an officer of the drainage agency
(``okta``, ``sudin-sda``), a supervisor (``tia``) and a ``[city]``. A browser
test that fails leaves a full-page screenshot of each open page under its
``tmp_path`` (``failure-<context>-<page>.png``, path printed in the report).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from aduan.store import open_store
from tests.conftest import free_port
from tests.desk.helpers import PASSWORD, PASSWORD_HASH
from tests.helpers.databases import skip_or_fail

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
"""Screenshots every run keeps for a person to look at (not failures: those go to tmp_path)."""
USERS = (("okta", "officer", "sudin-sda"), ("tia", "supervisor", None))


@dataclass
class Daemon:
    url: str
    db_url: str
    data_dir: Path


def wait_healthy(url: str, process: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            _, err = process.communicate()
            pytest.fail(f"aduan run exited: {err[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail("aduan run did not become healthy")
        time.sleep(0.1)


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[Daemon]:
    port = free_port()
    db_url = f"sqlite:///{tmp_path / 'aduan.db'}"
    data_dir = tmp_path / "data"
    config = tmp_path / "aduan.toml"
    config.write_text(
        f'database_url = "{db_url}"\n'
        f'data_dir = "{data_dir}"\n'
        "[desk.users.sari]\n"
        f'password_hash = "{PASSWORD_HASH}"\n'
        'desk = "loket-3"\n'
        'display_name = "Sari (loket 3)"\n'
        + "".join(
            f'[desk.users.{user}]\npassword_hash = "{PASSWORD_HASH}"\n'
            f'role = "{role}"\n' + (f'agency = "{agency}"\n' if agency else "")
            for user, role, agency in USERS
        )
        # The receipt shows the clerk's category until the normalize job triages the
        # complaint (1 s by default): a slow machine rendered it after triage had decided.
        + "[scheduler]\n"
        "normalize_seconds = 5.0\n" + "[city]\n"
        'name = "Kota Administrasi Jakarta Selatan"\n'
        'contact = "Call center 112 · aduan@jakarta.go.id"\n'
        'office_hours = "Senin–Kamis 08.00–16.00, Jumat 08.00–16.30 WIB"\n'
    )
    open_store(db_url).dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADUAN_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "aduan", "--config", str(config), "run", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        yield Daemon(url, db_url, data_dir)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test, so the browser fixture knows it failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def browser(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """Debian's chromium; on a failed test, a screenshot of every open page under tmp_path."""
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        skip_or_fail("Debian's chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("Playwright's Python client is not installed")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield launched
            failed = getattr(request.node, "report_call", None)
            if failed is not None and failed.failed:
                _screenshots(launched, tmp_path)
        finally:
            launched.close()


def _screenshots(launched: Any, folder: Path) -> list[Path]:
    saved = []
    for c, context in enumerate(launched.contexts):
        for p, page in enumerate(context.pages):
            path = folder / f"failure-{c}-{p}.png"
            try:
                page.screenshot(path=str(path), full_page=True)
            except Exception as exc:  # a closed page must not hide the failure
                print(f"no screenshot of page {c}-{p}: {exc}")
                continue
            saved.append(path)
            print(f"screenshot of the failed test: {path}")
    return saved


def log_in(page: Any, daemon: Daemon, target: str, user: str = "sari") -> None:
    page.goto(f"{daemon.url}{target}")
    assert "/login" in page.url
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]:has-text('Masuk')")
    page.wait_for_url(f"{daemon.url}{target}")
