"""Answers as X direct messages against the fake X API v2: request, ids, refusals, no leaks."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aduan.channels.base import ChannelContext
from aduan.channels.replies import Outbound, Replier, SendFailed
from aduan.channels.twitter import TwitterChannel, TwitterConfig
from aduan.channels.twitter_dm import reset_wait
from tests.channels.local_http import Answer, Fake, Seen, serve
from tests.channels.twitter.fake_x_api import APP_TOKEN, CITY_ID, DM_TOKEN, FakeXApi
from tests.conftest import free_port

USER = "2244994945"
MAY = "the message may have been sent"
TEXT = "Aduan Anda ADU-2026-000123 sudah diteruskan ke Dinas Bina Marga."


def channel(url: str, tmp_path: Path, **config: Any) -> TwitterChannel:
    values = {
        "user_id": CITY_ID,
        "bearer_token": APP_TOKEN,
        "dm_token": DM_TOKEN,
        "api_base_url": url,
        **config,
    }
    return TwitterChannel("kota", TwitterConfig.model_validate(values), ChannelContext(tmp_path))


@pytest.fixture
def fake() -> Iterator[tuple[FakeXApi, str]]:
    api = FakeXApi()
    with serve(api) as url:
        yield api, url


def test_dm_is_sent_with_the_user_context_token(fake: tuple[FakeXApi, str], tmp_path: Path) -> None:
    api, url = fake
    x = channel(url, tmp_path)
    try:
        assert isinstance(x, Replier)
        sent = x.send(Outbound(key="k", recipient=f"twitter:{USER}", text=TEXT))
    finally:
        x.close()
    assert sent.provider_id == str(api.next_id) and sent.status == "sent"
    assert api.sent_dms == [{"participant_id": USER, "text": TEXT}]
    (request,) = api.seen
    assert request.method == "POST"
    assert request.path == f"/2/dm_conversations/with/{USER}/messages"
    assert request.headers["authorization"] == f"Bearer {DM_TOKEN}"
    assert json.loads(request.body) == {"text": TEXT}


def test_rate_limit_is_transient_until_the_reset(
    fake: tuple[FakeXApi, str], tmp_path: Path
) -> None:
    api, url = fake
    api.rate_limited = True
    with pytest.raises(SendFailed) as failed:
        channel(url, tmp_path).send(Outbound(key="k", recipient=f"twitter:{USER}", text=TEXT))
    assert failed.value.transient
    assert failed.value.retry_after is not None and 100 <= failed.value.retry_after <= 121
    assert failed.value.reason == "x: HTTP 429: Too Many Requests: Too Many Requests"


def test_closed_dms_are_permanent(
    fake: tuple[FakeXApi, str], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    api, url = fake
    api.closed_dms.add(USER)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(SendFailed) as failed:
        channel(url, tmp_path).send(Outbound(key="k", recipient=f"twitter:{USER}", text=TEXT))
    assert not failed.value.transient
    assert failed.value.reason == (
        "x: HTTP 403: Forbidden: You are not permitted to send a Direct Message to this user."
    )
    assert USER not in caplog.text and DM_TOKEN not in caplog.text


def test_refused_token_and_bad_request_are_permanent(
    fake: tuple[FakeXApi, str], tmp_path: Path
) -> None:
    _, url = fake
    with pytest.raises(SendFailed) as empty:
        channel(url, tmp_path).send(Outbound(key="k", recipient=f"twitter:{USER}", text=""))
    assert not empty.value.transient
    assert empty.value.reason == (
        "x: HTTP 400: Invalid Request: One or more parameters to your request was invalid.: "
        "$.text: is missing but it is required"
    )
    with pytest.raises(SendFailed) as wrong:
        channel(url, tmp_path, dm_token="revoked").send(
            Outbound(key="k", recipient=f"twitter:{USER}", text=TEXT)
        )
    assert not wrong.value.transient and wrong.value.reason.startswith("x: HTTP 401")
    assert "revoked" not in wrong.value.reason


class Scripted(Fake):
    def __init__(self, answer: Answer) -> None:
        super().__init__()
        self.answer = answer

    def handle(self, request: Seen) -> Answer:
        return self.answer


@pytest.mark.parametrize(
    ("answer", "transient", "reason"),
    [
        ((503, {}, b"Service Unavailable"), True, "x: HTTP 503: Service Unavailable"),
        ((201, {}, b"<html>"), False, f"x: unreadable answer (not JSON); {MAY}"),
        ((201, {}, b'{"data": {}}'), False, f"x: unreadable answer (no dm_event_id); {MAY}"),
    ],
)
def test_server_answers(tmp_path: Path, answer: Answer, transient: bool, reason: str) -> None:
    with serve(Scripted(answer)) as url, pytest.raises(SendFailed) as failed:
        channel(url, tmp_path).send(Outbound(key="k", recipient=f"twitter:{USER}", text=TEXT))
    assert failed.value.transient is transient and failed.value.reason == reason


def test_unreachable_is_transient(tmp_path: Path) -> None:
    with pytest.raises(SendFailed) as failed:
        channel(f"http://127.0.0.1:{free_port()}", tmp_path).send(
            Outbound(key="k", recipient=f"twitter:{USER}", text=TEXT)
        )
    assert failed.value.transient and failed.value.reason == "x: connection failed (ConnectError)"


@pytest.mark.parametrize(
    ("recipient", "config", "reason"),
    [
        ("telegram:3527065", {}, "x: recipient is not an X user id (telegram:)"),
        ("twitter:@warga", {}, "x: recipient is not an X user id (twitter:)"),
        (f"twitter:{USER}", {"dm_token": None}, "x: sending is not configured (set dm_token)"),
    ],
)
def test_not_sendable_is_permanent(
    fake: tuple[FakeXApi, str], tmp_path: Path, recipient: str, config: dict[str, Any], reason: str
) -> None:
    api, url = fake
    with pytest.raises(SendFailed) as failed:
        channel(url, tmp_path, **config).send(Outbound(key="k", recipient=recipient, text=TEXT))
    assert not failed.value.transient and failed.value.reason == reason
    assert not api.seen


def test_reset_wait() -> None:
    now = time.time()
    assert reset_wait({"x-rate-limit-reset": str(int(now) + 60)}, now) == pytest.approx(60, abs=1)
    assert reset_wait({"x-rate-limit-reset": str(int(now) - 60)}, now) == 1.0
    assert reset_wait({}, now) is None and reset_wait({"x-rate-limit-reset": "soon"}) is None
