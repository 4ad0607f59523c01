"""The webhook path: 2xx only after commit, duplicates add nothing, every refusal its code."""

from __future__ import annotations

import asyncio
import gc
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from starlette.requests import ClientDisconnect, Request
from starlette.routing import Match, Route
from starlette.testclient import TestClient

from aduan.core import heap
from aduan.core.errors import PayloadTooLarge
from aduan.daemon.app import create_app
from aduan.runtime import Runtime
from aduan.runtime.loader import load_settings
from aduan.store.models import raw_messages
from aduan.web import direct
from aduan.web.app import read_body, to_webhook_request
from tests.helpers.channels import sign

SECRET = "webhook-secret"


@pytest.fixture
def client(
    test_channels_registered: None, store_url: str, tmp_path: Path
) -> Iterator[tuple[TestClient, Runtime]]:
    settings = load_settings(
        env={
            "ADUAN_DATABASE_URL": store_url,
            "ADUAN_DATA_DIR": str(tmp_path / "data"),
            "ADUAN_CHANNELS__TESTPUSH__GW__SECRET": SECRET,
            "ADUAN_CHANNELS__TESTPUSH__GW__MAX_BODY_BYTES": "2000",
        }
    )
    runtime = Runtime.create(settings, logging=False)
    with TestClient(create_app(runtime)) as test_client:
        yield test_client, runtime
    runtime.close()


def rows(runtime: Runtime) -> int:
    with runtime.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(raw_messages)).scalar_one())


def post(test_client: TestClient, body: bytes, signature: str | None = None, path: str = "gw"):  # type: ignore[no-untyped-def]
    headers = {"x-signature": signature if signature is not None else sign(SECRET, body)}
    return test_client.post(f"/webhooks/testpush/{path}", content=body, headers=headers)


def test_accepted_then_duplicate(client: tuple[TestClient, Runtime]) -> None:
    test_client, runtime = client
    body = json.dumps({"id": "m1", "text": "Sampah menumpuk"}).encode()
    assert post(test_client, body).status_code == 200
    assert rows(runtime) == 1
    assert post(test_client, body).status_code == 200
    assert rows(runtime) == 1


def test_refusals(client: tuple[TestClient, Runtime]) -> None:
    test_client, runtime = client
    body = json.dumps({"id": "m2", "text": "x"}).encode()
    assert post(test_client, body, signature="0" * 64).status_code == 403
    assert post(test_client, body, path="nope").status_code == 404
    assert post(test_client, b"{not json").status_code == 400
    big = json.dumps({"id": "m3", "text": "x" * 3000}).encode()
    assert post(test_client, big).status_code == 413
    assert rows(runtime) == 0


def test_healthz(client: tuple[TestClient, Runtime]) -> None:
    test_client, _ = client
    body = test_client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["channels"]["testpush/gw"]["mode"] == "webhook"


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/webhooks/sms/gw", b""),
        ("/webhooks/sms/gw/at%20secret", b"a=1&b=&a=2&c=%C3%A9+x"),
        ("/webhooks/sms/gw/odd?#\\path", b"empty&q=%3F"),
    ],
)
def test_webhook_request_read_from_the_scope_as_starlette_reads_it(
    path: str, query: bytes, tmp_path: Path
) -> None:
    settings = load_settings(
        env={
            "ADUAN_DATABASE_URL": f"sqlite:///{tmp_path / 'aduan.db'}",
            "ADUAN_SERVER__PUBLIC_URL": "https://aduan.example.go.id/",
        }
    )
    runtime = Runtime.create(settings, logging=False)
    scope = {
        "type": "http",
        "method": "POST",
        "scheme": "http",
        "server": ("127.0.0.1", 8080),
        "path": path,
        "query_string": query,
        "headers": [(b"host", b"127.0.0.1:8080"), (b"X-Twilio-Signature", b"abc=")],
        "client": ("10.0.0.7", 50000),
    }

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"Body=x", "more_body": False}

    request = Request(scope, receive)
    incoming = asyncio.run(to_webhook_request(runtime, request, "rest", 100))
    url = request.url
    expected_url = "https://aduan.example.go.id" + url.path + (f"?{url.query}" if url.query else "")
    assert incoming.url == expected_url
    assert incoming.query == tuple(request.query_params.multi_items())
    assert dict(incoming.headers) == {k.lower(): v for k, v in request.headers.items()}
    assert incoming.header("X-Twilio-Signature") == "abc="
    assert (incoming.body, incoming.path, incoming.client) == (b"Body=x", "rest", "10.0.0.7")
    runtime.close()


def test_the_app_serves_with_rarer_young_collections(tmp_path: Path) -> None:
    """A webhook's parsed JSON is freed by reference counting: while the app runs the
    collector's young generation is walked every 10,000 allocations, not every 700."""
    settings = load_settings(env={"ADUAN_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"})
    before = gc.get_threshold()
    runtime = Runtime.create(settings, logging=False)
    with TestClient(create_app(runtime)):
        assert gc.get_threshold()[0] == heap.YOUNG_WHILE_SERVING
    assert gc.get_threshold() == before
    runtime.close()


WEBHOOK_PATHS = [
    "/webhooks/testpush/gw",
    "/webhooks/testpush/gw/",
    "/webhooks/testpush/gw/status/a b",
    "/webhooks/testpush/gw/odd?#\\path",
    "/webhooks/testpush",
    "/webhooks/testpush/",
    "/webhooks//gw",
    "/webhooks/testpush//x",
    "/webhooks/",
    "/webhook/testpush/gw",
    "/healthz",
]


@pytest.mark.parametrize("path", WEBHOOK_PATHS)
def test_webhook_paths_are_read_as_the_router_reads_them(path: str) -> None:
    routes = [
        Route("/webhooks/{kind}/{instance}", endpoint=lambda _r: None, methods=["POST"]),
        Route(
            "/webhooks/{kind}/{instance}/{rest:path}", endpoint=lambda _r: None, methods=["POST"]
        ),
    ]
    scope = {"type": "http", "method": "POST", "path": path, "root_path": ""}
    found = None
    for route in routes:
        match, child = route.matches(scope)
        if match == Match.FULL:
            found = child["path_params"]
            break
    assert direct.webhook_params(path) == found


def test_webhooks_answer_alike_past_the_router_and_through_it(
    client: tuple[TestClient, Runtime], monkeypatch: pytest.MonkeyPatch
) -> None:
    test_client, runtime = client
    taken: list[str] = []
    read = direct.webhook_params

    def recorded(path: str) -> dict[str, str] | None:
        taken.append(path)
        return read(path)

    def answers(prefix: str) -> list[tuple[int, str]]:
        body = json.dumps({"id": f"{prefix}1", "text": "Sampah menumpuk"}).encode()
        requests = [
            post(test_client, body),
            post(test_client, body),  # a duplicate
            post(test_client, body, signature="0" * 64),
            post(test_client, body, path="nope"),
            post(test_client, b"{not json"),
            test_client.delete("/webhooks/testpush/gw"),
            test_client.get("/webhooks/testpush/gw/extra/part?x=1"),
        ]
        return [(r.status_code, r.text.replace(prefix, "")) for r in requests]

    monkeypatch.setattr(direct, "webhook_params", recorded)
    past_the_router = answers("past-the-router-")
    assert len(taken) == 6  # all but DELETE went straight to the endpoint
    monkeypatch.setattr(direct, "webhook_params", lambda _path: None)
    through_it = answers("through-the-router-")
    assert past_the_router == through_it
    assert [status for status, _ in through_it][:6] == [200, 200, 403, 404, 400, 405]
    assert rows(runtime) == 2


def streamed(chunks: list[bytes], *, declared: int | None = None, then: str = "") -> Request:
    """A request whose body arrives in ``chunks`` (``then="disconnect"``: the client leaves
    before the last one)."""
    headers = [(b"content-length", str(declared).encode())] if declared is not None else []
    messages: list[dict[str, object]] = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
        for i, chunk in enumerate(chunks)
    ]
    if then == "disconnect":
        messages[-1] = {"type": "http.disconnect"}

    async def receive() -> dict[str, object]:
        return messages.pop(0)

    return Request({"type": "http", "method": "POST", "headers": headers}, receive)


def test_a_body_is_read_whole_and_refused_past_its_limit_declared_or_sent() -> None:
    parts = [b"a" * 40, b"b" * 40, b"c" * 40]
    assert asyncio.run(read_body(streamed(parts), 200)) == b"".join(parts)
    with pytest.raises(PayloadTooLarge, match="over 100 bytes"):  # sent without a length
        asyncio.run(read_body(streamed(parts), 100))
    with pytest.raises(PayloadTooLarge):  # declared: refused before anything is read
        asyncio.run(read_body(streamed([], declared=500), 100))
    with pytest.raises(ClientDisconnect):
        asyncio.run(read_body(streamed(parts, then="disconnect"), 200))
