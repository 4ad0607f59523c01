"""Every channel's payload table (``tests/channels/<type>/cases.py``), run by the one runner.

Pull cases each get a fresh store and fake provider. Push cases share one app per
channel and database for this module (as a gateway's deliveries share a server);
each case checks only the rows it added, so a push table stores each fixture in
one case only (repeat it with ``deliveries``); ``test_contract`` checks this.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.channels.payloads import (
    App,
    PayloadCase,
    PullHarness,
    PushHarness,
    push_app,
    run_pull,
    run_push,
)
from tests.channels.registry_cases import channel_tests, registered
from tests.helpers.databases import reset_schema

AppFactory = Callable[[PushHarness, str], App]


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


@pytest.fixture(scope="module")
def apps(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppFactory]:
    made: dict[tuple[str, str], App] = {}
    with ExitStack() as stack:

        def get(harness: PushHarness, store: str) -> App:
            key = (harness.channel, store)
            if key not in made:
                folder = tmp_path_factory.mktemp(f"{harness.channel}-{store}")
                if store == "sqlite":
                    url = f"sqlite:///{folder / 'payload.db'}"
                else:
                    url = request.getfixturevalue("pg_database")
                    if not any(s == store for _, s in made):
                        reset_schema(url)
                made[key] = stack.enter_context(push_app(harness, url, folder / "data"))
            return made[key]

        yield get


@pytest.mark.parametrize(("harness", "case", "store"), _params())
def test_payload(
    harness: PushHarness | PullHarness,
    case: PayloadCase,
    store: str,
    tmp_path: Path,
    apps: AppFactory,
    request: pytest.FixtureRequest,
) -> None:
    if isinstance(harness, PullHarness):
        engine: Engine = request.getfixturevalue("sqlite_engine")
        run_pull(harness, case, engine, tmp_path)
    else:
        run_push(harness, case, apps(harness, store))
