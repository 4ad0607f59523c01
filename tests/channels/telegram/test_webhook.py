"""Telegram webhook mode beyond the payload table (cases.py): an edit keeps the original row."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from aduan.config import load_settings
from aduan.runtime import Runtime
from aduan.web import create_app
from tests.channels.payloads import stored_raws
from tests.channels.telegram.cases import SECRET, env

FIXTURES = Path(__file__).parents[1] / "fixtures" / "telegram"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[TestClient, Runtime]]:
    settings = load_settings(
        env={
            "ADUAN_DATABASE_URL": f"sqlite:///{tmp_path / 'tg.db'}",
            "ADUAN_DATA_DIR": str(tmp_path / "data"),
            **env(tmp_path),
        }
    )
    runtime = Runtime.create(settings, logging=False)
    with TestClient(create_app(runtime)) as client:
        yield client, runtime
    runtime.close()


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
