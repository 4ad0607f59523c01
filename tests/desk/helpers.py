"""A runtime and a logged-in client for the desk's tests."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from starlette.testclient import TestClient

from aduan.config import Settings
from aduan.config.desk import DeskSettings, DeskUser
from aduan.daemon.app import create_app
from aduan.desk.auth import hash_password
from aduan.runtime import Runtime
from aduan.store.keys import nik_hash_key

PASSWORD = "rahasia-loket-1"
PASSWORD_HASH = hash_password(PASSWORD, salt=b"0123456789abcdef")
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def make_runtime(engine: Engine, tmp_path: Path, **desk: Any) -> Runtime:
    desk_settings = DeskSettings(
        users={"sari": DeskUser(password_hash=PASSWORD_HASH, desk="loket-2")}, **desk
    )
    settings = Settings(
        database_url=str(engine.url), data_dir=tmp_path / "data", desk=desk_settings
    )
    return Runtime(settings, engine, {}, lambda: nik_hash_key(engine))


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def entry_id_of(html: str) -> str:
    found = re.search(r'name="entry_id" value="([^"]+)"', html)
    assert found
    return found.group(1)


def login(client: TestClient, user: str = "sari", password: str = PASSWORD) -> Any:
    page = client.get("/login")
    return client.post(
        "/login",
        data={"csrf": csrf_of(page.text), "username": user, "password": password, "next": "/desk"},
        follow_redirects=False,
    )


def client_for(runtime: Runtime) -> TestClient:
    return TestClient(create_app(runtime), base_url="http://127.0.0.1")


GOOD_FORM = {
    "nama": "Budi Santoso",
    "nik": "3174051203850001",
    "telepon": "0812-0001-2345",
    "email": "budi@example.com",
    "alamat": "Jl. Kemang Raya No. 10",
    "kelurahan": "Bangka",
    "kecamatan": "Mampang Prapatan",
    "isi": "Lampu jalan di depan rumah mati sejak seminggu, jalan gelap di malam hari.",
    "kategori": "street_lighting",
    "persetujuan": "ya",
}
