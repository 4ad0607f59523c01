"""The one payload-test runner of the channels: a case type, a harness per channel, two runners.

A :class:`PayloadCase` names a fixture under ``tests/channels/fixtures/<channel>/``,
how it is authenticated, what the endpoint (push) or the provider (pull) answers,
how often it is delivered, and what must be stored: one :class:`Row` per raw row
in key order, each saying what the channel's ``read`` makes of it. Each channel
keeps its table in ``tests/channels/<channel>/cases.py`` (``HARNESS`` and ``CASES``);
``test_payloads.py`` runs every table, ``test_contract.py`` checks each table has
the negative cases of :class:`Negative`.

Push channels go through the real ASGI app (``create_app`` over a ``Runtime``);
pull channels through their local fake provider on 127.0.0.1 (or Dovecot).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from starlette.testclient import TestClient

from aduan.channels.base import Channel, PullChannel
from aduan.core.errors import BadPayload
from aduan.core.messages import Disposition, Message, RawMessage
from aduan.daemon.app import create_app
from aduan.daemon.ingest import poll_channel
from aduan.runtime import Runtime
from aduan.runtime.loader import load_settings
from aduan.store import read_cursor
from aduan.store.models import raw_messages

FIXTURES = Path(__file__).parent / "fixtures"


class Negative(StrEnum):
    """The cases every channel's table must have (the contract test checks)."""

    BAD_AUTH = "bad signature or secret"
    MALFORMED = "malformed payload"
    REPLAY = "repeated delivery adds nothing"


@dataclass(frozen=True)
class Contains:
    """An expected field (text or list) that must hold ``part``, and not ``lacks``."""

    part: str
    lacks: str | None = None


@dataclass(frozen=True)
class Longer:
    """An expected field whose length is over this many."""

    than: int


@dataclass(frozen=True)
class JsonKeys:
    """An expected field (bytes or text) that is a JSON object with exactly these keys."""

    keys: frozenset[str]


@dataclass(frozen=True)
class Dumped:
    """An expected pydantic model field, compared by its ``model_dump()``."""

    value: Mapping[str, object]


@dataclass(frozen=True)
class Row:
    """What ``read`` makes of one stored row.

    ``disposition`` None: ``read`` raises :class:`BadPayload` (matching ``error`` if
    given). ``fields`` maps dotted paths on the message (``attachments.0.url``,
    ``location.lat``, ``extra.to``) to the expected value, or to a
    :class:`Contains`; ``raw`` does the same on the stored :class:`RawMessage`.
    """

    disposition: Disposition | None = Disposition.COMPLAINT
    fields: Mapping[str, object] = field(default_factory=dict)
    raw: Mapping[str, object] = field(default_factory=dict)
    error: str | None = None


BAD = Row(disposition=None)


@dataclass(frozen=True)
class PayloadCase:
    """One payload delivered to one channel, and what must come of it."""

    fixture: str
    status: int = 200
    """Push: the status the endpoint answers. Pull: the status the fake provider answers."""
    rows: tuple[Row, ...] = (Row(),)
    """Stored raw rows in key order (sorted by ``order``)."""
    auth: str = "good"
    """How the harness authenticates the delivery: good, wrong or none."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """Push: extra request headers. Pull: extra headers of the provider's answer."""
    deliveries: int = 1
    """Push: how often the request is sent. Pull: how often the channel is polled, the
    provider serving the same again (the email harness puts that many copies in the box)."""
    error: type[Exception] | None = None
    """Pull: what the poll raises; the cursor must then stay unset."""
    retry_after: tuple[float, float] | None = None
    """Pull: the bounds of the raised error's ``retry_after`` (a rate limit)."""
    answer: Mapping[str, object] = field(default_factory=dict)
    """Push: ``body`` (exact text), ``has`` (part of the text), ``content_type`` (prefix),
    ``json`` (items it holds)."""
    covers: frozenset[Negative] = frozenset()
    options: Mapping[str, Any] = field(default_factory=dict)
    """Harness-specific: the API path a pull fixture answers, the SMS instance ..."""
    name: str = ""

    @property
    def id(self) -> str:
        return self.name or f"{Path(self.fixture).stem}-{self.auth}-{self.status}"

    def body(self, channel: str) -> bytes:
        return (FIXTURES / channel / self.fixture).read_bytes()


@dataclass
class Delivery:
    """The HTTP request a push case becomes."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass
class PushHarness:
    """How a push channel's cases reach the app: its settings and how a fixture is signed."""

    channel: str
    env: Callable[[Path], dict[str, str]]
    """Settings environment (without database and data dir) for one instance or more."""
    deliver: Callable[[PayloadCase, bytes], Delivery]
    instance: Callable[[PayloadCase], str]
    stores: tuple[str, ...] = ("sqlite",)
    """The databases every case runs on: sqlite, postgresql."""
    order: Callable[[RawMessage], Any] = lambda raw: raw.external_id


@dataclass
class PullHarness:
    """How a pull channel's cases reach it: a fake provider serving the fixture, a channel."""

    channel: str
    serve: Callable[[PayloadCase, bytes, Path], AbstractContextManager[PullChannel]]
    order: Callable[[RawMessage], Any] = lambda raw: raw.external_id
    secrets: Callable[[], list[str]] = list
    """Values no error message may carry."""


Harness = PushHarness | PullHarness


def last_id(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.max(raw_messages.c.id))).scalar() or 0)


def stored_raws(engine: Engine, after: int = 0) -> list[RawMessage]:
    """The raw rows stored (after row id ``after``), in storing order."""
    names = ("channel", "account", "external_id", "payload", "content_type", "received_at", "meta")
    t = raw_messages.c
    with engine.connect() as conn:
        query = select(*(t[name] for name in names)).where(t.id > after).order_by(t.id)
        found = conn.execute(query).all()
    return [
        RawMessage(c, a, e, bytes(p), ct, received_at=r, meta=m or {})
        for c, a, e, p, ct, r, m in found
    ]


def _get(thing: object, path: str) -> object:
    for part in path.split("."):
        if isinstance(thing, Mapping):
            thing = thing.get(part)
        elif isinstance(thing, list | tuple):
            thing = thing[int(part)] if int(part) < len(thing) else None
        else:
            thing = getattr(thing, part)
    return thing


def _match(label: str, thing: object, wanted: Mapping[str, object]) -> None:
    for path, want in wanted.items():
        got = _get(thing, path)
        if isinstance(want, Contains):
            assert isinstance(got, str | list | tuple), f"{label}: {path} = {got!r}"
            assert want.part in got, f"{label}: {path} = {got!r}"
            assert want.lacks is None or want.lacks not in got, f"{label}: {path} = {got!r}"
        elif isinstance(want, Longer):
            assert isinstance(got, str | bytes) and len(got) > want.than, f"{label}: {path}"
        elif isinstance(want, Dumped):
            dump = getattr(got, "model_dump", None)
            assert dump is not None and dump() == want.value, f"{label}: {path} = {got!r}"
        elif isinstance(want, JsonKeys):
            assert isinstance(got, str | bytes), f"{label}: {path} = {got!r}"
            assert set(json.loads(got)) == want.keys, f"{label}: {path} = {got!r}"
        else:
            assert got == want, f"{label}: {path} = {got!r}, want {want!r}"


def check_rows(label: str, channel: Channel, raws: list[RawMessage], case: PayloadCase) -> None:
    assert len(raws) == len(case.rows), f"{label}: {len(raws)} rows stored, want {len(case.rows)}"
    for raw, row in zip(raws, case.rows, strict=True):
        _match(label, raw, row.raw)
        if row.disposition is None:
            with pytest.raises(BadPayload, match=row.error):
                channel.read(raw)
            continue
        message = channel.read(raw)
        assert isinstance(message, Message)
        assert message.disposition == row.disposition, f"{label}: {message.disposition}"
        _match(label, message, row.fields)


@dataclass
class App:
    """The real app over a runtime configured for one push harness."""

    runtime: Runtime
    client: TestClient


@contextmanager
def push_app(harness: PushHarness, url: str, data_dir: Path) -> Iterator[App]:
    env = {"ADUAN_DATABASE_URL": url, "ADUAN_DATA_DIR": str(data_dir), **harness.env(data_dir)}
    runtime = Runtime.create(load_settings(env=env), logging=False)
    try:
        with TestClient(create_app(runtime)) as client:
            yield App(runtime, client)
    finally:
        runtime.close()


def run_push(harness: PushHarness, case: PayloadCase, app: App) -> None:
    """Deliver ``case`` to ``app``; only the rows it adds are checked (the app may be shared)."""
    label = f"{harness.channel}: {case.id}"
    before = last_id(app.runtime.engine)
    request = harness.deliver(case, case.body(harness.channel))
    for _ in range(case.deliveries):
        response = app.client.request(
            request.method, request.url, headers=request.headers, content=request.body
        )
        assert response.status_code == case.status, f"{label}: {response.text}"
        _check_answer(label, response.text, response.headers, case.answer)
    raws = sorted(stored_raws(app.runtime.engine, after=before), key=harness.order)
    channel = app.runtime.channels.get((harness.channel, harness.instance(case)))
    if channel is None:
        assert raws == [] and case.rows == (), f"{label}: no such instance"
        return
    check_rows(label, channel, raws, case)


def _check_answer(
    label: str, text: str, headers: Mapping[str, str], answer: Mapping[str, object]
) -> None:
    if "body" in answer:
        assert text == answer["body"], label
    if "has" in answer:
        assert str(answer["has"]) in text, f"{label}: {text}"
    if "content_type" in answer:
        assert headers["content-type"].startswith(str(answer["content_type"])), label
    if "json" in answer:
        got = json.loads(text)
        wanted = answer["json"]
        assert isinstance(wanted, Mapping)
        _match(label, got, wanted)


def run_pull(harness: PullHarness, case: PayloadCase, engine: Engine, tmp_path: Path) -> None:
    label = f"{harness.channel}: {case.id}"
    with harness.serve(case, case.body(harness.channel), tmp_path) as channel:
        if case.error is not None:
            with pytest.raises(case.error) as caught:
                poll_channel(engine, channel)
            assert read_cursor(engine, channel.type, channel.name) is None, label
            if case.retry_after is not None:
                low, high = case.retry_after
                after = getattr(caught.value, "retry_after", None)
                assert after is not None and low <= after <= high, f"{label}: {after}"
            for secret in harness.secrets():
                assert secret not in str(caught.value), f"{label}: a secret in the error"
        else:
            for _ in range(case.deliveries):
                poll_channel(engine, channel)
        raws = sorted(stored_raws(engine), key=harness.order)
        check_rows(label, channel, raws, case)


def missing(found: Iterable[PayloadCase]) -> list[Negative]:
    """The negative cases a table lacks."""
    covered = {n for case in found for n in case.covers}
    return [n for n in Negative if n not in covered]


__all__ = [
    "BAD",
    "FIXTURES",
    "App",
    "Contains",
    "Delivery",
    "Dumped",
    "Harness",
    "JsonKeys",
    "Longer",
    "Negative",
    "PayloadCase",
    "PullHarness",
    "PushHarness",
    "Row",
    "check_rows",
    "last_id",
    "missing",
    "push_app",
    "run_pull",
    "run_push",
    "stored_raws",
]
