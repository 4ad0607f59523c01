"""Attachments fetched after their message is stored (the WhatsApp Cloud API's media).

Some providers send a media id, not the file: downloading it inside the
webhook request would hold the provider's delivery (and the bytes cannot
follow the raw into the store, which keeps only the provider's payload). The
message is stored and read at once with an attachment whose URL is the
channel's own scheme (``whatsapp-media:<id>``); a periodic job
(:mod:`aduan.daemon.media_job`) asks the channel for the bytes, keeps them in
the blob store and marks the attachment stored. A failed download leaves it
for the next run.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class MediaSource(Protocol):
    """A channel instance that can fetch the files its attachments name."""

    media_scheme: str
    """The attachment URL prefix it fetches (``whatsapp-media:``)."""

    def fetch_media(self, url: str) -> bytes:
        """The file's bytes. Raises ``TransientError`` (try again later), ``BadPayload``
        (never: gone, too large) or ``FatalChannelError`` (the token is refused)."""
        ...
