"""Answers through the Messenger Send API on a local fake: 24-hour window, tags, Graph errors."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from aduan.channels.base import ChannelContext
from aduan.channels.facebook import FacebookChannel, FacebookConfig
from aduan.channels.replies import Outbound, Replier, SendFailed
from aduan.core.clock import utcnow
from tests.channels.facebook.fake_send_api import PAGE_TOKEN, FakeSendApi, graph_error
from tests.channels.local_http import Answer, serve
from tests.conftest import free_port

PSID = "6100000000000001"
TEXT = "Aduan Anda ADU-2026-000123 sudah selesai ditangani. Terima kasih."


def page(url: str, tmp_path: Path, **config: Any) -> FacebookChannel:
    values = {
        "page_id": "104000000000001",
        "app_secret": "app-secret",
        "verify_token": "verify",
        "page_access_token": PAGE_TOKEN,
        "graph_api_base_url": url,
        **config,
    }
    return FacebookChannel("kota", FacebookConfig.model_validate(values), ChannelContext(tmp_path))


def outbound(hours_ago: float | None, psid: str = PSID) -> Outbound:
    last = utcnow() - timedelta(hours=hours_ago) if hours_ago is not None else None
    return Outbound(key="k", recipient=f"facebook:{psid}", text=TEXT, last_inbound_at=last)


@pytest.fixture
def fake() -> Iterator[tuple[FakeSendApi, str]]:
    api = FakeSendApi()
    with serve(api) as url:
        yield api, url


def test_response_inside_the_window(fake: tuple[FakeSendApi, str], tmp_path: Path) -> None:
    api, url = fake
    channel = page(url, tmp_path)
    try:
        assert isinstance(channel, Replier)
        sent = channel.send(outbound(hours_ago=3))
    finally:
        channel.close()
    assert sent.provider_id == "m_fake0001"
    assert api.sent == [
        {"recipient": {"id": PSID}, "messaging_type": "RESPONSE", "message": {"text": TEXT}}
    ]
    assert PAGE_TOKEN not in api.seen[0].path  # the token goes in the header only


@pytest.mark.parametrize(
    ("hours_ago", "tag", "expected"),
    [
        (30, "HUMAN_AGENT", {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}),
        (24 * 30, "ACCOUNT_UPDATE", {"messaging_type": "MESSAGE_TAG", "tag": "ACCOUNT_UPDATE"}),
        (None, "ACCOUNT_UPDATE", {"messaging_type": "MESSAGE_TAG", "tag": "ACCOUNT_UPDATE"}),
    ],
)
def test_tags_after_the_window(
    fake: tuple[FakeSendApi, str],
    tmp_path: Path,
    hours_ago: float | None,
    tag: str,
    expected: dict[str, str],
) -> None:
    api, url = fake
    page(url, tmp_path, message_tag=tag).send(outbound(hours_ago))
    (body,) = api.sent
    assert {k: v for k, v in body.items() if k in ("messaging_type", "tag")} == expected


@pytest.mark.parametrize(
    ("hours_ago", "tag", "words"),
    [
        (25, None, "outside the 24-hour window (last message from the citizen: 25 h ago)"),
        (None, None, "outside the 24-hour window (last message from the citizen: unknown)"),
        (24 * 8, "HUMAN_AGENT", "192 h ago) and past HUMAN_AGENT's limit"),
        (None, "HUMAN_AGENT", "unknown) and past HUMAN_AGENT's limit"),
    ],
)
def test_refused_outside_every_window_without_a_request(
    fake: tuple[FakeSendApi, str],
    tmp_path: Path,
    hours_ago: float | None,
    tag: str | None,
    words: str,
) -> None:
    api, url = fake
    with pytest.raises(SendFailed) as failed:
        page(url, tmp_path, message_tag=tag).send(outbound(hours_ago))
    assert not failed.value.transient and words in failed.value.reason
    assert not api.seen


MAY = "the message may have been sent"
RETRY = "Please retry your request later."
GRAPH_ERRORS = [
    # (label, HTTP status, code, subcode, message, transient)
    ("rate limit", 400, 4, None, "Application request limit reached", True),
    ("calls exceeded", 400, 613, None, "Calls to this api have exceeded the rate limit.", True),
    ("temporary", 500, 1200, None, f"Temporary send message failure. {RETRY}", True),
    ("unexpected", 500, 2, None, f"An unexpected error has occurred. {RETRY}", True),
    ("window", 400, 10, 2018278, "This message is sent outside of allowed window.", False),
    ("unavailable", 400, 551, 1545041, "This person isn't available right now.", False),
    ("no user", 400, 100, 2018001, "No matching user found", False),
    ("permissions", 403, 1, 99, "An unknown error occurred.", False),
    ("token", 400, 190, None, "Error validating access token: Session has expired", False),
]


@pytest.mark.parametrize(
    ("label", "status", "code", "subcode", "said", "transient"),
    GRAPH_ERRORS,
    ids=[case[0] for case in GRAPH_ERRORS],
)
def test_graph_errors(
    fake: tuple[FakeSendApi, str],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    label: str,
    status: int,
    code: int,
    subcode: int | None,
    said: str,
    transient: bool,
) -> None:
    api, url = fake
    api.errors[PSID] = graph_error(status, code, said, subcode)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(SendFailed) as failed:
        page(url, tmp_path).send(outbound(hours_ago=1))
    assert failed.value.transient is transient
    assert (
        failed.value.reason == f"messenger: error {code}{f'/{subcode}' if subcode else ''}: {said}"
    )
    assert PSID not in caplog.text and PAGE_TOKEN not in caplog.text


@pytest.mark.parametrize(
    ("answer", "transient", "reason"),
    [
        (graph_error(400, 3, "Unknown", is_transient=True), True, "messenger: error 3: Unknown"),
        ((502, {"Content-Type": "text/html"}, b"<html>Bad</html>"), True, "messenger: HTTP 502"),
        ((429, {"Retry-After": "30"}, b""), True, "messenger: HTTP 429"),
        ((200, {}, b"<html>"), False, f"messenger: unreadable answer (not JSON); {MAY}"),
        ((200, {}, b"{}"), False, f"messenger: unreadable answer (no message_id); {MAY}"),
    ],
)
def test_other_answers(
    fake: tuple[FakeSendApi, str], tmp_path: Path, answer: Answer, transient: bool, reason: str
) -> None:
    api, url = fake
    api.errors[PSID] = answer
    with pytest.raises(SendFailed) as failed:
        page(url, tmp_path).send(outbound(hours_ago=1))
    assert failed.value.transient is transient and failed.value.reason == reason
    if answer[0] == 429:
        assert failed.value.retry_after == 30


def test_revoked_token_is_permanent(fake: tuple[FakeSendApi, str], tmp_path: Path) -> None:
    _, url = fake
    with pytest.raises(SendFailed) as failed:
        page(url, tmp_path, page_access_token="EAAG-revoked").send(outbound(hours_ago=1))
    assert not failed.value.transient
    assert failed.value.reason.startswith("messenger: error 190: Invalid OAuth access token")
    assert "EAAG-revoked" not in failed.value.reason


def test_unreachable_is_transient(tmp_path: Path) -> None:
    with pytest.raises(SendFailed) as failed:
        page(f"http://127.0.0.1:{free_port()}", tmp_path).send(outbound(hours_ago=1))
    assert failed.value.transient
    assert failed.value.reason == "messenger: connection failed (ConnectError)"


@pytest.mark.parametrize(
    ("recipient", "config", "reason"),
    [
        ("twitter:2244994945", {}, "messenger: recipient is not a Messenger user (twitter:)"),
        (
            f"facebook:{PSID}",
            {"page_access_token": None},
            "messenger: sending is not configured (set page_access_token)",
        ),
    ],
)
def test_not_sendable_is_permanent(
    fake: tuple[FakeSendApi, str],
    tmp_path: Path,
    recipient: str,
    config: dict[str, Any],
    reason: str,
) -> None:
    api, url = fake
    message = Outbound(key="k", recipient=recipient, text=TEXT, last_inbound_at=utcnow())
    with pytest.raises(SendFailed) as failed:
        page(url, tmp_path, **config).send(message)
    assert not failed.value.transient and failed.value.reason == reason
    assert not api.seen


def test_bad_version_is_a_config_error() -> None:
    with pytest.raises(ValueError, match="graph_api_version"):
        FacebookConfig.model_validate({"graph_api_version": "21"})
