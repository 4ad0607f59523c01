"""Facebook page webhook beyond the payload table (cases.py): the handshake, the signature."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from aduan.channels.base import ChannelContext, WebhookRequest
from aduan.channels.facebook import FacebookChannel, FacebookConfig
from aduan.core.errors import Forbidden, Unauthorized
from aduan.runtime import Runtime
from tests.channels.facebook.cases import HARNESS, VERIFY, signature
from tests.channels.payloads import push_app, stored_raws

FIXTURES = Path(__file__).parents[1] / "fixtures" / "facebook"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[TestClient, Runtime]]:
    with push_app(HARNESS, f"sqlite:///{tmp_path / 'fb.db'}", tmp_path / "data") as made:
        yield made.client, made.runtime


def test_subscription_handshake(app: tuple[TestClient, Runtime]) -> None:
    client, runtime = app
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
    good = client.get("/webhooks/facebook/halaman", params=query)
    assert good.status_code == 200 and good.text == "1158201444"
    wrong = client.get("/webhooks/facebook/halaman", params={**query, "hub.verify_token": "x"})
    assert wrong.status_code == 403 and "1158201444" not in wrong.text
    assert client.get("/webhooks/facebook/halaman").status_code == 403
    assert stored_raws(runtime.engine) == []


def test_signature_is_over_the_raw_bytes(app: tuple[TestClient, Runtime]) -> None:
    client, runtime = app
    body = (FIXTURES / "message_with_photo.json").read_bytes()
    reserialised = body.replace(b"\n", b"")
    headers = {"X-Hub-Signature-256": signature(body)}
    response = client.post("/webhooks/facebook/halaman", content=reserialised, headers=headers)
    assert response.status_code == 403
    assert stored_raws(runtime.engine) == []


GITHUB_VECTOR = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_github_vector() -> None:
    """The published vector of the same scheme (libraries.md §7)."""
    digest = signature(b"Hello, World!", "It's a Secret to Everybody")
    assert digest == GITHUB_VECTOR


def test_the_channel_checks_the_published_vector(tmp_path: Path) -> None:
    config = FacebookConfig.model_validate({"app_secret": "It's a Secret to Everybody"})
    channel = FacebookChannel("halaman", config, ChannelContext(tmp_path))

    def request(header: str | None) -> WebhookRequest:
        headers = {"x-hub-signature-256": header} if header is not None else {}
        return WebhookRequest("POST", "http://127.0.0.1/", "", (), headers, b"Hello, World!")

    channel.verify(request(GITHUB_VECTOR))
    channel.verify(request(GITHUB_VECTOR.upper().replace("SHA256=", "sha256=")))
    with pytest.raises(Forbidden):
        channel.verify(request(GITHUB_VECTOR[:-1] + "f"))
    with pytest.raises(Unauthorized):
        channel.verify(request(None))
    channel.close()
