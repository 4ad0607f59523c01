"""The fuzzed payloads each channel took, and how it answered them, printed after the run.

:data:`CASES` counts payloads per channel, :data:`OUTCOMES` answers per
``channel:outcome``. With pytest-xdist each worker counts its own and hands
them over at its end (:func:`hand_over`); the controller adds them up
(:func:`take_over`) and prints the table (:func:`report`). The root
``tests/conftest.py`` calls these from pytest's hooks.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

CASES: Counter[str] = Counter()
OUTCOMES: Counter[str] = Counter()


def hand_over(workeroutput: dict[str, Any]) -> None:
    workeroutput["fuzz_counts"] = (dict(CASES), dict(OUTCOMES))


def take_over(workeroutput: dict[str, Any]) -> None:
    cases, outcomes = workeroutput.get("fuzz_counts", ({}, {}))
    CASES.update(cases)
    OUTCOMES.update(outcomes)


def report(terminalreporter: pytest.TerminalReporter) -> None:
    if not CASES:
        return
    terminalreporter.write_sep("-", "fuzzed payloads per channel")
    for channel, n in sorted(CASES.items()):
        answers = ", ".join(
            f"{k.split(':', 1)[1]}={v}"
            for k, v in sorted(OUTCOMES.items())
            if k.startswith(channel + ":")
        )
        terminalreporter.write_line(f"{channel:20} {n:6}  {answers}")
