"""Instagram answers through a local server playing the Graph API: windows, comments, errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from aduan.channels.base import ChannelContext
from aduan.channels.instagram import InstagramChannel, InstagramConfig
from aduan.channels.registry import replier_for
from aduan.channels.replies import Outbound, Replier, SendFailed
from aduan.core.clock import utcnow
from tests.channels.instagram.graph_fake import ACCOUNT, TOKEN, GraphFake, graph

USER = "instagram:6200000000000001"


def make(url: str, tmp_path: Path, **options: Any) -> InstagramChannel:
    settings = {
        "account_id": ACCOUNT,
        "app_secret": "s",
        "verify_token": "v",
        "access_token": TOKEN,
        "graph_api_base_url": url,
        **options,
    }
    return InstagramChannel(
        "pemkot", InstagramConfig.model_validate(settings), ChannelContext(tmp_path)
    )


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[tuple[GraphFake, InstagramChannel]]:
    with graph() as (server, url):
        channel = make(url, tmp_path)
        yield server, channel
        channel.close()


def out(hours_ago: float | None = 1, **fields: Any) -> Outbound:
    last = None if hours_ago is None else utcnow() - timedelta(hours=hours_ago)
    values: dict[str, Any] = {
        "key": "k1",
        "recipient": USER,
        "text": "Laporan ADU-2026-000001 kami terima.",
    }
    values["last_inbound_at"] = last
    values.update(fields)
    return Outbound(**values)


def test_a_dm_inside_the_window_goes_through_the_send_api(
    fake: tuple[GraphFake, InstagramChannel],
) -> None:
    server, channel = fake
    assert isinstance(channel, Replier)
    sent = channel.send(out(hours_ago=23.5))
    assert sent.provider_id == "aWdfZAG1-sent-1"
    (seen,) = server.seen
    assert (seen.method, seen.path) == ("POST", f"/v21.0/{ACCOUNT}/messages")
    assert seen.headers["authorization"] == f"Bearer {TOKEN}" and TOKEN not in seen.path
    assert json.loads(seen.body) == {
        "recipient": {"id": "6200000000000001"},
        "message": {"text": "Laporan ADU-2026-000001 kami terima."},
    }


def test_naive_times_are_utc(fake: tuple[GraphFake, InstagramChannel]) -> None:
    _server, channel = fake
    last = (utcnow() - timedelta(hours=2)).replace(tzinfo=None)
    assert channel.send(out(None, last_inbound_at=last)).provider_id


@pytest.mark.parametrize("hours_ago", [24.5, 24 * 30, None])
def test_a_dm_outside_the_window_is_refused_for_good_and_not_sent(
    fake: tuple[GraphFake, InstagramChannel], hours_ago: float | None
) -> None:
    server, channel = fake
    with pytest.raises(SendFailed) as caught:
        channel.send(out(hours_ago))
    assert caught.value.transient is False
    assert "24 hours" in caught.value.reason and "window" in caught.value.reason
    assert server.seen == []


def test_a_comment_is_answered_by_a_private_reply_within_seven_days(
    fake: tuple[GraphFake, InstagramChannel],
) -> None:
    server, channel = fake
    channel.send(out(hours_ago=24 * 3, in_reply_to="comment:17900000000000101"))
    body = json.loads(server.seen[0].body)
    assert body["recipient"] == {"comment_id": "17900000000000101"}
    with pytest.raises(SendFailed, match="7 days") as caught:
        channel.send(out(hours_ago=24 * 8, in_reply_to="comment:17900000000000101"))
    assert caught.value.transient is False and len(server.seen) == 1


def test_public_comment_replies_when_configured(tmp_path: Path) -> None:
    with graph() as (server, url):
        channel = make(url, tmp_path, comment_replies="public")
        sent = channel.send(out(hours_ago=24 * 10, in_reply_to="comment:17900000000000101"))
        channel.close()
    assert sent.provider_id and sent.provider_id.startswith("1790000000")
    (seen,) = server.seen
    assert (seen.method, seen.path) == ("POST", "/v21.0/17900000000000101/replies")
    assert json.loads(seen.body) == {"message": "Laporan ADU-2026-000001 kami terima."}


@pytest.mark.parametrize(
    ("status", "code", "subcode", "message", "transient"),
    [
        (400, 190, 463, "Error validating access token: Session has expired", False),
        (400, 10, 2534022, "This message is sent outside of allowed window.", False),
        (400, 100, 2018001, "No matching user found", False),
        (400, 551, None, "This person isn't available right now.", False),
        (400, 4, None, "Application request limit reached", True),
        (400, 613, None, "Calls to this api have exceeded the rate limit.", True),
        (500, 1, None, "An unknown error has occurred.", True),
        (503, 2, None, "Service temporarily unavailable", True),
    ],
)
def test_graph_errors_are_transient_or_permanent(
    fake: tuple[GraphFake, InstagramChannel],
    status: int,
    code: int,
    subcode: int | None,
    message: str,
    transient: bool,
) -> None:
    server, channel = fake
    server.fail.append((status, code, subcode, message))
    with pytest.raises(SendFailed) as caught:
        channel.send(out())
    assert caught.value.transient is transient
    assert f"Graph error {code}" in caught.value.reason and TOKEN not in caught.value.reason
    if code == 190:
        assert "renew" in caught.value.reason


def test_a_wrong_token_is_permanent(tmp_path: Path) -> None:
    with graph() as (server, url):
        server.token = "another-token"
        channel = make(url, tmp_path)
        with pytest.raises(SendFailed, match="190") as caught:
            channel.send(out())
        channel.close()
    assert caught.value.transient is False


def test_no_answer_is_transient(tmp_path: Path) -> None:
    with graph() as (_server, url):
        pass  # the server is gone: connection refused
    channel = make(url, tmp_path)
    with pytest.raises(SendFailed, match="connection failed") as caught:
        channel.send(out())
    channel.close()
    assert caught.value.transient is True


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"recipient": "tel:+628111272206"}, "not an Instagram id"),
        ({"text": "x" * 1001}, "1000 bytes"),
    ],
)
def test_what_instagram_cannot_take_is_refused_before_sending(
    fake: tuple[GraphFake, InstagramChannel], fields: dict[str, str], why: str
) -> None:
    server, channel = fake
    with pytest.raises(SendFailed, match=why) as caught:
        channel.send(out(**fields))
    assert caught.value.transient is False and server.seen == []


def test_sending_needs_the_access_token(tmp_path: Path) -> None:
    channel = make("http://127.0.0.1:9", tmp_path, access_token=None)
    with pytest.raises(SendFailed, match="not configured") as caught:
        channel.send(out())
    assert caught.value.transient is False


def test_the_outbox_finds_the_instagram_replier(tmp_path: Path) -> None:
    channel = make("http://127.0.0.1:9", tmp_path)
    assert replier_for(channel) is channel
    channel.close()
