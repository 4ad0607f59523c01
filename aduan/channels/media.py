"""Channels whose files are fetched after intake, by the URL their payload gave.

A webhook must be answered at once, so a push channel does not download
attachments while answering: ``read`` records each file's URL, the normalizer
makes an ``attachments`` row of it (``stored`` false), and the daemon's media
job (:mod:`aduan.daemon.media_job`) asks the channel for the bytes, keeps them
content-addressed and marks the row stored. A channel takes part by having:

* ``fetch_media(url) -> bytes`` — at most ``max_attachment_bytes``; raises
  :class:`~aduan.core.errors.TransientError` when a later try may work (network,
  5xx, rate limit) and :class:`~aduan.core.errors.BadPayload` when none will
  (too large, refused, not an http(s) URL);
* ``media_retry_seconds()`` — how long after the message arrived its files
  are still tried (providers' file URLs expire).

Sample: Instagram's ``https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=...``.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class MediaSource(Protocol):
    def fetch_media(self, url: str) -> bytes:
        """The file's bytes; ``TransientError`` (try later) or ``BadPayload`` (never)."""
        ...

    def media_retry_seconds(self) -> float:
        """How long after a message arrived its files are still tried."""
        ...


__all__ = ["MediaSource"]
