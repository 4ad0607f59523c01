"""Commands an analyst or operator runs: no channel secrets to read, a clear port error,
quarantine by hand."""

from __future__ import annotations

import io
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from aduan.cli.listen import banner
from aduan.core.clock import utcnow
from aduan.core.messages import RawMessage
from aduan.runtime.loader import load_settings
from aduan.store import open_store, save_batch
from aduan.store.models import raw_messages

REPO = Path(__file__).parents[2]


def aduan(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aduan", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)},
    )


@pytest.fixture
def secretless(tmp_path: Path) -> Path:
    """A config with an email and an SMS channel on, and none of their secrets."""
    (tmp_path / "aduan.toml").write_text(
        f'database_url = "sqlite:///{tmp_path / "a.db"}"\n'
        f'data_dir = "{tmp_path / "data"}"\n'
        "[channels.email.kota]\n"
        'host = "127.0.0.1"\n'
        'username = "aduan"\n'
        "[channels.sms.gw]\n"
        'gateway = "generic"\n'
    )
    return tmp_path


@pytest.mark.parametrize(
    "args",
    [
        ("query", "SELECT 1 AS one"),
        ("stats",),
        ("export", "--format", "csv", "--out", "out.csv"),
        ("quarantine", "list"),
        ("db", "current"),
        ("eval", "triage", str(REPO / "tests/triage/data/fresh.jsonl")),
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_reading_commands_need_no_channel_secrets(secretless: Path, args: tuple[str, ...]) -> None:
    assert aduan("db", "upgrade", cwd=secretless).returncode == 0
    result = aduan(*args, cwd=secretless)
    assert result.returncode == 0, result.stderr
    assert "missing secret" not in result.stderr


def test_commands_that_run_channels_still_need_them(secretless: Path) -> None:
    result = aduan("poll", "email", cwd=secretless)
    assert result.returncode == 2
    assert "missing secret" in result.stderr


def test_a_port_in_use_is_one_line_and_exit_1(tmp_path: Path) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        result = aduan("run", "--port", str(port), cwd=tmp_path)
    finally:
        taken.close()
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(port) in lines[0]
    for way in ("--port", "ADUAN_SERVER__PORT", "server.port"):
        assert way in lines[0]
    assert "daemon_started" not in result.stderr


def test_quarantine_add_then_retry(tmp_path: Path) -> None:
    (tmp_path / "aduan.toml").write_text(f'database_url = "sqlite:///{tmp_path / "a.db"}"\n')
    engine = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    body = b'{"text": "Lampu jalan mati di Jl. Kemang", "identities": ["tel:+6281200000001"]}'
    raw = RawMessage("sms", "gw", "q1", body, "application/vnd.aduan.message+json", utcnow())
    (raw_id,) = save_batch(engine, [raw]).new.values()
    added = aduan("quarantine", "add", str(raw_id), "--reason", "looks odd", cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    with engine.connect() as conn:
        row = conn.execute(select(raw_messages).where(raw_messages.c.id == raw_id)).one()
    assert (row.status, row.error) == ("quarantined", "operator: looks odd")
    listed = aduan("quarantine", "list", cwd=tmp_path)
    assert "operator: looks odd" in listed.stdout
    retried = aduan("quarantine", "retry", str(raw_id), cwd=tmp_path)
    assert retried.returncode == 0, retried.stderr
    with engine.connect() as conn:
        status = conn.execute(
            select(raw_messages.c.status).where(raw_messages.c.id == raw_id)
        ).scalar_one()
    engine.dispose()
    assert status == "normalized"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_banner_is_for_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings(
        env={
            "ADUAN_DATABASE_URL": "postgresql+psycopg://aduan:hunter22@db.internal/aduan",
            "ADUAN_DESK__USERS__SARI__PASSWORD_HASH": "scrypt$16384$8$1$c2FsdA$aGFzaA",
        }
    )
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    banner(settings, ["sms/twilio", "telegram/kota"])
    text = terminal.getvalue()
    assert "http://127.0.0.1:8080" in text and "sms/twilio, telegram/kota" in text
    assert "/login as sari" in text
    assert "hunter22" not in text and "db.internal" in text
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    banner(settings, [])
    assert piped.getvalue() == ""
