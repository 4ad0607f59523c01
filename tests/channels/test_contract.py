"""Every registered channel: fetch from no cursor, cursor round-trip, no duplicates, no secrets."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, select

from aduan.channels.base import Channel
from aduan.channels.registry import REGISTRY
from aduan.core.errors import BadPayload
from aduan.core.messages import Message, RawMessage
from aduan.daemon.ingest import poll_channel
from aduan.store import open_store, read_cursor, save_batch
from aduan.store.models import raw_messages
from tests.channels.contract import PullCase, PushCase, cases

FIXTURES = Path(__file__).parent / "fixtures"
CASES = cases()


def secrets_of(channel: Channel) -> list[str]:
    return [v.get_secret_value() for _, v in channel.config if isinstance(v, SecretStr) and v]


def stored_raws(engine: Engine) -> list[RawMessage]:
    columns = [
        raw_messages.c[name]
        for name in ("channel", "account", "external_id", "payload", "content_type")
    ]
    with engine.connect() as conn:
        found = conn.execute(
            select(*columns, raw_messages.c.received_at, raw_messages.c.meta)
        ).all()
    return [
        RawMessage(c, a, e, bytes(p), t, received_at=r, meta=m or {})
        for c, a, e, p, t, r, m in found
    ]


@pytest.mark.parametrize("kind", sorted(REGISTRY))
def test_channel_has_case_and_fixtures(kind: str) -> None:
    assert kind in CASES, f"channel {kind} has no contract case (tests/channels/contract.py)"
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
