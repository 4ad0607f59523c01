"""The ``media`` job: files of stored messages fetched after intake (listed in :mod:`.jobs`).

Channels that are :class:`~aduan.channels.media.MediaSource` record a file by
its URL; the normalizer makes an ``attachments`` row of it with ``stored``
false. Every ``scheduler.media_seconds`` this job takes such rows of each of
those channels' instances (newest messages first, at most ``BATCH`` a run,
messages younger than the channel's ``media_retry_seconds()``), asks the
channel for the bytes, keeps them content-addressed (:mod:`aduan.store.blobs`)
and marks the row stored with its sha256 and size. A failed download leaves
the message and its row as they were:

* ``TransientError`` (network, 5xx, rate limit): that instance waits for the
  next run, which tries again;
* ``BadPayload`` (too large, refused, expired): not tried again by this
  process; logged without the URL (it may carry a signature).

One replica at a time runs it (a singleton job): two would fetch the same file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from aduan.channels.media import MediaSource
from aduan.core.clock import utcnow
from aduan.core.errors import BadPayload, TransientError
from aduan.core.logs import get_logger
from aduan.normalize.rows import attachments_table as attachments
from aduan.store.blobs import put_blob
from aduan.store.models import raw_messages

if TYPE_CHECKING:
    from aduan.runtime import Runtime

log = get_logger("aduan.media")
BATCH = 50
_given_up: set[tuple[str, int, str]] = set()
"""Attachment rows (by store, id and URL) whose file will never come: not asked again."""


@dataclass
class MediaStats:
    stored: int = 0
    waiting: int = 0
    given_up: int = 0


def run_media(runtime: Runtime, should_stop: Callable[[], bool]) -> MediaStats:
    stats = MediaStats()
    for (kind, name), channel in runtime.channels.items():
        if should_stop():
            break
        if isinstance(channel, MediaSource):
            fetch_for(runtime, kind, name, channel, should_stop, stats)
    if stats.stored or stats.given_up or stats.waiting:
        log.info("media_fetched", **vars(stats))
    return stats


def fetch_for(
    runtime: Runtime,
    kind: str,
    name: str,
    channel: MediaSource,
    should_stop: Callable[[], bool],
    stats: MediaStats,
) -> None:
    """One instance's pending files, until one cannot be had now (the rest wait too)."""
    since = utcnow() - timedelta(seconds=channel.media_retry_seconds())
    store = runtime.engine.url.render_as_string(hide_password=True)
    if len(_given_up) > 10_000:  # long gone from the window, mostly: ask the rest once more
        _given_up.clear()
    a, r = attachments.c, raw_messages.c
    query = (
        select(a.id, a.url)
        .join(raw_messages, r.id == a.raw_message_id)
        .where(
            r.channel == kind,
            r.account == name,
            r.received_at >= since,
            a.stored.is_(False),
            a.url.is_not(None),
        )
        .order_by(a.id.desc())
        .limit(BATCH + len(_given_up))
    )
    with runtime.engine.connect() as conn:
        rows = conn.execute(query).all()
    pending = [(row.id, row.url) for row in rows if (store, row.id, row.url) not in _given_up]
    for row_id, url in pending[:BATCH]:
        if should_stop():
            return
        try:
            data = channel.fetch_media(url)
        except TransientError as exc:
            stats.waiting += 1
            log.warning("media_waiting", channel=f"{kind}/{name}", error=str(exc)[:200])
            return
        except BadPayload as exc:
            _given_up.add((store, row_id, url))
            stats.given_up += 1
            log.warning("media_given_up", channel=f"{kind}/{name}", error=str(exc)[:200])
            continue
        digest = put_blob(runtime.settings.data_dir, data)
        with runtime.engine.begin() as conn:
            conn.execute(
                update(attachments)
                .where(a.id == row_id, a.stored.is_(False))
                .values(sha256=digest, size=len(data), stored=True)
            )
        stats.stored += 1
