"""The ``media-fetch`` job: files a channel names but did not send, fetched after the fact.

A channel that is a :class:`~aduan.channels.media.MediaSource` (the WhatsApp
Cloud API) stores its messages at once, their attachments recorded with the
channel's URL scheme (``whatsapp-media:<id>``) and ``stored`` false. This
job (every 30 s, listed in :mod:`aduan.daemon.jobs`) takes up to
:data:`PER_RUN` such attachments per channel instance, oldest first, asks the
instance for the bytes, keeps them in the blob store (content-addressed) and
marks the row stored with its sha256 and size. Then:

* a transient failure (network, 5xx, rate limit) ends that instance's pass:
  the rows stay as they are and the next run tries again;
* a permanent one (the medium is gone, over ``max_attachment_bytes``) puts
  ``failed:`` before the URL, so the job stops asking and operators see it;
* a refused token ends the pass; the instance's poll pauses the channel and
  ``/healthz`` says why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Engine, select, update

from aduan.channels.base import Channel
from aduan.channels.media import MediaSource
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


def _pending(engine: Engine, channel: Channel, scheme: str, limit: int) -> list[tuple[int, str]]:
    a, r = attachments.c, raw_messages.c
    query = (
        select(a.id, a.url)
        .join(raw_messages, r.id == a.raw_message_id)
        .where(
            r.channel == channel.type,
            r.account == channel.name,
            a.stored.is_(False),
            a.url.like(scheme.replace("%", r"\%").replace("_", r"\_") + "%", escape="\\"),
        )
        .order_by(a.id)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [(int(i), str(u)) for i, u in conn.execute(query)]


def _set(engine: Engine, row: int, **values: object) -> None:
    with engine.begin() as conn:
        conn.execute(update(attachments).where(attachments.c.id == row).values(**values))


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
        for row, url in _pending(engine, channel, channel.media_scheme, per_run):
            if should_stop():
                return result
            try:
                data = channel.fetch_media(url)
            except TransientError as exc:
                log.warning("media_fetch_later", channel=key, attachment=row, error=str(exc))
                result.waiting += 1
                break
            except FatalChannelError as exc:
                log.error("media_fetch_refused", channel=key, error=str(exc))
                result.waiting += 1
                break
            except BadPayload as exc:
                log.warning("media_fetch_failed", channel=key, attachment=row, error=str(exc))
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
