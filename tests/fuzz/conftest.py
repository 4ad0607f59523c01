"""Hypothesis profiles for the channel fuzz suites.

``ci`` (the default, part of ``make test``) draws a bounded number of payloads
per channel; ``fuzz`` (``make fuzz``) many more. ``HYPOTHESIS_PROFILE`` picks
one; ``FUZZ_EXAMPLES`` overrides the number of payloads per channel. The
count of cases each channel ran is kept in :mod:`tests.fuzz.counts`.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

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
