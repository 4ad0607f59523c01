"""Turn the demo's stories into raw messages, each through its channel's own intake path.

Every story becomes what its provider would really send — an SMS gateway's
JSON, a Telegram ``Update``, an X API v2 tweet with its includes, an RFC 822
mail in an mbox, a Facebook webhook entry, a walk-in desk entry, an Open311
POST — and is turned into a :class:`~aduan.channels.base.RawMessage` by the
channel's ``backlog``/``parse`` code, exactly as a live delivery or an
``aduan import`` would be. One story is a deliberately broken SMS so the
quarantine has something to show.
"""

from __future__ import annotations

import email.utils
import json
import mailbox
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aduan.channels.base import Channel, ChannelContext, PushChannel, WebhookRequest
from aduan.channels.registry import REGISTRY
from aduan.core.messages import RawMessage
from aduan.demo.stories import PEOPLE, STORIES, Story

CITY_X_ID = "1700000000"
PAGE_ID = "100000000000001"
DEMO_SECRET = "demo-only-not-a-secret"  # noqa: S105 - the demo's own fake instances
CHANNEL_SETTINGS: dict[str, dict[str, Any]] = {
    "sms": {"gateway": "generic", "signing_secret": DEMO_SECRET},
    "telegram": {"token": "123456:demo-token-not-real"},
    "twitter": {"user_id": CITY_X_ID, "bearer_token": DEMO_SECRET},
    "email": {"host": "mail.example.go.id", "username": "aduan", "password": DEMO_SECRET},
    "facebook": {"page_id": PAGE_ID, "app_secret": DEMO_SECRET, "verify_token": DEMO_SECRET},
    "walkin": {},
    "open311": {"api_key": DEMO_SECRET},
}


def demo_channels(context: ChannelContext) -> dict[str, Channel]:
    """One ``demo`` instance of each channel the stories use."""
    return {
        kind: REGISTRY[kind]("demo", REGISTRY[kind].Config.model_validate(settings), context)
        for kind, settings in CHANNEL_SETTINGS.items()
    }


def story_time(day: date, story: Story, zone: ZoneInfo) -> datetime:
    hour, minute = (int(part) for part in story.at.split(":"))
    return datetime.combine(day, time(hour, minute), zone)


def _local_phone(e164: str) -> str:
    return "0" + e164.removeprefix("+62")


def _sms(channel: Channel, story: Story, at: datetime, number: int) -> list[RawMessage]:
    person = PEOPLE[story.who]
    line = json.dumps(
        {
            "from": _local_phone(person.phone),
            "to": "0811-1272-206",
            "text": story.text,
            "id": f"demo-sms-{number}",
            "received_at": at.isoformat(),
        },
        ensure_ascii=False,
    ).encode()
    return [channel.backlog_record(line, number)]


def _telegram(channel: Channel, story: Story, at: datetime, number: int) -> list[RawMessage]:
    person = PEOPLE[story.who]
    message: dict[str, Any] = {
        "message_id": 5000 + number,
        "from": {"id": person.user_id, "is_bot": False, "first_name": person.name.split()[0]},
        "chat": {"id": person.user_id, "type": "private", "first_name": person.name.split()[0]},
        "date": int(at.timestamp()),
        "text": story.text,
    }
    if story.text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(story.text)}]
    line = json.dumps({"update_id": 880000 + number, "message": message}, ensure_ascii=False)
    return [channel.backlog_record(line.encode(), number)]


def _twitter(channel: Channel, story: Story, at: datetime, number: int) -> list[RawMessage]:
    person = PEOPLE[story.who]
    tweet_id = str(1860000000000000000 + number)
    record = {
        "data": {
            "id": tweet_id,
            "text": story.text,
            "author_id": str(person.user_id),
            "created_at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "conversation_id": tweet_id,
            "edit_history_tweet_ids": [tweet_id],
            "lang": "in",
        },
        "includes": {
            "users": [{"id": str(person.user_id), "name": person.name, "username": person.handle}]
        },
    }
    line = json.dumps(record, ensure_ascii=False).encode()
    return [channel.backlog_record(line, number)]


def _facebook(channel: Channel, story: Story, at: datetime, number: int) -> list[RawMessage]:
    person = PEOPLE[story.who]
    millis = int(at.timestamp() * 1000)
    entry = {
        "id": PAGE_ID,
        "time": millis,
        "messaging": [
            {
                "sender": {"id": str(9000000000000000 + person.user_id)},
                "recipient": {"id": PAGE_ID},
                "timestamp": millis,
                "message": {"mid": f"m_demo_{number}", "text": story.text},
            }
        ],
    }
    line = json.dumps(entry, ensure_ascii=False).encode()
    return [channel.backlog_record(line, number)]


def _email(channel: Channel, story: Story, at: datetime, number: int) -> list[RawMessage]:
    person = PEOPLE[story.who]
    mail = EmailMessage()
    mail["From"] = email.utils.formataddr((person.name, person.email))
    mail["To"] = "aduan@example.go.id"
    mail["Subject"] = story.subject or "Aduan warga"
    mail["Date"] = email.utils.format_datetime(at)
    mail["Message-ID"] = f"<demo-{number}@example.org>"
    if "Balasan otomatis" in (story.subject or ""):
        mail["Auto-Submitted"] = "auto-replied"
    mail.set_content(story.text)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo.mbox"
        box = mailbox.mbox(path)
        box.add(mail)
        box.close()
        return list(channel.backlog(path))


def _walkin(channel: Channel, story: Story, at: datetime, number: int) -> list[RawMessage]:
    from aduan.channels.walkin import Reporter, WalkinChannel, WalkinEntry

    assert isinstance(channel, WalkinChannel)
    person = PEOPLE[story.who]
    entry = WalkinEntry(
        entry_id=f"demo-walkin-{number}",
        entered_at=at,
        clerk="demo",
        desk="loket-1",
        reporter=Reporter(name=person.name, phone=person.phone, kecamatan="Mampang Prapatan"),
        text=story.text,
        consent=True,
    )
    return [channel.raw(entry)]


def _open311(channel: Channel, story: Story, at: datetime, number: int) -> list[RawMessage]:
    person = PEOPLE[story.who]
    form = {
        "api_key": DEMO_SECRET,
        "service_code": "other",
        "description": story.text,
        "address_string": "Jakarta Selatan",
        "phone": person.phone,
        "attribute[partner_id]": f"JAKI-DEMO-{number}",
    }
    request = WebhookRequest(
        "POST",
        "http://127.0.0.1:8080/open311/v2/requests.json",
        "",
        (),
        {"content-type": "application/x-www-form-urlencoded"},
        urlencode(form).encode(),
    )
    assert isinstance(channel, PushChannel)
    return channel.parse(request)


def _at(raw: RawMessage, at: datetime) -> RawMessage:
    return replace(raw, received_at=at.astimezone(UTC))


BUILDERS: dict[str, Callable[[Channel, Story, datetime, int], list[RawMessage]]] = {
    "sms": _sms,
    "telegram": _telegram,
    "twitter": _twitter,
    "facebook": _facebook,
    "email": _email,
    "walkin": _walkin,
    "open311": _open311,
}


def demo_raws(
    context: ChannelContext, day: date, zone: ZoneInfo, overdue_stories: int = 8
) -> Iterator[RawMessage]:
    """Every story's raw message; the first ``overdue_stories`` happened a week earlier."""
    channels = demo_channels(context)
    for number, story in enumerate(STORIES, 1):
        when = day - timedelta(days=7) if number <= overdue_stories else day
        at = story_time(when, story, zone)
        for raw in BUILDERS[story.channel](channels[story.channel], story, at, number):
            yield _at(raw, at)  # arrival as the story has it, whatever the payload's clock
    broken = b'{"from": "0812000", "text": "Jalan rusak", "received_at": "kemarin"'
    yield channels["sms"].backlog_record(broken, len(STORIES) + 1)
