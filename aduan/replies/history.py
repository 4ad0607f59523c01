"""What was sent to a complaint's reporter, for the case page: event, channel, status, time.

Read from the ``outbox`` table (:mod:`aduan.store.models`); the recipient is
shown masked (``tel:…2345``), the text as it was queued.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from aduan.core.privacy import mask_identity
from aduan.store.models import outbox


def sent(conn: Connection, complaint_id: int) -> list[dict[str, Any]]:
    """The complaint's outbox rows, oldest first."""
    c = outbox.c
    rows = conn.execute(
        select(c.event, c.channel, c.recipient, c.text, c.status, c.created_at)
        .where(c.complaint_id == complaint_id)
        .order_by(c.id)
    ).all()
    return [
        {
            "event": str(r.event).split(":", 1)[0],
            "channel": r.channel,
            "recipient": mask_identity(r.recipient),
            "text": r.text,
            "status": r.status,
            "at": r.created_at,
        }
        for r in rows
    ]
