"""The ``media`` job: files a channel named but did not send, fetched after intake.

Channels that are :class:`~aduan.channels.media.MediaSource` (WhatsApp's Cloud
API, Instagram) store their messages at once, their attachments recorded by URL
with ``stored`` false. Every ``scheduler.media_seconds`` (listed in
:mod:`aduan.daemon.jobs`) this job takes up to :data:`PER_RUN` such attachments
per channel instance, oldest first (only messages younger than the channel's
``media_retry_seconds()`` where it gives one), asks the instance for the bytes,
keeps them in the blob store (content-addressed) and marks the row stored with
its sha256 and size. Then:

* a transient failure (network, 5xx, rate limit) ends that instance's pass:
  the rows stay as they are and the next run tries again;
* a permanent one (gone, over ``max_attachment_bytes``, expired) puts
  ``failed:`` before the URL, so the job stops asking and operators see it; the
  message itself is never touched;
* a refused token ends the pass; the instance's health check pauses the channel
  and ``/healthz`` says why.

One replica at a time runs it (a singleton job): two would fetch the same file.
Errors are logged without the URL (it may carry a signature).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, select, update

from aduan.channels.base import Channel
from aduan.channels.media import MediaSource
from aduan.core.clock import utcnow
from aduan.core.errors import BadPayload, FatalChannelError, TransientError
from aduan.core.logs import get_logger
from aduan.store.blobs import put_blob
from aduan.store.models import AttachmentRow, raw_messages

if TYPE_CHECKING:
    from pathlib import Path

    from aduan.runtime import Runtime

log = get_logger("aduan.media")
attachments = AttachmentRow.__table__  # type: ignore[attr-defined]
PER_RUN = 50
FAILED = "failed:"


@dataclass
class MediaResult:
    stored: int = 0
    failed: int = 0
    waiting: int = 0

    @property
    def given_up(self) -> int:
        return self.failed


def _like_prefix(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"


def _pending(
    engine: Engine, channel: Channel, scheme: str, retry: float | None, limit: int
) -> list[tuple[int, str]]:
    a, r = attachments.c, raw_messages.c
    where: list[Any] = [
        r.channel == channel.type,
        r.account == channel.name,
        a.stored.is_(False),
        a.url.is_not(None),
        a.url.like(_like_prefix(scheme), escape="\\"),
        a.url.not_like(_like_prefix(FAILED), escape="\\"),
    ]
    if retry is not None:
        where.append(r.received_at >= utcnow() - timedelta(seconds=retry))
    query = (
        select(a.id, a.url)
        .join(raw_messages, r.id == a.raw_message_id)
        .where(*where)
        .order_by(a.id)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [(int(i), str(u)) for i, u in conn.execute(query)]


def _set(engine: Engine, row: int, **values: object) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(attachments)
            .where(attachments.c.id == row, attachments.c.stored.is_(False))
            .values(**values)
        )


def fetch_pending_media(
    engine: Engine,
    channels: list[Channel],
    data_dir: Path,
    should_stop: Callable[[], bool] = lambda: False,
    per_run: int = PER_RUN,
) -> MediaResult:
    """One pass over every media source's attachments still waiting for their bytes."""
    result = MediaResult()
    for channel in channels:
        if not isinstance(channel, MediaSource):
            continue
        key = f"{channel.type}/{channel.name}"
        pending = _pending(
            engine, channel, channel.media_scheme, channel.media_retry_seconds(), per_run
        )
        for row, url in pending:
            if should_stop():
                return result
            try:
                data = channel.fetch_media(url)
            except (TransientError, FatalChannelError) as exc:
                log.warning("media_fetch_later", channel=key, attachment=row, error=str(exc)[:200])
                result.waiting += 1
                break
            except BadPayload as exc:
                log.warning("media_fetch_failed", channel=key, attachment=row, error=str(exc)[:200])
                _set(engine, row, url=FAILED + url)
                result.failed += 1
                continue
            digest = put_blob(data_dir, data)  # before the row that names it
            _set(engine, row, sha256=digest, size=len(data), stored=True)
            result.stored += 1
    if result.stored or result.failed:
        log.info("media_fetched", stored=result.stored, failed=result.failed)
    return result


def run_media(runtime: Runtime, should_stop: Callable[[], bool]) -> MediaResult:
    return fetch_pending_media(
        runtime.engine, list(runtime.channels.values()), runtime.settings.data_dir, should_stop
    )
