"""Desk users in the store: ``aduan desk user add|list|passwd|disable`` as real processes,
and logging in with them (a disabled user's open session stops working)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from aduan.desk.auth import check_password, hash_password
from aduan.store.users import add_user, get_user, set_disabled
from tests.desk.helpers import client_for, login, make_runtime
from tests.helpers.cli import aduan


# The commands as processes on SQLite; the store functions they call run on both below.
@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_user_commands(engine: Engine, store_url: str, tmp_path: Path) -> None:
    def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
        done = aduan("desk", "user", *args, url=store_url, cwd=tmp_path, stdin=stdin)
        return done.returncode, done.stdout, done.stderr

    officer = ("add", "dewi", "--role", "officer", "--agency", "sudin-sda", "--name", "Dewi")
    code, out, err = run(*officer, "--password-stdin", stdin="air-bersih-1\n")
    assert code == 0, err
    assert "dewi added: officer of sudin-sda" in out
    user = get_user(engine, "dewi")
    assert user is not None and (user.role, user.agency, user.disabled) == (
        "officer",
        "sudin-sda",
        False,
    )
    assert check_password("air-bersih-1", user.password_hash)

    # Refused, each with its reason and nothing stored.
    for args, reason in [
        (("add", "budi", "--role", "officer"), "an officer needs --agency"),
        (("add", "budi", "--role", "officer", "--agency", "dinas-x"), "unknown agency 'dinas-x'"),
        (("add", "budi", "--role", "kepala"), "unknown role 'kepala'"),
        (("add", "Budi Santoso", "--role", "clerk"), "bad username"),
        (("add", "budi", "--role", "clerk", "--agency", "sudin-sda"), "only an officer"),
        (("add", "dewi", "--role", "clerk"), "user 'dewi' already exists"),
    ]:
        code, out, err = run(*args, "--password-stdin", stdin="rahasia-123\n")
        assert code != 0 and reason in err, (args, err)
        assert "Traceback" not in err
    assert get_user(engine, "budi") is None
    code, _, err = run("add", "budi", "--role", "clerk", "--password-stdin", stdin="pendek\n")
    assert code != 0 and "at least 8" in err

    code, out, err = run(
        "add", "sari", "--role", "clerk", "--password-stdin", stdin="loket-satu-1\n"
    )
    assert code == 0, err
    code, out, _ = run("list")
    lines = [line.split("\t")[:4] for line in out.splitlines()]
    assert lines == [["dewi", "officer", "sudin-sda", "active"], ["sari", "clerk", "-", "active"]]
    stored = get_user(engine, "sari")
    assert stored is not None and stored.password_hash not in out  # no hash, no password
    assert "scrypt" not in out and "loket-satu-1" not in out

    code, out, err = run("passwd", "sari", "--password-stdin", stdin="loket-dua-22\n")
    assert code == 0, err
    sari = get_user(engine, "sari")
    assert sari is not None and check_password("loket-dua-22", sari.password_hash)
    code, _, err = run("passwd", "nobody", "--password-stdin", stdin="loket-dua-22\n")
    assert code != 0 and "no user 'nobody'" in err

    code, out, err = run("disable", "sari")
    assert code == 0 and "sari disabled" in out
    assert get_user(engine, "sari").disabled  # type: ignore[union-attr]
    code, out, _ = run("list")
    assert "sari\tclerk\t-\tdisabled" in out
    code, _, err = run("disable", "nobody")
    assert code != 0 and "no user 'nobody'" in err
    code, out, _ = run("disable", "sari", "--enable")
    assert code == 0 and not get_user(engine, "sari").disabled  # type: ignore[union-attr]


def test_a_store_user_logs_in_and_disabling_ends_the_session(
    engine: Engine, tmp_path: Path
) -> None:
    add_user(engine, "rina", hash_password("kantor-rina-1"), "supervisor", display_name="Rina")
    with client_for(make_runtime(engine, tmp_path)) as client:
        assert login(client, "rina", "salah-sekali").status_code == 401
        assert login(client, "rina", "kantor-rina-1").status_code == 303
        assert client.get("/desk", follow_redirects=False).status_code == 200
        set_disabled(engine, "rina")
        answer = client.get("/desk", follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
        assert login(client, "rina", "kantor-rina-1").status_code == 401
        # The config's user still logs in next to the store's.
        assert login(client).status_code == 303
        assert client.get("/desk", follow_redirects=False).status_code == 200
