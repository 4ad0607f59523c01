"""Polling a pull channel into the raw archive: fetch, store with cursor, acknowledge.

The cursor is read from the store, the channel fetches what follows it, and
the rows and the new cursor are committed together (:func:`save_batch`). Only
then is the channel told (``acknowledge``: mark mail seen, move it). A crash
anywhere repeats at most the last fetch, which the unique key absorbs.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from aduan.channels.base import PullChannel
from aduan.core.logs import get_logger
from aduan.store import read_cursor, save_batch
from aduan.store.blobs import put_blob
from aduan.store.references import with_references

log = get_logger("aduan.ingest")


@dataclass
class PollResult:
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    batches: int = 0


def poll_channel(
    engine: Engine,
    channel: PullChannel,
    *,
    limit: int | None = None,
    max_batches: int = 1_000,
    should_stop: object = None,
) -> PollResult:
    """Fetch until the channel has nothing more (or ``max_batches``); return the counts."""
    result = PollResult()
    size = limit or channel.config.batch_size
    for _ in range(max_batches):
        if callable(should_stop) and should_stop():
            break
        cursor = read_cursor(engine, channel.type, channel.name)
        batch = channel.fetch(cursor, size)
        for data in batch.blobs.values():  # before the rows that name them
            put_blob(channel.context.data_dir, data)
        batch.messages = with_references(engine, batch.messages, channel.wants_reference)
        saved = save_batch(engine, batch.messages, (channel.type, channel.name, batch.next_cursor))
        channel.acknowledge(batch)
        result.batches += 1
        result.fetched += len(batch.messages)
        result.stored += len(saved.new)
        result.duplicates += len(saved.duplicates)
        result.rejected += len(saved.rejected)
        for raw, error in saved.rejected:
            log.error("raw_rejected", channel=raw.channel, account=raw.account, error=error)
        if not batch.more:
            break
    if result.fetched:
        log.info(
            "polled",
            channel=channel.type,
            account=channel.name,
            fetched=result.fetched,
            stored=result.stored,
            duplicates=result.duplicates,
        )
    return result
