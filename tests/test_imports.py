"""Every module imports on its own, first, in a fresh interpreter: no import cycles."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import aduan

PROBE = """
import importlib, sys, warnings
from sqlmodel import SQLModel
warnings.simplefilter("ignore")
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "aduan" or m.startswith("aduan.")]:
        del sys.modules[loaded]
    SQLModel.metadata.clear()
    SQLModel._sa_registry.dispose()
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed.append(f"{name}: {type(exc).__name__}: {exc}")
print("\\n".join(failed))
"""


def _modules() -> list[str]:
    root = Path(aduan.__file__).parent
    names = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        if parts[-1] == "__main__" or "migrations" in parts:
            continue  # run by python -m and by alembic, not imported
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_each_module_imports_first() -> None:
    modules = _modules()
    assert "aduan.core.identity" in modules
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *modules], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", done.stdout
