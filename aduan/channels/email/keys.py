"""The archive key of an email: Message-ID plus a content hash, or the hash alone.

IMAP UIDs are only meaningful under one UIDVALIDITY; when a folder is rebuilt
every message comes back under new UIDs. Keying raw rows by what the message
*is* (``<message-id>#sha256:<first 32 hex of the bytes>``) lets the archive's
unique key ``(channel, account, external_id)`` absorb that re-read, a copy in
a second folder, a move, and an ``aduan import`` of the same mailbox. A
message without a Message-ID is keyed ``sha256:<hex>`` alone.

The header is found with a small scan, without parsing the message.
"""

from __future__ import annotations

import hashlib
import re

_MESSAGE_ID = re.compile(rb"^message-id[ \t]*:[ \t]*((?:.*)(?:\r?\n[ \t]+.*)*)", re.I | re.M)
_HEADER_END = re.compile(rb"\r?\n\r?\n")
MAX_ID = 300


def header_block(payload: bytes) -> bytes:
    end = _HEADER_END.search(payload)
    return payload[: end.start()] if end else payload


def message_id_of(payload: bytes) -> str | None:
    """The Message-ID header's value (stripped, unfolded), or None."""
    found = _MESSAGE_ID.search(header_block(payload))
    if not found:
        return None
    value = b" ".join(found.group(1).split()).decode("ascii", "replace").strip()
    if not value or len(value) > MAX_ID:
        return None
    return value


def external_id(payload: bytes) -> str:
    """``<message-id>#sha256:<32 hex>`` or ``sha256:<64 hex>``.

    The hash is over the bytes with CRLF made LF, so the same message read over
    IMAP (CRLF) and from an exported mbox (LF) gets one key.
    """
    digest = hashlib.sha256(payload.replace(b"\r\n", b"\n")).hexdigest()
    message_id = message_id_of(payload)
    if message_id is None:
        return f"sha256:{digest}"
    return f"{message_id}#sha256:{digest[:32]}"
