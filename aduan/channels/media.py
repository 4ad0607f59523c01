"""Attachments fetched after their message is stored (WhatsApp's media ids, Instagram's file URLs).

A webhook must be answered at once, and some providers send a media id, not
the file: the channel stores and reads the message at once with an attachment
whose URL names the file (``whatsapp-media:<id>``,
``https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=...``) and ``stored``
false; the daemon's media job (:mod:`aduan.daemon.media_job`) asks the channel
for the bytes, keeps them content-addressed and marks the row stored. A channel
takes part by having:

* ``fetch_media(url) -> bytes`` — at most ``max_attachment_bytes``; raises
  :class:`~aduan.core.errors.TransientError` when a later try may work (network,
  5xx, rate limit), :class:`~aduan.core.errors.BadPayload` when none will (gone,
  too large, refused, not a URL it fetches) and
  :class:`~aduan.core.errors.FatalChannelError` when the token is refused;
* ``media_scheme`` — the URL prefix it fetches (``""``: any);
* ``media_retry_seconds()`` — how long after the message arrived its files are
  still tried (providers' file URLs expire; ``None``: until they fail).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class MediaSource(Protocol):
    """A channel instance that can fetch the files its attachments name."""

    media_scheme: str

    def fetch_media(self, url: str) -> bytes:
        """The file's bytes; ``TransientError`` (try later), ``BadPayload`` (never) or
        ``FatalChannelError`` (the token is refused: try later, the channel pauses)."""
        ...

    def media_retry_seconds(self) -> float | None:
        """How long after its message a file is still tried; ``None``: until it fails."""
        ...


__all__ = ["MediaSource"]
