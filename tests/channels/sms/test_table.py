"""Each SMS gateway's rows of the payload table cover what every gateway must be tested for."""

from __future__ import annotations

import pytest

from tests.channels.payloads import Negative
from tests.channels.sms.cases import CASES, gateway
from tests.channels.sms.common import GATEWAYS


@pytest.mark.parametrize("name", GATEWAYS)
def test_gateway_has_the_required_cases(name: str) -> None:
    cases = [case for case in CASES if gateway(case) == name]
    assert cases, f"no cases for {name}"
    covered = {n for case in cases for n in case.covers}
    for needed in (Negative.REPLAY, Negative.BAD_AUTH):
        assert needed in covered, f"{name} lacks a case covering: {needed}"
    quarantined = [c for c in cases if any(row.disposition is None for row in c.rows)]
    assert quarantined, f"{name} lacks the missing-sender case (stored, quarantined at read)"
