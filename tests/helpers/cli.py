"""Run the real ``aduan`` command in a subprocess, as an operator would, for the CLI tests.

The child gets a clean environment (no ``ADUAN_*`` leaking in from the shell
that runs the tests): only ``PATH``, ``PYTHONPATH`` when set, a wide terminal,
a login name (``user``, so actors in the output are predictable) and what the test
passes. ``url`` becomes ``ADUAN_DATABASE_URL``, with the data directory
``cwd/data``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


def aduan(
    *args: str,
    cwd: Path,
    url: str | None = None,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
    user: str = "analis",
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """``python -m aduan *args`` in ``cwd``; never raises on a non-zero exit."""
    environment = {"PATH": "/usr/bin:/bin", "COLUMNS": "200", "USER": user, "LOGNAME": user}
    if "PYTHONPATH" in os.environ:
        environment["PYTHONPATH"] = os.environ["PYTHONPATH"]
    if url is not None:
        environment["ADUAN_DATABASE_URL"] = url
        environment["ADUAN_DATA_DIR"] = str(cwd / "data")
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "aduan", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=timeout,
    )
