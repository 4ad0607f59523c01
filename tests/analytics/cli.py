"""Run the real ``aduan`` command in a subprocess against a test store."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def aduan(
    *args: str, url: str, cwd: Path, user: str = "analis"
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aduan", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={
            "ADUAN_DATABASE_URL": url,
            "PATH": "/usr/bin:/bin",
            "USER": user,
            "LOGNAME": user,
            "COLUMNS": "200",
        },
        timeout=120,
    )
