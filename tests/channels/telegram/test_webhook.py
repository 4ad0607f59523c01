"""Telegram webhook mode beyond the payload table (cases.py): an edit keeps the original row;
the bot's own receipt only while the outbox does not acknowledge its citizens."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from aduan.channels.base import ChannelContext, WebhookRequest
from aduan.channels.telegram import TelegramChannel, TelegramWebhook
from aduan.runtime import Runtime, outbox_answers
from aduan.runtime.loader import load_settings
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


@pytest.mark.parametrize("outbox", [False, True], ids=["bot-receipt", "outbox-acknowledges"])
def test_the_receipt_rides_the_webhook_answer_only_without_the_outbox(
    tmp_path: Path, outbox: bool
) -> None:
    answered = frozenset({"telegram/kota"}) if outbox else frozenset()
    config = TelegramChannel.Config.model_validate(
        {"token": "1:x", "mode": "webhook", "webhook_secret": SECRET, "acknowledge": True}
    )
    bot = TelegramChannel("kota", config, ChannelContext(tmp_path, outbox_answers=answered))
    assert isinstance(bot, TelegramWebhook)

    def answer(fixture: str) -> bytes:
        body = (FIXTURES / fixture).read_bytes()
        request = WebhookRequest("POST", "/webhooks/telegram/kota", "", (), {}, body)
        return bot.acknowledge(bot.parse(request)).body

    complaint = answer("update_message_drain.json")
    assert (complaint == b"OK") is outbox  # the outbox's "received" message instead
    assert json.loads(answer("update_command_start.json"))["method"] == "sendMessage"


def test_the_instances_the_outbox_acknowledges(tmp_path: Path) -> None:
    def answered(**env: str) -> frozenset[str]:
        channels = {
            "telegram": {"kota": {"token": "1:x"}, "dua": {"token": "2:y"}},
            "rss": {"portal": {"feeds": ["https://portal.example.org/rss"]}},
        }
        return outbox_answers(load_settings(env=env, data_dir=tmp_path, channels=channels))

    assert answered() == {"telegram/kota", "telegram/dua"}  # an RSS feed answers nobody
    assert answered(ADUAN_REPLIES__CHANNELS='{"telegram/dua": false}') == {"telegram/kota"}
    assert answered(ADUAN_REPLIES__EVENTS='{"received": false}') == frozenset()
    assert answered(ADUAN_OUTBOX__ENABLED="false") == frozenset()
