"""Facebook page webhook: each fixture body signed (or not), POSTed to the real app; one table."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from aduan.core.errors import BadPayload
from aduan.core.messages import Disposition
from aduan.daemon.app import create_app
from aduan.runtime import Runtime
from aduan.runtime.loader import load_settings
from tests.channels.test_contract import stored_raws

FIXTURES = Path(__file__).parents[1] / "fixtures" / "facebook"
APP_SECRET = "fb-app-secret-for-tests"
VERIFY = "verify-me-jaksel"
PAGE = "104000000000001"


def signature(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class Case:
    fixture: str
    status: int = 200
    outcomes: tuple[Disposition | None, ...] = (Disposition.COMPLAINT,)
    """Per stored row in key order; None: read raises BadPayload (quarantined)."""
    sign_with: str | None = APP_SECRET
    deliveries: int = 1
    check: dict[str, Any] = field(default_factory=dict)


CASES = [
    Case("normal.json", check={"identities": ("facebook:6100000000000001",), "key": "mid:m_AbC1"}),
    Case("duplicate.json", deliveries=2),
    Case("comment.json", check={"key": f"comment:{PAGE}_555_9001", "name": "Budi Santoso"}),
    Case("own_comment.json", outcomes=(Disposition.IGNORE,)),
    Case("edited_comment.json", outcomes=(Disposition.EDIT,)),
    Case("batched.json", outcomes=(Disposition.COMPLAINT, Disposition.COMPLAINT)),
    Case("missing_sender.json", outcomes=(None,)),
    Case("unknown_update_type.json", outcomes=(Disposition.IGNORE,)),
    Case("message_reads.json", outcomes=(Disposition.IGNORE,)),
    Case("invalid_json.json", outcomes=(None,)),
    Case("bad_signature.json", status=403, outcomes=(), sign_with="not-the-app-secret"),
    Case("bad_signature.json", status=401, outcomes=(), sign_with=None),
    Case("oversize.json", status=413, outcomes=()),
]


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[TestClient, Runtime]]:
    settings = load_settings(
        env={
            "ADUAN_DATABASE_URL": f"sqlite:///{tmp_path / 'fb.db'}",
            "ADUAN_DATA_DIR": str(tmp_path / "data"),
            "ADUAN_CHANNELS__FACEBOOK__HALAMAN__PAGE_ID": PAGE,
            "ADUAN_CHANNELS__FACEBOOK__HALAMAN__APP_SECRET": APP_SECRET,
            "ADUAN_CHANNELS__FACEBOOK__HALAMAN__VERIFY_TOKEN": VERIFY,
            "ADUAN_CHANNELS__FACEBOOK__HALAMAN__MAX_BODY_BYTES": "20000",
        }
    )
    runtime = Runtime.create(settings, logging=False)
    with TestClient(create_app(runtime)) as client:
        yield client, runtime
    runtime.close()


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.fixture}-{c.status}")
def test_webhook_case(app: tuple[TestClient, Runtime], case: Case) -> None:
    client, runtime = app
    body = (FIXTURES / case.fixture).read_bytes()
    headers = {"Content-Type": "application/json"}
    if case.sign_with is not None:
        headers["X-Hub-Signature-256"] = signature(body, case.sign_with)
    for _ in range(case.deliveries):
        response = client.post("/webhooks/facebook/halaman", content=body, headers=headers)
        assert response.status_code == case.status
    raws = sorted(stored_raws(runtime.engine), key=lambda r: r.external_id)
    assert len(raws) == len(case.outcomes)
    channel = runtime.channels[("facebook", "halaman")]
    for raw, outcome in zip(raws, case.outcomes, strict=True):
        if outcome is None:
            with pytest.raises(BadPayload):
                channel.read(raw)
            continue
        message = channel.read(raw)
        assert message.disposition == outcome
        if "identities" in case.check:
            assert message.identities == case.check["identities"]
            assert message.attachments[0].url == "https://scontent.example.com/got.jpg"
        if "key" in case.check:
            assert raw.external_id == message.ref == case.check["key"]
        if "name" in case.check:
            assert message.display_name == case.check["name"]
        if outcome == Disposition.EDIT:
            assert message.edit_of == f"comment:{PAGE}_555_9001" != raw.external_id


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
    body = (FIXTURES / "normal.json").read_bytes()
    reserialised = body.replace(b"\n", b"")
    headers = {"X-Hub-Signature-256": signature(body)}
    response = client.post("/webhooks/facebook/halaman", content=reserialised, headers=headers)
    assert response.status_code == 403
    assert stored_raws(runtime.engine) == []


def test_github_vector() -> None:
    """The published vector of the same scheme (libraries.md §7)."""
    digest = signature(b"Hello, World!", "It's a Secret to Everybody")
    assert digest == "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
