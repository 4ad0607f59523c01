"""``aduan intake`` and ``aduan desk hash-password`` as real processes, on both databases."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import re
import select
import signal
import sys
import termios
import time
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy import select as query

from aduan.desk.auth import check_password
from aduan.store.models import raw_messages
from tests.desk.helpers import PNG
from tests.helpers.cli import aduan


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
        "--kategori", "roads", "--lampiran", str(photo), "--persetujuan", "--petugas", "rina",
        url=store_url, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found = re.fullmatch(r"Nomor aduan: (ADU-\d{4}-\d{6})\nKode cek: [A-Z2-9]{4}\n", done.stdout)
    assert found, done.stdout
    with engine.connect() as conn:
        row = conn.execute(query(raw_messages)).one()
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
        assert conn.execute(query(raw_messages.c.id)).all() == []


def converse(
    argv: list[str],
    cwd: Path,
    env: dict[str, str],
    answers: list[tuple[str, str]],
    hidden: set[str],
) -> str:
    """Run ``argv`` on a real pseudo-terminal, answering each prompt as it appears."""
    pid, master = pty.fork()
    if pid == 0:  # the child: the pty is its controlling terminal
        os.chdir(cwd)
        os.execve(sys.executable, [sys.executable, *argv], env)
    seen = b""
    deadline = time.monotonic() + 30
    try:
        for prompt, answer in answers:
            while prompt.encode() not in seen:
                assert time.monotonic() < deadline, f"no prompt {prompt!r} in {seen!r}"
                if select.select([master], [], [], 1)[0]:
                    seen += os.read(master, 4096)
            seen = seen.split(prompt.encode(), 1)[1]
            if prompt in hidden:  # answer once the program has turned echo off
                while termios.tcgetattr(master)[3] & termios.ECHO:
                    assert time.monotonic() < deadline, "echo never turned off"
                    time.sleep(0.02)
            os.write(master, answer.encode() + b"\n")
        while time.monotonic() < deadline:
            if select.select([master], [], [], 0.5)[0]:
                try:
                    seen += os.read(master, 4096)
                except OSError:  # EIO: the child closed the terminal
                    break
            elif os.waitpid(pid, os.WNOHANG) != (0, 0):
                pid = 0
                break
    finally:
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(master)
    return seen.decode(errors="replace")


def test_intake_prompts_on_a_terminal(engine: Engine, store_url: str, tmp_path: Path) -> None:
    env = {"ADUAN_DATABASE_URL": store_url, "ADUAN_DATA_DIR": str(tmp_path / "data"),
           "PATH": "/usr/bin:/bin", "ADUAN_LOG__LEVEL": "WARNING"}  # fmt: skip
    answers = [
        ("Nama pelapor", "Wulan Sari"),
        ("NIK", "3174055203850001"),
        ("Telepon", ""),
        ("Email", "wulan@example.org"),
        ("Alamat", ""),
        ("Kelurahan", "Pela Mampang"),
        ("Kecamatan", "Mampang Prapatan"),
        ("Isi aduan", "Pohon besar miring hampir roboh ke kabel listrik."),
        ("Kategori", ""),
        ("setuju", "y"),
    ]
    argv = ["-m", "aduan", "intake", "--petugas", "rina"]
    shown = converse(argv, tmp_path, env, answers, hidden={"NIK"})
    assert "3174055203850001" not in shown, "the NIK must not be echoed"
    found = re.search(r"Nomor aduan: (ADU-\d{4}-\d{6})", shown)
    assert found, shown
    with engine.connect() as conn:
        row = conn.execute(query(raw_messages)).one()
    entry = json.loads(bytes(row.payload))
    assert entry["reporter"]["kelurahan"] == "Pela Mampang"
    assert row.meta["reference"] == found.group(1)
