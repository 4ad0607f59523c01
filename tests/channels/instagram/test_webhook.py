"""Instagram webhook beyond the payload table (cases.py): the handshake, the signature, config."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from aduan.core.errors import BadPayload, ConfigError
from aduan.runtime import Runtime
from aduan.runtime.loader import load_settings
from tests.channels.instagram.cases import ACCOUNT, HARNESS, VERIFY, signature
from tests.channels.payloads import push_app, stored_raws

FIXTURES = Path(__file__).parents[1] / "fixtures" / "instagram"
URL = "/webhooks/instagram/pemkot"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[TestClient, Runtime]]:
    with push_app(HARNESS, f"sqlite:///{tmp_path / 'ig.db'}", tmp_path / "data") as made:
        yield made.client, made.runtime


def test_subscription_handshake(app: tuple[TestClient, Runtime]) -> None:
    client, runtime = app
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
    good = client.get(URL, params=query)
    assert good.status_code == 200 and good.text == "1158201444"
    wrong = client.get(URL, params={**query, "hub.verify_token": "x"})
    assert wrong.status_code == 403 and "1158201444" not in wrong.text
    assert client.get(URL, params={**query, "hub.mode": "unsubscribe"}).status_code == 403
    assert client.get(URL).status_code == 403
    assert stored_raws(runtime.engine) == []


def test_signature_is_checked_over_the_raw_bytes_before_parsing(
    app: tuple[TestClient, Runtime],
) -> None:
    client, runtime = app
    body = (FIXTURES / "message_text.json").read_bytes()
    headers = {"X-Hub-Signature-256": signature(body)}
    reserialised = body.replace(b"\n", b"")
    assert client.post(URL, content=reserialised, headers=headers).status_code == 403
    # Not even a malformed body is looked at before the signature.
    garbage = b"{not json"
    assert client.post(URL, content=garbage, headers=headers).status_code == 403
    assert stored_raws(runtime.engine) == []
    assert client.post(URL, content=body, headers=headers).status_code == 200
    assert len(stored_raws(runtime.engine)) == 1


def test_published_hmac_sha256_vector() -> None:
    """GitHub's published vector for the same scheme (Meta publishes none; libraries.md §7)."""
    digest = signature(b"Hello, World!", "It's a Secret to Everybody")
    assert digest == "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_secrets_come_from_the_environment_and_are_required(tmp_path: Path) -> None:
    env = {"ADUAN_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "ADUAN_DATA_DIR": str(tmp_path)}
    env["ADUAN_CHANNELS__INSTAGRAM__PEMKOT__ACCOUNT_ID"] = ACCOUNT
    with pytest.raises(ConfigError) as caught:
        Runtime.create(load_settings(env=env), logging=False)
    said = str(caught.value)
    assert "app_secret" in said and "verify_token" in said


def test_describe_masks_the_secrets(app: tuple[TestClient, Runtime]) -> None:
    _client, runtime = app
    channel = runtime.channels[("instagram", "pemkot")]
    shown = channel.describe()
    assert "ig-app-secret-for-tests" not in shown and VERIFY not in shown
    assert ACCOUNT in shown


def test_an_exported_backlog_is_keyed_like_live_deliveries(
    app: tuple[TestClient, Runtime], tmp_path: Path
) -> None:
    _client, runtime = app
    channel = runtime.channels[("instagram", "pemkot")]
    lines = [
        json.dumps(json.loads((FIXTURES / name).read_text())["entry"][0])
        for name in ("two_entries_batched.json", "comment.json")
    ]
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join([*lines, "{broken"]) + "\n")
    raws = list(channel.backlog(path))
    keys = [raw.external_id for raw in raws]
    assert keys[:2] == ["mid:aWdfZAG1faXRlbTpJR01lc3NhZA012", "comment:17900000000000101"]
    assert keys[2].startswith("sha256:")
    assert channel.read(raws[1]).display_name == "warga.kemang"
    with pytest.raises(BadPayload):
        channel.read(raws[2])
