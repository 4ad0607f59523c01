"""Answers through ``sendMessage`` on the fake Bot API: the request, the ids, the failures.

One table of the Bot API's own refusals (its JSON shape: ``ok``, ``error_code``,
``description``, ``parameters``) and what each means for the outbox; the token
and the chat id never show in a reason or a log line.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aduan.channels.base import ChannelContext
from aduan.channels.replies import Outbound, Replier, SendFailed
from aduan.channels.telegram import TelegramChannel
from tests.channels.local_http import Answer, serve
from tests.channels.telegram.fake_bot_api import TOKEN, FakeBotApi, fail
from tests.conftest import free_port

CHAT = 3527065
TEXT = "Aduan Anda ADU-2026-000123 sedang ditangani Dinas Bina Marga."


def bot(url: str, tmp_path: Path, **config: Any) -> TelegramChannel:
    options = {"token": TOKEN, "api_base_url": url, **config}
    return TelegramChannel(
        "kota", TelegramChannel.Config.model_validate(options), ChannelContext(tmp_path)
    )


@pytest.fixture
def fake() -> Iterator[tuple[FakeBotApi, str]]:
    api = FakeBotApi()
    with serve(api) as url:
        yield api, url


def test_send_answers_the_citizens_message(fake: tuple[FakeBotApi, str], tmp_path: Path) -> None:
    api, url = fake
    channel = bot(url, tmp_path)
    try:
        assert isinstance(channel, Replier)
        first = channel.send(
            Outbound(key="k1", recipient=f"telegram:{CHAT}", text=TEXT, in_reply_to=f"{CHAT}:11")
        )
        second = channel.send(
            Outbound(key="k2", recipient=f"telegram:{CHAT}", text="ok", in_reply_to="999:11")
        )
    finally:
        channel.close()
    assert (first.provider_id, second.provider_id) == ("1", "2")
    sent, other = api.sent
    assert sent["chat_id"] == str(CHAT) and sent["text"] == TEXT
    assert json.loads(sent["reply_parameters"]) == {
        "message_id": 11,
        "allow_sending_without_reply": True,
    }
    assert "reply_parameters" not in other  # another chat's message is not answered to
    assert api.seen[0].path == f"/bot{TOKEN}/sendMessage"
    assert api.seen[0].headers["content-type"] == "application/json"


def json_answer(status: int, body: Any) -> Answer:
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()


FLOOD = {
    "ok": False,
    "error_code": 429,
    "description": "Too Many Requests: retry after 35",
    "parameters": {"retry_after": 35},
}
MOVED = {
    "ok": False,
    "error_code": 400,
    "description": "Bad Request: group chat was upgraded to a supergroup chat",
    "parameters": {"migrate_to_chat_id": -1001234567890},
}
REFUSALS = [
    # (label, answer, transient, retry_after, reason)
    (
        "flood",
        json_answer(429, FLOOD),
        True,
        35.0,
        "telegram: 429: Too Many Requests: retry after 35",
    ),
    (
        "blocked",
        fail(403, "Forbidden: bot was blocked by the user"),
        False,
        None,
        "telegram: 403: Forbidden: bot was blocked by the user",
    ),
    (
        "no chat",
        fail(400, "Bad Request: chat not found"),
        False,
        None,
        "telegram: 400: Bad Request: chat not found",
    ),
    ("bad token", fail(401, "Unauthorized"), False, None, "telegram: 401: Unauthorized"),
    (
        "moved",
        json_answer(400, MOVED),
        False,
        None,
        "telegram: 400: Bad Request: group chat was upgraded to a supergroup chat"
        " (the group moved to a new chat)",
    ),
    (
        "server error",
        fail(500, "Internal Server Error"),
        True,
        None,
        "telegram: 500: Internal Server Error",
    ),
    (
        "proxy page",
        (502, {"Content-Type": "text/html"}, b"<html>Bad Gateway</html>"),
        True,
        None,
        "telegram: 502",
    ),
    (
        "unreadable ok",
        (200, {"Content-Type": "text/html"}, b"<html>hi</html>"),
        False,
        None,
        "telegram: unreadable answer (not a JSON object); the message may have been sent",
    ),
    (
        "ok without id",
        json_answer(200, {"ok": True, "result": {}}),
        False,
        None,
        "telegram: unreadable answer (no message_id); the message may have been sent",
    ),
]


@pytest.mark.parametrize(
    ("label", "answer", "transient", "retry_after", "reason"),
    REFUSALS,
    ids=[case[0] for case in REFUSALS],
)
def test_refusals(
    fake: tuple[FakeBotApi, str],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    label: str,
    answer: Answer,
    transient: bool,
    retry_after: float | None,
    reason: str,
) -> None:
    api, url = fake
    api.send_failures.append(answer)
    caplog.set_level(logging.DEBUG)
    channel = bot(url, tmp_path)
    with pytest.raises(SendFailed) as failed:
        channel.send(Outbound(key="k", recipient=f"telegram:{CHAT}", text=TEXT))
    channel.close()
    assert (failed.value.transient, failed.value.retry_after) == (transient, retry_after)
    assert failed.value.reason == reason
    secret = TOKEN.split(":", 1)[1]
    assert secret not in caplog.text and str(CHAT) not in caplog.text


def test_unreachable_is_transient(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    channel = bot(f"http://127.0.0.1:{free_port()}", tmp_path)
    with pytest.raises(SendFailed) as failed:
        channel.send(Outbound(key="k", recipient=f"telegram:{CHAT}", text=TEXT))
    assert failed.value.transient
    assert failed.value.reason == "telegram: connection failed (ConnectError)"
    assert TOKEN.split(":", 1)[1] not in caplog.text


@pytest.mark.parametrize(
    ("recipient", "config", "reason"),
    [
        ("tel:+6281200012345", {}, "telegram: recipient is not a Telegram chat (tel:)"),
        ("telegram:abc", {}, "telegram: recipient is not a Telegram chat (telegram:)"),
        (f"telegram:{CHAT}", {"token": None}, "telegram: sending is not configured (set token)"),
    ],
)
def test_not_sendable_is_permanent(
    fake: tuple[FakeBotApi, str],
    tmp_path: Path,
    recipient: str,
    config: dict[str, Any],
    reason: str,
) -> None:
    api, url = fake
    with pytest.raises(SendFailed) as failed:
        bot(url, tmp_path, **config).send(Outbound(key="k", recipient=recipient, text=TEXT))
    assert not failed.value.transient and failed.value.reason == reason
    assert not api.seen


def test_group_chats_have_negative_ids(fake: tuple[FakeBotApi, str], tmp_path: Path) -> None:
    api, url = fake
    bot(url, tmp_path).send(Outbound(key="k", recipient="telegram:-100123", text=TEXT))
    assert api.sent[0]["chat_id"] == "-100123"
