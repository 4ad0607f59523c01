"""``aduan run`` as a real process: health, clean stop on SIGTERM, one daemon per SQLite file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port

pytestmark = pytest.mark.timing  # make test runs it after the rest, with no other worker


def start(tmp_path: Path, port: int) -> subprocess.Popen[str]:
    env = {**os.environ, "ADUAN_DATABASE_URL": f"sqlite:///{tmp_path / 'aduan.db'}"}
    return subprocess.Popen(
        [sys.executable, "-m", "aduan", "run", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_healthy(port: int, timeout: float = 30) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                assert answer.status == 200
                return dict(json.load(answer))
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_run_serves_healthz_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    daemon = start(tmp_path, port)
    try:
        body = wait_healthy(port)
        assert body["status"] == "ok" and body["database"] == "ok"
        daemon.send_signal(signal.SIGTERM)
        began = time.monotonic()
        daemon.wait(timeout=10)
        assert time.monotonic() - began < 5
        assert daemon.returncode == 0
        _, err = daemon.communicate()
        assert "Traceback" not in err
        assert "daemon_stopped" in err
    finally:
        if daemon.poll() is None:
            daemon.kill()


def test_second_daemon_on_same_sqlite_file_refuses(tmp_path: Path) -> None:
    port = free_port()
    first = start(tmp_path, port)
    try:
        wait_healthy(port)
        second = start(tmp_path, free_port())
        _, err = second.communicate(timeout=30)
        assert second.returncode == 1
        assert "another aduan daemon is already running" in err
        assert "Traceback" not in err
    finally:
        first.send_signal(signal.SIGINT)
        first.wait(timeout=10)
