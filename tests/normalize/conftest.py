"""Helpers for normalizer tests: raw messages holding parsed Messages, a normalizer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from aduan.config.normalize import NormalizeSettings
from aduan.core.messages import Message, RawMessage
from aduan.daemon.normalize_job import normalize_pending
from aduan.normalize.pipeline import Normalizer
from aduan.normalize.readers import MESSAGE_JSON, Readers
from aduan.normalize.rows import Stats
from aduan.store import save_batch
from aduan.triage.writer import BatchTriage

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def raw(
    external_id: str,
    text: str,
    sender: str,
    *,
    channel: str = "sms",
    minutes: float = 0,
    meta: dict[str, Any] | None = None,
    **fields: Any,
) -> RawMessage:
    at = T0 + timedelta(minutes=minutes)
    message = Message(text=text, identities=(sender,), sent_at=at, **fields)
    return RawMessage(
        channel=channel,
        account="main",
        external_id=external_id,
        payload=message.model_dump_json().encode(),
        content_type=MESSAGE_JSON,
        received_at=at,
        meta=meta or {},
    )


Run = Callable[..., Stats]


def replay_normalizer(data_dir: Path | None = None) -> Normalizer:
    """A fresh normalizer with the default settings, the test readers and the rules' triage."""
    return Normalizer(NormalizeSettings(), Readers(), triage=BatchTriage, data_dir=data_dir)


@pytest.fixture
def normalize(engine: Engine, tmp_path: Path) -> Run:
    """Store raws and normalize everything pending with one long-lived normalizer."""
    normalizer = replay_normalizer(tmp_path / "data")

    def run(*raws: RawMessage) -> Stats:
        if raws:
            save_batch(engine, list(raws))
        return normalize_pending(engine, normalizer, batch_size=50)

    return run
