"""Every labelled inbound payload under fixtures/sms/<gateway>/, through the real ASGI app.

One shared runner: each fixture is sent (signed as the gateway signs, unless it
says otherwise) to ``aduan.daemon.app.create_app`` on SQLite and PostgreSQL; the
status, the answer, the number of new raw rows and what ``read`` makes of the
stored row are checked against the fixture's ``expect``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from aduan.core.errors import BadPayload
from aduan.core.messages import Message, RawMessage
from aduan.daemon.app import create_app
from aduan.runtime import Runtime
from aduan.runtime.loader import load_settings
from aduan.store.models import raw_messages
from tests.channels.sms.common import GATEWAYS, build, load_cases, settings_env


@pytest.fixture
def app(store_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, Runtime]]:
    settings = load_settings(env=settings_env(store_url, tmp_path / "data"))
    runtime = Runtime.create(settings, logging=False)
    with TestClient(create_app(runtime)) as client:
        yield client, runtime
    runtime.close()


def count(runtime: Runtime) -> int:
    with runtime.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(raw_messages)).scalar_one())


def last_raw(runtime: Runtime) -> RawMessage:
    t = raw_messages.c
    query = select(
        t.channel, t.account, t.external_id, t.payload, t.content_type, t.received_at, t.meta
    ).order_by(t.id.desc())
    with runtime.engine.connect() as conn:
        row = conn.execute(query.limit(1)).one()
    return RawMessage(*row[:3], bytes(row[3]), row[4], received_at=row[5], meta=row[6] or {})


def check_message(label: str, message: Message, want: dict[str, Any]) -> None:
    if "text" in want:
        assert message.text == want["text"], label
    if "identities" in want:
        assert list(message.identities) == want["identities"], label
    if "sent_at" in want:
        assert message.sent_at == datetime.fromisoformat(want["sent_at"]), label
    if "attachments" in want:
        got = [{"url": a.url, "content_type": a.content_type} for a in message.attachments]
        assert got == want["attachments"], label
    if "fragment" in want:
        assert message.fragment is not None, label
        assert message.fragment.model_dump() == want["fragment"], label
    for key, value in want.get("extra", {}).items():
        assert message.extra.get(key) == value, f"{label}: extra[{key}]"


def run_case(client: TestClient, runtime: Runtime, gateway: str, case: dict[str, Any]) -> None:
    label = f"{gateway}: {case['label']}"
    expect = case["expect"]
    before = count(runtime)
    request = build(gateway, case)
    for _ in range(int(case.get("repeat", 1))):
        response = client.request(
            request.method, request.url, headers=request.headers, content=request.body
        )
        assert response.status_code == expect["status"], f"{label}: {response.text}"
        if "body" in expect:
            assert response.text == expect["body"], label
        if "content_type" in expect:
            assert response.headers["content-type"].startswith(expect["content_type"]), label
    assert count(runtime) - before == expect["stored"], label
    if not expect["stored"]:
        return
    raw = last_raw(runtime)
    channel = runtime.channels[("sms", case.get("instance", gateway))]
    if "read_error" in expect:
        with pytest.raises(BadPayload, match=expect["read_error"]):
            channel.read(raw)
        return
    check_message(label, channel.read(raw), expect.get("message", {}))


@pytest.mark.parametrize("gateway", GATEWAYS)
def test_fixtures(gateway: str, app: tuple[TestClient, Runtime]) -> None:
    client, runtime = app
    cases = load_cases(gateway)
    assert cases, f"no fixtures for {gateway}"
    for required in ("duplicate", "missing_sender"):
        assert required in cases, f"{gateway} lacks the {required} case"
    for case in cases.values():
        run_case(client, runtime, gateway, case)
