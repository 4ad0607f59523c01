"""Every channel's payload table (``tests/channels/<type>/cases.py``), run by the one runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.channels.payloads import PayloadCase, PullHarness, PushHarness, run_pull, run_push
from tests.channels.registry_cases import channel_tests, registered
from tests.helpers.databases import reset_schema


def _params() -> list[object]:
    found: list[object] = []
    for kind in registered():
        module = channel_tests(kind, "cases")
        if module is None:
            continue  # test_contract says what is missing
        harness = module.HARNESS
        stores = harness.stores if isinstance(harness, PushHarness) else ("sqlite",)
        for case in module.CASES:
            for store in stores:
                found.append(pytest.param(harness, case, store, id=f"{kind}-{case.id}-{store}"))
    return found


@pytest.mark.parametrize(("harness", "case", "store"), _params())
def test_payload(
    harness: PushHarness | PullHarness,
    case: PayloadCase,
    store: str,
    tmp_path: Path,
    sqlite_engine: Engine,
    request: pytest.FixtureRequest,
) -> None:
    if isinstance(harness, PullHarness):
        run_pull(harness, case, sqlite_engine, tmp_path)
        return
    if store == "sqlite":
        url = f"sqlite:///{tmp_path / 'payload.db'}"
    else:
        url = request.getfixturevalue("pg_database")
        reset_schema(url)
    run_push(harness, case, url, tmp_path / "data")
