"""Telegram polling against the fake Bot API: offset with the data, photos, answers, no leaks."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from aduan.channels.base import ChannelContext
from aduan.channels.telegram import TelegramPolling
from aduan.core.errors import FatalChannelError, TransientError
from aduan.core.messages import Disposition
from aduan.daemon.ingest import poll_channel
from aduan.runtime import Runtime
from aduan.runtime.loader import load_settings
from aduan.store import read_cursor
from aduan.store.blobs import blob_path, get_blob
from tests.channels.local_http import serve
from tests.channels.registry_cases import channel_class
from tests.channels.telegram.fake_bot_api import TOKEN, FakeBotApi
from tests.conftest import free_port

FIXTURES = Path(__file__).parents[1] / "fixtures" / "telegram"
JPEG = b"\xff\xd8\xff\xe0" + b"foto-jalan-berlubang" * 50


def make(url: str, tmp_path: Path, **config: object) -> TelegramPolling:
    cls = channel_class("telegram")
    options = {"token": TOKEN, "api_base_url": url, **config}
    channel = cls("kota", cls.Config.model_validate(options), ChannelContext(tmp_path / "data"))
    assert isinstance(channel, TelegramPolling)
    return channel


@pytest.fixture
def fake() -> Iterator[tuple[FakeBotApi, str]]:
    api = FakeBotApi()
    with serve(api) as url:
        yield api, url


def fixture(name: str) -> dict[str, object]:
    data: dict[str, object] = json.loads((FIXTURES / name).read_text())
    return data


def test_offset_advances_only_with_the_committed_rows(
    fake: tuple[FakeBotApi, str], tmp_path: Path, engine: Engine
) -> None:
    api, url = fake
    channel = make(url, tmp_path)
    for text in ("Got mampet di Jl. Kemang", "Lampu jalan mati di Cipete", "Sampah menumpuk"):
        api.add_text(text)
    first = channel.fetch(None, 100)
    again = channel.fetch(None, 100)  # nothing committed: Telegram still holds them
    assert [r.external_id for r in again.messages] == [r.external_id for r in first.messages]
    assert first.next_cursor == {"offset": api.updates[-1]["update_id"] + 1}
    assert poll_channel(engine, channel).stored == 3
    assert read_cursor(engine, "telegram", "kota") == first.next_cursor
    assert poll_channel(engine, channel).stored == 0
    assert api.updates == []  # the stored offset confirmed them
    offsets = [s.body for s in api.seen if s.path.endswith("/getUpdates")]
    assert (
        b"offset=" not in offsets[0]
        and f"offset={first.next_cursor['offset']}".encode() in offsets[-1]
    )
    raw = json.loads(first.messages[0].payload)
    assert "channel_chat_created" not in raw["message"]  # the raw JSON, not PTB's to_dict()


def test_photo_downloaded_into_a_blob_and_read_stays_pure(
    fake: tuple[FakeBotApi, str], tmp_path: Path, sqlite_engine: Engine
) -> None:
    api, url = fake
    update = fixture("update_photo.json")
    api.updates.append(update)
    api.files["AgAD-big"] = ("photos/file_7.jpg", JPEG)
    channel = make(url, tmp_path)
    batch = channel.fetch(None, 10)
    raw = batch.messages[0]
    kept = raw.meta["photo"]
    assert batch.blobs == {kept["sha256"]: JPEG}
    assert not blob_path(tmp_path / "data", kept["sha256"]).exists()  # the adapter wrote nothing
    assert poll_channel(sqlite_engine, channel).stored == 1  # the caller keeps the photo
    assert get_blob(tmp_path / "data", kept["sha256"]) == JPEG
    calls = len(api.seen)
    message = channel.read(raw)
    assert len(api.seen) == calls
    (attachment,) = message.attachments
    assert attachment.sha256 == kept["sha256"] and attachment.size == len(JPEG)
    assert attachment.filename == "file_7.jpg"
    assert message.text.startswith("Jalan berlubang")


def test_photo_over_the_limit_is_recorded_not_downloaded(
    fake: tuple[FakeBotApi, str], tmp_path: Path
) -> None:
    api, url = fake
    api.updates.append(fixture("update_photo.json"))  # the big size says file_size 5000
    api.files["AgAD-big"] = ("photos/file_7.jpg", JPEG)
    channel = make(url, tmp_path, max_attachment_bytes=4000)
    raw = channel.fetch(None, 10).messages[0]
    assert "sha256" not in raw.meta["photo"] and "over 4000" in raw.meta["photo"]["skipped"]
    assert not any("getFile" in s.path for s in api.seen)
    (attachment,) = channel.read(raw).attachments
    assert attachment.sha256 is None and attachment.url == "telegram-file:AgAD-big"


def test_commands_are_answered_and_receipts_optional(
    fake: tuple[FakeBotApi, str], tmp_path: Path
) -> None:
    api, url = fake
    api.updates.append(fixture("update_command_start.json"))
    api.add_text("Trotoar rusak di Jl. Wijaya")
    channel = make(url, tmp_path, acknowledge=True)
    batch = channel.fetch(None, 10)
    messages = [channel.read(r) for r in batch.messages]
    assert [m.disposition for m in messages] == [Disposition.IGNORE, Disposition.COMPLAINT]
    channel.acknowledge(batch)
    assert [s["chat_id"] for s in api.sent] == ["3527065", "3527065"]
    assert api.sent[0]["text"].startswith("Selamat datang")
    assert api.sent[1]["text"].startswith("Aduan Anda sudah kami terima")
    api.sent.clear()
    make(url, tmp_path).acknowledge(batch)  # receipts off: only the command is answered
    assert len(api.sent) == 1


def acknowledging_bot(tmp_path: Path, url: str, **env: str) -> Runtime:
    """A runtime with one polling bot ``bot`` (``acknowledge`` on) on the fake Bot API."""
    settings = load_settings(
        env={
            "ADUAN_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}",
            "ADUAN_DATA_DIR": str(tmp_path / "data"),
            "ADUAN_CHANNELS__TELEGRAM__BOT__TOKEN": TOKEN,
            "ADUAN_CHANNELS__TELEGRAM__BOT__API_BASE_URL": url,
            "ADUAN_CHANNELS__TELEGRAM__BOT__ACKNOWLEDGE": "true",
            **env,
        }
    )
    return Runtime.create(settings, logging=False)


def test_receipt_carries_the_reference_the_complaint_gets(
    fake: tuple[FakeBotApi, str], tmp_path: Path
) -> None:
    from aduan.daemon.normalize_job import normalize_pending, runtime_normalizer

    api, url = fake
    api.add_text("Trotoar rusak di Jl. Wijaya I depan masjid")
    runtime = acknowledging_bot(tmp_path, url, ADUAN_REPLIES__EVENTS='{"received": false}')
    try:
        poll_channel(runtime.engine, runtime.pull_channels[("telegram", "bot")])
        (receipt,) = api.sent
        reference = receipt["text"].rsplit("Nomor aduan: ", 1)[1].split(",")[0]
        normalize_pending(runtime.engine, runtime_normalizer(runtime))
        with runtime.engine.connect() as conn:
            from sqlalchemy import select

            from aduan.store.models import complaints

            stored = conn.execute(select(complaints.c.reference)).scalar_one()
        assert stored == reference
    finally:
        runtime.close()


def test_refused_token_is_fatal_and_never_printed(
    fake: tuple[FakeBotApi, str], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    api, url = fake
    api.refuse = True
    caplog.set_level(logging.DEBUG)
    with pytest.raises(FatalChannelError) as refused:
        make(url, tmp_path).fetch(None, 10)
    unreachable = make(f"http://127.0.0.1:{free_port()}", tmp_path)
    with pytest.raises(TransientError) as down:
        unreachable.fetch(None, 10)
    api.refuse = False
    api.add_text("/help", entities=[{"offset": 0, "length": 5, "type": "bot_command"}])
    channel = make(url, tmp_path)
    channel.acknowledge(channel.fetch(None, 10))
    assert api.sent and caplog.records
    secret_part = TOKEN.split(":", 1)[1]
    for text in (str(refused.value), str(down.value), repr(refused.value), channel.describe()):
        assert secret_part not in text
    for record in caplog.records:
        assert secret_part not in record.getMessage()
        assert secret_part not in str(record.args)


def test_with_the_outbox_acknowledging_the_citizen_hears_once(
    fake: tuple[FakeBotApi, str], tmp_path: Path
) -> None:
    """``acknowledge`` on and the ``received`` event on: the outbox's message only."""
    from sqlalchemy import select

    from aduan.daemon.normalize_job import normalize_pending, runtime_normalizer
    from aduan.daemon.outbox_job import OutboxJob
    from aduan.store.models import complaints

    api, url = fake
    api.add_text("Trotoar rusak di Jl. Wijaya I depan masjid")
    runtime = acknowledging_bot(tmp_path, url)
    try:
        poll_channel(runtime.engine, runtime.pull_channels[("telegram", "bot")])
        assert api.sent == []  # no receipt of the bot's own
        normalize_pending(runtime.engine, runtime_normalizer(runtime))
        job = OutboxJob()
        assert job(runtime, lambda: False) == 1
        assert job(runtime, lambda: False) == 0
        with runtime.engine.connect() as conn:
            reference = conn.execute(select(complaints.c.reference)).scalar_one()
        (message,) = api.sent
        assert message["chat_id"] == "3527065" and reference in message["text"]
    finally:
        runtime.close()
