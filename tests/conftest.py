"""Fixtures shared by every test: stores on SQLite and PostgreSQL, test channels.

``make test`` runs the suite on several pytest-xdist workers (``-n``, one test
file per worker at a time): a test may use only its own ``tmp_path``, free
ports and its own PostgreSQL database, never a fixed port or a shared file.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from aduan.channels.registry import REGISTRY
from aduan.store import open_store
from tests.fuzz import counts as fuzz_counts
from tests.helpers import channels as test_channels
from tests.helpers.databases import create_database, reset_schema


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test marked ``only_on(db)`` runs on that database alone: its ``store_url``
    parametrization on the other is not collected (deselected, never skipped)."""
    keep: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        mark = item.get_closest_marker("only_on")
        params = getattr(item, "callspec", None)
        wanted = mark.args[0] if mark else None
        if wanted and params and params.params.get("store_url", wanted) != wanted:
            dropped.append(item)
        else:
            keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # a pytest-xdist worker: its counts go to the controller
        fuzz_counts.hand_over(workeroutput)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """A pytest-xdist worker ended (a hook of pytest-xdist's, run by the controller)."""
    fuzz_counts.take_over(getattr(node, "workeroutput", {}))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    fuzz_counts.report(terminalreporter)


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    yield from create_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty store's URL, on each database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'aduan.db'}"
    else:
        url: str = request.getfixturevalue("pg_database")
        reset_schema(url)
        yield url


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    """A migrated store on each database."""
    eng = open_store(store_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    eng = open_store(f"sqlite:///{tmp_path / 'aduan.db'}")
    yield eng
    eng.dispose()


@pytest.fixture
def test_channels_registered() -> Iterator[None]:
    """Register the core's test channels for one test."""
    REGISTRY["testlist"] = test_channels.ListChannel
    REGISTRY["testpush"] = test_channels.SignedChannel
    test_channels.SOURCE.clear()
    test_channels.FAULT.clear()
    yield
    REGISTRY.pop("testlist", None)
    REGISTRY.pop("testpush", None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
