"""Telegram webhook mode: every fixture case POSTed to /webhooks/telegram/<instance>, one table.

The app is the real Starlette app (secret check, body limit, group commit);
what was stored is then read back through the channel's pure ``read``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from aduan.core.errors import BadPayload
from aduan.core.messages import Disposition, RawMessage
from aduan.daemon.app import create_app
from aduan.runtime import Runtime
from aduan.runtime.loader import load_settings
from aduan.store.models import raw_messages

FIXTURES = Path(__file__).parents[1] / "fixtures" / "telegram"
TOKEN = "123456:AAH-webhook-token-for-tests_98765"
SECRET = "s3cret-Telegram_token"


@dataclass
class Case:
    fixture: str
    status: int = 200
    rows: int = 1
    disposition: Disposition | None = Disposition.COMPLAINT
    text: str = ""
    secret: str | None = SECRET
    deliveries: int = 1
    check: dict[str, Any] = field(default_factory=dict)


CASES = [
    Case("normal.json", text="Saluran air", check={"identities": ("telegram:3527065",)}),
    Case("duplicate.json", deliveries=2, text="Lampu jalan mati"),
    Case("photo.json", text="Jalan berlubang", check={"attachments": 1}),
    Case("location.json", check={"location": (-6.2615, 106.8106)}),
    Case("contact.json", check={"linked_identities": ("tel:+6281200012345",)}),
    Case("command.json", disposition=Disposition.IGNORE, check={"answer": True}),
    Case("edited.json", disposition=Disposition.EDIT, check={"edit_of": "3527065:11"}),
    Case("channel_post.json", disposition=Disposition.IGNORE),
    Case("missing_sender.json", disposition=None),
    Case("unknown_update_type.json", disposition=Disposition.IGNORE),
    Case("invalid_json.json", disposition=None),
    Case("bad_signature.json", status=401, rows=0, secret="wrong-token"),
    Case("bad_signature.json", status=401, rows=0, secret=None),
    Case("oversize.json", status=413, rows=0),
]


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[TestClient, Runtime]]:
    settings = load_settings(
        env={
            "ADUAN_DATABASE_URL": f"sqlite:///{tmp_path / 'tg.db'}",
            "ADUAN_DATA_DIR": str(tmp_path / "data"),
            "ADUAN_CHANNELS__TELEGRAM__KOTA__MODE": "webhook",
            "ADUAN_CHANNELS__TELEGRAM__KOTA__TOKEN": TOKEN,
            "ADUAN_CHANNELS__TELEGRAM__KOTA__WEBHOOK_SECRET": SECRET,
            "ADUAN_CHANNELS__TELEGRAM__KOTA__MAX_BODY_BYTES": "20000",
        }
    )
    runtime = Runtime.create(settings, logging=False)
    with TestClient(create_app(runtime)) as client:
        yield client, runtime
    runtime.close()


def stored(runtime: Runtime) -> list[RawMessage]:
    with runtime.engine.connect() as conn:
        rows = conn.execute(select(raw_messages)).mappings().all()
    return [
        RawMessage(
            r["channel"],
            r["account"],
            r["external_id"],
            bytes(r["payload"]),
            r["content_type"],
            r["received_at"],
            r["meta"] or {},
        )
        for r in rows
    ]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.fixture}-{c.status}")
def test_webhook_case(app: tuple[TestClient, Runtime], case: Case) -> None:
    client, runtime = app
    body = (FIXTURES / case.fixture).read_bytes()
    headers = {"Content-Type": "application/json"}
    if case.secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = case.secret
    for _ in range(case.deliveries):
        response = client.post("/webhooks/telegram/kota", content=body, headers=headers)
        assert response.status_code == case.status
    raws = stored(runtime)
    assert len(raws) == case.rows
    if not raws:
        return
    channel = runtime.channels[("telegram", "kota")]
    if case.disposition is None:
        with pytest.raises(BadPayload):
            channel.read(raws[0])
        return
    message = channel.read(raws[0])
    assert message.disposition == case.disposition
    assert case.text in message.text
    check = case.check
    if "identities" in check:
        assert message.identities == check["identities"]
    if "attachments" in check:
        assert len(message.attachments) == check["attachments"]
        assert message.attachments[0].url == "telegram-file:AgAD-big"
    if "location" in check:
        assert message.location is not None
        assert (message.location.lat, message.location.lon) == check["location"]
    if "linked_identities" in check:
        assert message.linked_identities == check["linked_identities"]
    if "edit_of" in check:
        assert message.edit_of == check["edit_of"]
        assert raws[0].external_id != message.edit_of
    if "answer" in check:
        answer = json.loads(response.content)
        assert answer["method"] == "sendMessage" and answer["chat_id"] == 3527065


def test_edit_keeps_original_row(app: tuple[TestClient, Runtime]) -> None:
    client, runtime = app
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    for name in ("normal.json", "edited.json"):
        body = (FIXTURES / name).read_bytes()
        assert (
            client.post("/webhooks/telegram/kota", content=body, headers=headers).status_code == 200
        )
    keys = {raw.external_id for raw in stored(runtime)}
    assert keys == {"3527065:11", "3527065:11:edit:1764400300"}
