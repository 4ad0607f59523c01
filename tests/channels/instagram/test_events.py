"""Reading single Instagram events: odd shapes give a clear BadPayload, odd times no time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from aduan.channels.instagram.events import event_key, read_change, read_messaging, when
from aduan.core.errors import BadPayload
from aduan.core.messages import Disposition

ACCOUNT = "17841400000000001"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1764400000000, datetime(2025, 11, 29, 7, 6, 40, tzinfo=UTC)),
        (1764400000, datetime(2025, 11, 29, 7, 6, 40, tzinfo=UTC)),
        ("2025-11-29T07:06:40+0000", datetime(2025, 11, 29, 7, 6, 40, tzinfo=UTC)),
        (10**400, None),
        (1e300, None),
        (float("nan"), None),
        (-5, None),
        (True, None),
        ("kemarin", None),
    ],
)
def test_times(value: Any, expected: datetime | None) -> None:
    assert when(value) == expected


@pytest.mark.parametrize(
    "event",
    [
        {"sender": ["6200000000000001"], "message": {"mid": "m1", "text": "x"}},
        {"sender": {"id": "6200000000000001"}, "message": {"mid": "m1", "text": 5}},
        {"sender": {"id": "6200000000000001"}, "message": {"mid": "m1", "attachments": "x"}},
        {"sender": {"id": "6200000000000001"}, "message": {"mid": "m1", "attachments": ["x"]}},
        {"sender": {"id": "62"}, "message_edit": {"text": "no mid"}},
    ],
)
def test_odd_messages_are_clear_bad_payloads(event: dict[str, Any]) -> None:
    with pytest.raises(BadPayload) as caught:
        read_messaging(event, ACCOUNT)
    assert not str(caught.value).startswith("unreadable")


def test_the_accounts_own_message_without_is_echo_is_ignored() -> None:
    event = {"sender": {"id": ACCOUNT}, "message": {"mid": "m2", "text": "Terima kasih"}}
    assert read_messaging(event, ACCOUNT).disposition == Disposition.IGNORE


def test_a_mention_carrying_its_text_reads_as_a_comment() -> None:
    value = {
        "comment_id": "17900000000000301",
        "media_id": "18000000000000009",
        "text": "@pemkot.jaksel got mampet di Jl. Ampera",
        "from": {"id": "6200000000000004", "username": "andi"},
    }
    message = read_change({"field": "mentions", "value": value}, ACCOUNT)
    assert message.disposition == Disposition.COMPLAINT
    assert message.identities == ("instagram:6200000000000004",)
    assert message.extra["thread"] == "instagram:media:18000000000000009"


def test_unknown_changes_are_kept_and_ignored() -> None:
    change = {"field": "story_insights", "value": {"media_id": "1", "reach": 5}}
    assert read_change(change, ACCOUNT).disposition == Disposition.IGNORE
    assert event_key({"id": ACCOUNT, "changes": [change]}) is None
