"""Exported mailboxes for ``aduan import --channel email PATH``: mbox, Maildir or one .eml.

Each message becomes the same :class:`RawMessage` a live IMAP fetch would make
(same key, see :mod:`aduan.channels.email.keys`), so importing a mailbox that
was also polled, or importing it twice, adds nothing.
"""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from aduan.core.errors import AduanError


def _maildir(path: Path) -> Iterator[tuple[bytes, datetime | None]]:
    box = mailbox.Maildir(str(path), factory=None, create=False)
    for key in sorted(box.keys()):
        try:
            message = box.get_message(key)
            when = datetime.fromtimestamp(message.get_date()).astimezone()
        except (OSError, ValueError, OverflowError):
            when = None
        yield box.get_bytes(key), when


def _mbox(path: Path) -> Iterator[tuple[bytes, datetime | None]]:
    box = mailbox.mbox(str(path), factory=None, create=False)
    try:
        for key in box.iterkeys():
            yield box.get_bytes(key), None
    finally:
        box.close()


def exported_messages(path: Path) -> Iterator[tuple[bytes, datetime | None]]:
    """(RFC 822 bytes, delivery time when the format keeps one) of each message at ``path``."""
    if path.is_dir():
        if not ((path / "cur").is_dir() or (path / "new").is_dir()):
            raise AduanError(f"{path}: a folder but not a Maildir (no cur/ or new/ inside)")
        yield from _maildir(path)
        return
    with path.open("rb") as handle:
        start = handle.read(5)
    if start == b"From ":
        yield from _mbox(path)
    else:
        yield path.read_bytes(), None  # a single message (.eml)
