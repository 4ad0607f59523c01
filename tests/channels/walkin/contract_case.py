"""The walk-in channel in the shared contract test: entries pushed with the intake token."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import SecretStr

from aduan.channels.base import ChannelContext, WebhookRequest
from aduan.channels.walkin import WalkinChannel, WalkinConfig
from tests.channels.contract import PushCase

CHANNEL_TYPE = "walkin"
TOKEN = "kiosk-token-for-tests"


def entry(i: int) -> dict[str, object]:
    return {
        "v": 1,
        "entry_id": f"kiosk:{i:04d}",
        "entered_at": "2026-03-02T02:15:00Z",
        "reporter": {"name": f"Warga {i}", "phone": f"+62812000{10000 + i}"},
        "text": f"Got mampet di RT 0{i % 9 + 1}, air meluap ke jalan.",
        "consent": True,
    }


def request(i: int) -> WebhookRequest:
    return WebhookRequest(
        method="POST",
        url="http://127.0.0.1:8080/webhooks/walkin/kiosk",
        path="",
        query=(),
        headers={"authorization": f"Bearer {TOKEN}", "content-type": "application/json"},
        body=json.dumps(entry(i)).encode(),
    )


@contextmanager
def make_case(tmp_path: Path) -> Iterator[PushCase]:
    config = WalkinConfig(intake_token=SecretStr(TOKEN))
    channel = WalkinChannel("kiosk", config, ChannelContext(tmp_path))
    yield PushCase(channel, request)
