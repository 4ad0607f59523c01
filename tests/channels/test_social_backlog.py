"""Backlog files of the social channels: one provider payload per line, bad lines kept.

The same path ``aduan import`` takes (``Channel.backlog`` -> ``save_batch`` ->
``read``); the Telegram CLI run is in ``telegram/test_import.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from aduan.channels.base import ChannelContext
from aduan.core.errors import BadPayload
from aduan.core.messages import Message
from aduan.store import save_batch
from tests.channels.registry_cases import channel_class

FIXTURES = Path(__file__).parent / "fixtures"
BAD = b'{"broken": '


def twitter_lines() -> list[bytes]:
    page = json.loads((FIXTURES / "twitter" / "mention_with_place_and_photo.json").read_text())
    dm = {
        "data": {
            "id": "1860000000000000999",
            "event_type": "MessageCreate",
            "text": "Halo, trotoar di Jl. Senopati rusak",
            "sender_id": "2244994945",
        },
        "includes": {"users": page["includes"]["users"]},
    }
    tweet = {"data": page["data"][0], "includes": page["includes"]}
    return [json.dumps(tweet).encode(), json.dumps(dm).encode()]


def facebook_lines() -> list[bytes]:
    body = json.loads((FIXTURES / "facebook" / "two_entries_batched.json").read_text())
    normal = json.loads((FIXTURES / "facebook" / "message_with_photo.json").read_text())
    return [json.dumps(e).encode() for e in body["entry"] + normal["entry"]]


def rss_lines() -> list[bytes]:
    items = [
        {"feed": "https://portal.example.org/rss", "id": "b-1", "title": "Warga mengeluh banjir"},
        {
            "feed": "https://portal.example.org/rss",
            "link": "https://portal.example.org/b/2",
            "title": "Festival kuliner",
            "summary": "<p>Tiga hari</p>",
        },
    ]
    return [json.dumps(i).encode() for i in items]


LINES = {"twitter": twitter_lines, "facebook": facebook_lines, "rss": rss_lines}
OPTIONS = {
    "twitter": {"user_id": "1500000000000000001"},
    "facebook": {"page_id": "104000000000001"},
    "rss": {},
}


@pytest.mark.parametrize("kind", sorted(LINES))
def test_backlog_twice_and_bad_line_kept(kind: str, tmp_path: Path, engine: Engine) -> None:
    good = LINES[kind]()
    path = tmp_path / "backlog.jsonl"
    path.write_bytes(b"\n".join([good[0], BAD, *good[1:]]) + b"\n\n")
    cls = channel_class(kind)
    channel = cls("import", cls.Config.model_validate(OPTIONS[kind]), ChannelContext(tmp_path))
    raws = list(channel.backlog(path))
    assert len(raws) == len(good) + 1
    first = save_batch(engine, raws)
    assert len(first.new) == len(raws)
    assert save_batch(engine, list(channel.backlog(path))).new == {}
    read, quarantined = [], []
    for raw in raws:
        try:
            read.append(channel.read(raw))
        except BadPayload:
            quarantined.append(raw)
    assert len(quarantined) == 1 and quarantined[0].payload == BAD
    assert quarantined[0].external_id.startswith("sha256:")
    assert all(isinstance(m, Message) for m in read) and len(read) == len(good)
