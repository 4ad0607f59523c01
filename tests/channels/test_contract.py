"""Every registered channel: fetch from no cursor, cursor round-trip, no duplicates, no secrets,
and a payload table with the negative cases (bad signature or secret, malformed, repeated)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from aduan.channels.base import Channel
from aduan.core.errors import BadPayload
from aduan.core.messages import Message
from aduan.daemon.ingest import poll_channel
from aduan.store import open_store, read_cursor, save_batch
from tests.channels.contract import PullCase, PushCase, cases
from tests.channels.payloads import PushHarness, missing, stored_raws
from tests.channels.registry_cases import channel_tests, registered

FIXTURES = Path(__file__).parent / "fixtures"
CASES = cases()


def secrets_of(channel: Channel) -> list[str]:
    return [v.get_secret_value() for _, v in channel.config if isinstance(v, SecretStr) and v]


@pytest.mark.parametrize("kind", registered())
def test_channel_has_case_and_fixtures(kind: str) -> None:
    assert kind in CASES, f"channel {kind} has no tests/channels/{kind}/contract_case.py"
    folder = FIXTURES / kind
    assert folder.is_dir() and any(folder.iterdir()), f"no fixtures under {folder}"


@pytest.mark.parametrize("kind", sorted(CASES))
def test_contract(kind: str, tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'contract.db'}")
    with CASES[kind](tmp_path) as case:
        channel = case.channel
        for secret in secrets_of(channel):
            assert secret not in channel.describe()
        if isinstance(case, PullCase):
            case.deliver(3)
            assert poll_channel(engine, channel).stored == 3
            cursor = read_cursor(engine, channel.type, channel.name)
            assert cursor is not None
            assert poll_channel(engine, channel).stored == 0
            case.deliver(2)
            assert poll_channel(engine, channel).stored == 2
            assert read_cursor(engine, channel.type, channel.name) != cursor
            expected = 5
        else:
            assert isinstance(case, PushCase)
            for i in range(3):
                request = case.request(i)
                channel.verify(request)
                assert save_batch(engine, channel.parse(request)).new
                channel.verify(request)
                assert save_batch(engine, channel.parse(request)).new == {}
            expected = 3
        raws = stored_raws(engine)
        assert len(raws) == expected
        for raw in raws:
            try:
                assert isinstance(channel.read(raw), Message)
            except BadPayload as exc:
                pytest.fail(f"{kind}: a delivered message did not read: {exc}")
    engine.dispose()


@pytest.mark.parametrize("kind", registered())
def test_channel_has_the_negative_payload_cases(kind: str) -> None:
    module = channel_tests(kind, "cases")
    assert module is not None, (
        f"channel {kind} has no payload table: tests/channels/{kind}/cases.py "
        "with HARNESS and CASES (see tests/channels/payloads.py)"
    )
    lacking = missing(module.CASES)
    assert not lacking, (
        f"channel {kind}'s payload table has no case covering: "
        + "; ".join(lacking)
        + " (a PayloadCase with covers={Negative...})"
    )


@pytest.mark.parametrize("kind", registered())
def test_push_tables_store_each_fixture_once(kind: str) -> None:
    """Push cases share one app: a fixture stored twice would find its row already there."""
    module = channel_tests(kind, "cases")
    if module is None or not isinstance(module.HARNESS, PushHarness):
        return
    storing = [(case.fixture, case.options.get("instance")) for case in module.CASES if case.rows]
    twice = {item for item in storing if storing.count(item) > 1}
    assert not twice, f"{kind}: these fixtures are stored by more than one case: {sorted(twice)}"
