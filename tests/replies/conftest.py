"""Helpers for the replies' tests: replies in force with a tracking key, recent raws, the outbox."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from aduan import replies
from aduan.config.replies import RepliesSettings
from aduan.core.messages import Message, RawMessage
from aduan.daemon.normalize_job import normalize_pending
from aduan.normalize.readers import MESSAGE_JSON, Readers
from aduan.normalize.rows import Stats
from aduan.replies import Setup
from aduan.store import save_batch
from aduan.store.keys import nik_hash_key_in
from tests.normalize.conftest import replay_normalizer

OUTBOX_COLUMNS = "key, complaint_id, event, channel, recipient, text, subject, in_reply_to, status"


def recent(minutes: float = 0) -> datetime:
    """A time inside the acknowledgement window (an hour ago, plus ``minutes``)."""
    return datetime.now(UTC) - timedelta(hours=1) + timedelta(minutes=minutes)


def raw(
    external_id: str,
    text_: str,
    sender: str,
    *,
    channel: str = "sms",
    account: str = "main",
    minutes: float = 0,
    at: datetime | None = None,
    **fields: Any,
) -> RawMessage:
    when = at or recent(minutes)
    message = Message(text=text_, identities=(sender,), sent_at=when, **fields)
    return RawMessage(
        channel=channel,
        account=account,
        external_id=external_id,
        payload=message.model_dump_json().encode(),
        content_type=MESSAGE_JSON,
        received_at=when,
    )


def outbox_rows(engine: Engine, complaint_id: int | None = None) -> list[Any]:
    query = f"SELECT {OUTBOX_COLUMNS} FROM outbox"
    params: dict[str, Any] = {}
    if complaint_id is not None:
        query += " WHERE complaint_id = :cid"
        params["cid"] = complaint_id
    with engine.connect() as conn:
        return list(conn.execute(text(query + " ORDER BY id"), params))


@pytest.fixture
def configure(engine: Engine) -> Iterator[Callable[..., Setup]]:
    """Put replies in force (with the store's tracking key); the defaults come back after."""

    def apply(**settings: Any) -> Setup:
        return replies.configure(
            RepliesSettings(**settings),
            base_url="https://aduan.example.go.id",
            tracking_key=nik_hash_key_in,
            agency_name=lambda code: {"sudin-bina-marga": "Suku Dinas Bina Marga"}.get(
                code or "", code
            ),
            reader=Readers().read,
        )

    apply()
    yield apply
    replies.configure()


Run = Callable[..., Stats]


@pytest.fixture
def normalize(engine: Engine, tmp_path: Path, configure: Callable[..., Setup]) -> Run:
    """Store raws and normalize everything pending with one long-lived normalizer."""
    normalizer = replay_normalizer(tmp_path / "data")

    def run(*raws: RawMessage) -> Stats:
        if raws:
            save_batch(engine, list(raws))
        return normalize_pending(engine, normalizer, batch_size=50)

    return run
