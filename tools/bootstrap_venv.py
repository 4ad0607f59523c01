"""Create the project's virtualenv with pip, even where Debian's python3 lacks ensurepip.

A fresh Debian 12 has ``python3`` without the ``python3-venv`` package, so
``python -m venv`` cannot install pip. Then the venv is created without pip
and pip is installed from its own wheel, fetched from the package index.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import urllib.request
import venv
from pathlib import Path


def _venv_python(target: Path) -> Path:
    return target / "bin" / "python"


def _install_pip_from_wheel(python: Path) -> None:
    index = "https://pypi.org/pypi/pip/json"
    with urllib.request.urlopen(index, timeout=60) as answer:
        release = json.load(answer)
    wheel = next(u for u in release["urls"] if u["filename"].endswith(".whl"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / wheel["filename"]
        with urllib.request.urlopen(wheel["url"], timeout=120) as answer:  # noqa: S310
            path.write_bytes(answer.read())
        subprocess.run([str(python), f"{path}/pip", "install", "-q", str(path)], check=True)


def main(target: str) -> int:
    path = Path(target)
    python = _venv_python(path)
    if (
        python.exists()
        and subprocess.run([str(python), "-m", "pip", "--version"], capture_output=True).returncode
        == 0
    ):
        return 0
    try:
        venv.create(path, with_pip=True, clear=True)
    except (subprocess.CalledProcessError, OSError) as exc:
        print(f"venv with pip failed ({exc}); installing pip from its wheel", file=sys.stderr)
        venv.create(path, with_pip=False, clear=True)
        _install_pip_from_wheel(python)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ".venv"))
