"""What was sent to a complaint's reporter, for the case page: event, channel, status, time.

Read straight from the ``outbox`` table's documented columns; the recipient is
shown masked (``tel:…2345``), the text as it was queued.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, column, select, table

from aduan.core.privacy import mask_identity
from aduan.store.types import UTCDateTime

_outbox = table(
    "outbox",
    column("id"),
    column("complaint_id"),
    column("event"),
    column("channel"),
    column("recipient"),
    column("text"),
    column("status"),
    column("created_at", UTCDateTime()),
)


def sent(conn: Connection, complaint_id: int) -> list[dict[str, Any]]:
    """The complaint's outbox rows, oldest first."""
    rows = conn.execute(
        select(_outbox).where(_outbox.c.complaint_id == complaint_id).order_by(_outbox.c.id)
    ).all()
    return [
        {
            "event": str(r.event).split(":", 1)[0],
            "channel": r.channel,
            "recipient": mask_identity(r.recipient),
            "text": r.text,
            "status": r.status,
            "at": r.created_at if isinstance(r.created_at, datetime) else None,
        }
        for r in rows
    ]
