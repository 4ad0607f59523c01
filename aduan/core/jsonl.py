"""Labelled JSON-lines files (``aduan eval triage``, ``aduan eval places``): one reader.

Each line is one JSON object with a string ``text``; blank lines are skipped.
A file that cannot be read, or a bad line, is an :class:`AduanError` naming the
file and the first bad line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from aduan.core.errors import AduanError


def labelled_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each labelled line of ``path``."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise AduanError(f"cannot read {path}: {exc.strerror}") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise AduanError(f"{path}:{n}: not JSON: {exc.msg}") from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise AduanError(f"{path}:{n}: needs a string 'text'")
        yield n, row
