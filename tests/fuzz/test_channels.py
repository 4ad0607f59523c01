"""Property-based tests: hostile payloads, validly signed, against every webhook channel.

Each generated payload (:mod:`tests.fuzz.mutations`) goes through the real
app. Properties: the answer is 2xx (and the rows are stored) or 4xx, never
5xx; the app keeps serving (``/healthz`` answers); every row stored reads,
through its channel's ``read``, into a Message or that channel's BadPayload,
nothing else; and the normalize job then gets through all of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given
from sqlalchemy import func, select
from starlette.testclient import TestClient

from aduan.channels.base import PushChannel, WebhookRequest
from aduan.config.settings import LimitSettings
from aduan.core.errors import BadPayload
from aduan.core.messages import Message, RawMessage
from aduan.daemon.app import create_app
from aduan.daemon.normalize_job import normalize_pending, runtime_normalizer
from aduan.normalize.reading import RAW_COLUMNS, to_stored
from aduan.runtime import Runtime
from aduan.runtime.loader import load_settings
from aduan.store.models import raw_messages
from aduan.web.limits import check_body
from tests.fuzz.counts import CASES, OUTCOMES
from tests.fuzz.mutations import payloads
from tests.robust.world import SEEDS, Payload, send, settings_env, signed

CHANNELS = sorted(SEEDS)
LIMITS = LimitSettings()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Runtime]]:
    tmp_path: Path = tmp_path_factory.mktemp("fuzz")
    runtime = Runtime.create(load_settings(env=settings_env(tmp_path)), logging=False)
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        yield client, runtime
    runtime.close()


def _rows_after(runtime: Runtime, last_id: int) -> list[tuple[int, RawMessage]]:
    with runtime.engine.connect() as conn:
        rows = conn.execute(select(*RAW_COLUMNS).where(raw_messages.c.id > last_id)).all()
    return [(stored.id, stored.raw) for stored in map(to_stored, rows)]


def _last_id(runtime: Runtime) -> int:
    with runtime.engine.connect() as conn:
        return int(conn.execute(select(func.max(raw_messages.c.id))).scalar() or 0)


def _read(runtime: Runtime, channel: str, raw: RawMessage) -> None:
    """``read`` gives a Message or the channel's BadPayload, nothing else."""
    instance = runtime.channels[(raw.channel, raw.account)]
    try:
        message = instance.read(raw)
    except BadPayload as exc:
        OUTCOMES[f"{channel}:read-bad"] += 1
        if str(exc).startswith("unreadable:"):  # a reader raised something else; guarded
            OUTCOMES[f"{channel}:read-guarded"] += 1
        return
    OUTCOMES[f"{channel}:read-ok"] += 1
    assert isinstance(message, Message)


def _parsed(runtime: Runtime, channel: str, payload: Payload) -> list[RawMessage]:
    """The rows the channel's ``parse`` makes of ``payload`` (none when it refuses it)."""
    request = signed(channel, payload)
    split = urlsplit(request.url)
    parts = split.path.strip("/").split("/")
    if parts[0] == "webhooks":
        key, rest = (parts[1], parts[2]), "/".join(parts[3:])
    else:
        key, rest = ("open311", "jaki"), ""
    instance = runtime.channels[key]
    assert isinstance(instance, PushChannel)
    incoming = WebhookRequest(
        request.method,
        f"http://127.0.0.1:8080{split.path}",
        rest,
        tuple(parse_qsl(split.query, keep_blank_values=True)),
        {k.lower(): v for k, v in request.headers.items()},
        request.body,
    )
    try:
        check_body(incoming.body, incoming.headers.get("content-type", ""), LIMITS)
        return instance.parse(incoming)
    except Exception:  # refused (or a parser raising): the webhook test covers the answer
        return []


@pytest.mark.parametrize("channel", CHANNELS)
def test_hostile_payloads_never_5xx(world: tuple[TestClient, Runtime], channel: str) -> None:
    client, runtime = world

    @given(payload=payloads(channel))
    def check(payload: Payload) -> None:
        CASES[channel] += 1
        last = _last_id(runtime)
        status = send(client, channel, payload)
        OUTCOMES[f"{channel}:{status // 100}xx"] += 1
        assert status < 500, f"{channel} answered {status}"
        assert client.get("/healthz").status_code == 200
        for _raw_id, raw in _rows_after(runtime, last):
            _read(runtime, channel, raw)
        if 200 <= status < 300:
            OUTCOMES[f"{channel}:stored"] += len(_rows_after(runtime, last))
        for raw in _parsed(runtime, channel, payload):  # duplicates too: read every one
            _read(runtime, channel, raw)

    check()
    stats = normalize_pending(runtime.engine, runtime_normalizer(runtime))
    with runtime.engine.connect() as conn:
        pending = conn.execute(
            select(func.count()).where(raw_messages.c.status == "pending")
        ).scalar_one()
    assert pending == 0, stats
