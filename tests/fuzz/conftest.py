"""Hypothesis profiles for the channel fuzz suites, and the count of cases each ran.

``ci`` (the default, part of ``make test``) draws a bounded number of payloads
per channel; ``fuzz`` (``make fuzz``) many more. ``HYPOTHESIS_PROFILE`` picks
one; ``FUZZ_EXAMPLES`` overrides the number of payloads per channel.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
from hypothesis import HealthCheck, settings

CASES: Counter[str] = Counter()
OUTCOMES: Counter[str] = Counter()

_COMMON = {
    "deadline": None,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
    ],
    "database": None,
}
settings.register_profile("ci", max_examples=int(os.environ.get("FUZZ_EXAMPLES", 60)), **_COMMON)
settings.register_profile(
    "fuzz", max_examples=int(os.environ.get("FUZZ_EXAMPLES", 1500)), **_COMMON
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
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
