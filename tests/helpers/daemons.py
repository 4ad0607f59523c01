"""Real ``aduan run`` processes for fault tests and the soak benchmark.

:func:`start_daemon` launches ``python -m tests.helpers.rundaemon run`` (the
real CLI with the test channels registered) with its own data directory and
a log file, and waits for ``/healthz``. The handle reads health and metrics
and stops the process by signal or by ``kill -9``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parents[2]
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Callable[[], T], timeout: float, interval: float = 0.1, what: str = "") -> T:
    """Call ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or check}")
        time.sleep(interval)


@dataclass
class DaemonProcess:
    proc: subprocess.Popen[bytes]
    port: int
    log: Path
    data_dir: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def get(self, path: str, timeout: float = 5) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{self.port}{path}", timeout=timeout
            ) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def health(self) -> dict[str, Any]:
        return dict(json.loads(self.get("/healthz", timeout=15)[1]))

    def metrics(self) -> str:
        return self.get("/metrics", timeout=15)[1].decode()

    def post(self, path: str, body: bytes, headers: dict[str, str], timeout: float = 30) -> int:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", data=body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)

    def signal(self, signum: int = signal.SIGTERM) -> None:
        self.proc.send_signal(signum)

    def kill9(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)

    def stop(self, timeout: float = 15) -> float:
        """SIGTERM and wait; returns the seconds it took to exit."""
        if self.proc.poll() is not None:
            return 0.0
        began = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return time.monotonic() - began

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0


def start_daemon(
    folder: Path,
    database_url: str,
    env: dict[str, str] | None = None,
    *,
    port: int | None = None,
    wait: float = 60,
) -> DaemonProcess:
    """Start a daemon with its data under ``folder``; ``env`` adds ADUAN_* settings."""
    folder.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    data_dir = folder / "data"
    full_env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "ADUAN_DATABASE_URL": database_url,
        "ADUAN_DATA_DIR": str(data_dir),
        "ADUAN_LOG__FORMAT": "json",
        "ADUAN_SCHEDULER__JITTER_SECONDS": "0.1",
        **(env or {}),
    }
    log = folder / "daemon.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.helpers.rundaemon", "run", "--port", str(port)],
            cwd=folder,
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    daemon = DaemonProcess(proc, port, log, data_dir)
    deadline = time.monotonic() + wait
    while True:
        if proc.poll() is not None:
            raise AssertionError(f"daemon exited with {proc.returncode}:\n{daemon.log_text()}")
        try:
            daemon.get("/healthz", timeout=2)
            return daemon
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise AssertionError(f"daemon never answered:\n{daemon.log_text()}") from None
            time.sleep(0.1)
