"""Desk sessions end on the server; failed logins slow the guesser, never the clerk."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from aduan.config import Settings
from aduan.config.desk import DeskSettings, DeskUser
from aduan.daemon.app import create_app
from aduan.runtime import Runtime
from aduan.store.keys import nik_hash_key
from tests.desk.helpers import PASSWORD_HASH, csrf_of, login, make_runtime
from tests.helpers.cli import aduan
from tests.helpers.daemons import start_daemon

NEW_PASSWORD = "kata-sandi-baru-2"


def logged_in(runtime: Runtime, **client: object) -> TestClient:
    test_client = TestClient(create_app(runtime), base_url="http://127.0.0.1", **client)  # type: ignore[arg-type]
    assert login(test_client).status_code == 303
    return test_client


def test_cookie_reused_after_logout_is_refused(engine: Engine, tmp_path: Path) -> None:
    runtime = make_runtime(engine, tmp_path)
    with logged_in(runtime) as client:
        assert client.get("/desk", follow_redirects=False).status_code == 200
        cookie = client.cookies.get("aduan_session")
        page = client.get("/desk")
        done = client.post("/logout", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
        assert done.status_code == 303
    with TestClient(create_app(runtime), base_url="http://127.0.0.1") as replay:
        replay.cookies.set("aduan_session", cookie or "")
        again = replay.get("/desk", follow_redirects=False)
        assert again.status_code == 303 and again.headers["location"].startswith("/login")


def test_password_change_ends_sessions(engine: Engine, store_url: str, tmp_path: Path) -> None:
    runtime = make_runtime(engine, tmp_path)
    with logged_in(runtime) as client:
        done = aduan(
            "desk", "passwd", "sari", "--password-stdin", url=store_url, cwd=tmp_path,
            stdin=NEW_PASSWORD + "\n",
            env={"ADUAN_DESK__USERS__SARI__PASSWORD_HASH": PASSWORD_HASH},
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert client.get("/desk", follow_redirects=False).status_code == 303
    with TestClient(create_app(runtime), base_url="http://127.0.0.1") as fresh:
        assert login(fresh).status_code == 401
        assert login(fresh, password=NEW_PASSWORD).status_code == 303


def proxied_runtime(engine: Engine, tmp_path: Path) -> Runtime:
    users = {"sari": DeskUser(password_hash=PASSWORD_HASH, desk="loket-2")}
    settings = Settings.model_validate(
        {
            "database_url": str(engine.url),
            "data_dir": tmp_path / "data",
            "desk": DeskSettings(users=users),
            "server": {"trusted_proxies": ["10.0.0.1"]},
        }
    )
    return Runtime(settings, engine, {}, lambda: nik_hash_key(engine))


def test_guesses_elsewhere_do_not_lock_the_clerk_out(engine: Engine, tmp_path: Path) -> None:
    runtime = proxied_runtime(engine, tmp_path)
    proxy = {"client": ("10.0.0.1", 40000)}
    with TestClient(create_app(runtime), base_url="http://127.0.0.1", **proxy) as attacker:  # type: ignore[arg-type]
        attacker.headers["x-forwarded-for"] = "203.0.113.5"
        codes = [login(attacker, password="salah").status_code for _ in range(50)]
        assert 429 in codes
    with TestClient(create_app(runtime), base_url="http://127.0.0.1", **proxy) as clerk:  # type: ignore[arg-type]
        clerk.headers["x-forwarded-for"] = "198.51.100.7"
        assert login(clerk).status_code == 303


def test_forwarded_for_from_an_untrusted_peer_does_not_dodge_the_throttle(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    url = str(sqlite_engine.url)
    daemon = start_daemon(
        tmp_path / "d", url, {"ADUAN_DESK__USERS__SARI__PASSWORD_HASH": PASSWORD_HASH}
    )
    try:
        codes = []
        with httpx.Client(base_url=f"http://127.0.0.1:{daemon.port}") as client:
            for i in range(50):
                page = client.get("/login")
                answer = client.post(
                    "/login",
                    data={"csrf": csrf_of(page.text), "username": "sari", "password": "salah"},
                    headers={"x-forwarded-for": f"198.51.100.{i + 1}"},
                )
                codes.append(answer.status_code)
        assert 429 in codes
        assert codes.count(401) <= 6
    finally:
        daemon.stop()


@pytest.mark.parametrize("wrong", [5, 8])
def test_waits_grow_with_failures(wrong: int) -> None:
    from aduan.desk.logins import LoginThrottle

    throttle = LoginThrottle()
    for i in range(wrong):
        throttle.failed("sari", "203.0.113.5", now=float(i))
    first = throttle.wait("sari", "203.0.113.5", now=float(wrong))
    throttle.failed("sari", "203.0.113.5", now=float(wrong))
    later = throttle.wait("sari", "203.0.113.5", now=float(wrong))
    assert later > first >= 0
    assert throttle.wait("sari", "198.51.100.7", now=float(wrong)) == 0
