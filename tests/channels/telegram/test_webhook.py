"""Telegram webhook mode beyond the payload table (cases.py): an edit keeps the original row."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from aduan.runtime import Runtime
from tests.channels.payloads import push_app, stored_raws
from tests.channels.telegram.cases import HARNESS, SECRET

FIXTURES = Path(__file__).parents[1] / "fixtures" / "telegram"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[TestClient, Runtime]]:
    with push_app(HARNESS, f"sqlite:///{tmp_path / 'tg.db'}", tmp_path / "data") as made:
        yield made.client, made.runtime


def test_edit_keeps_original_row(app: tuple[TestClient, Runtime]) -> None:
    client, runtime = app
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    for name in ("update_message_drain.json", "update_edited_message.json"):
        body = (FIXTURES / name).read_bytes()
        assert (
            client.post("/webhooks/telegram/kota", content=body, headers=headers).status_code == 200
        )
    keys = {raw.external_id for raw in stored_raws(runtime.engine)}
    assert keys == {"3527065:11", "3527065:11:edit:1764400300"}
