"""``aduan intake`` and ``aduan desk hash-password`` as real processes, on both databases."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine, select

from aduan.desk.auth import check_password
from aduan.store.models import raw_messages
from tests.desk.helpers import PNG


def aduan(*args: str, url: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {"ADUAN_DATABASE_URL": url, "ADUAN_DATA_DIR": str(cwd / "data"), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "aduan", *args],
        input=stdin, capture_output=True, text=True, cwd=cwd, env=env, timeout=60,
    )  # fmt: skip


def test_hash_password_from_stdin(tmp_path: Path) -> None:
    done = aduan("desk", "hash-password", "--password-stdin", url="sqlite://", cwd=tmp_path,
                 stdin="loket-rahasia\n")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert check_password("loket-rahasia", done.stdout.strip())
    short = aduan("desk", "hash-password", "--password-stdin", url="sqlite://", cwd=tmp_path,
                  stdin="pendek\n")  # fmt: skip
    assert short.returncode == 1 and "at least 8" in short.stderr


def test_intake_with_flags(engine: Engine, store_url: str, tmp_path: Path) -> None:
    photo = tmp_path / "foto.png"
    photo.write_bytes(PNG)
    done = aduan(
        "intake", "--nama", "Agus Salim", "--nik", "3174051203850001", "--telepon",
        "0812-0009-9001", "--kecamatan", "Tebet", "--isi",
        "Trotoar rusak di depan pasar, pejalan kaki terpaksa lewat jalan.",
        "--kategori", "jalan", "--lampiran", str(photo), "--persetujuan", "--petugas", "rina",
        url=store_url, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found = re.fullmatch(r"Nomor aduan: (ADU-\d{4}-\d{6})\n", done.stdout)
    assert found, done.stdout
    with engine.connect() as conn:
        row = conn.execute(select(raw_messages)).one()
    assert row.meta["reference"] == found.group(1)
    entry = json.loads(bytes(row.payload))
    assert entry["clerk"] == "rina" and entry["reporter"]["nik_identity"].startswith("nik:")
    assert b"3174051203850001" not in bytes(row.payload)
    assert len(entry["attachments"]) == 1


def test_intake_refuses_bad_input_without_prompting(engine: Engine, store_url: str,
                                                    tmp_path: Path) -> None:  # fmt: skip
    done = aduan("intake", "--nama", "Agus", "--nik", "123", "--isi", "terlalu", url=store_url,
                 cwd=tmp_path)  # fmt: skip
    assert done.returncode == 2
    assert "nik: NIK harus 16 angka" in done.stderr
    assert "persetujuan" in done.stderr
    assert "Traceback" not in done.stderr
    with engine.connect() as conn:
        assert conn.execute(select(raw_messages.c.id)).all() == []
