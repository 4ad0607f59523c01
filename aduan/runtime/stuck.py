"""Is intake stuck? The queue's facts and the reasons ``/healthz`` says ``degraded``.

:func:`queue_facts` reads, in two indexed queries, how many raws are pending,
how old the oldest pending one is (since it was stored, ``fetched_at``) and
how many raws each channel instance has in quarantine. :func:`reasons` turns
those facts and the daemon's channel health into the operator's reasons:

* the oldest pending raw is older than ``health.stuck_cadences`` normalize
  cadences (the normalize job is not getting through);
* a channel failed ``health.failures`` times in a row, or is paused (a fatal
  error a person must fix).

Sample: ``["oldest pending raw is 95 s old (limit 30 s)",
"channel email/city failed 6 times in a row: 401 bad credentials"]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Connection, func, select

from aduan.core.clock import utcnow
from aduan.store.models import raw_messages

if TYPE_CHECKING:
    from aduan.config import Settings


@dataclass
class QueueFacts:
    pending: int = 0
    oldest_pending_seconds: float = 0.0
    quarantined: dict[str, int] = field(default_factory=dict)
    """``<type>/<account>`` -> raws in quarantine now."""

    def as_json(self) -> dict[str, object]:
        return {
            "pending": self.pending,
            "oldest_pending_seconds": round(self.oldest_pending_seconds, 3),
            "quarantined": dict(self.quarantined),
        }


def queue_facts(conn: Connection) -> QueueFacts:
    c = raw_messages.c
    pending = conn.execute(
        select(func.count()).select_from(raw_messages).where(c.status == "pending")
    ).scalar_one()
    oldest = None
    if pending:
        oldest = conn.execute(
            select(c.fetched_at).where(c.status == "pending").order_by(c.id).limit(1)
        ).scalar()
    age = 0.0
    if oldest is not None:
        when = oldest if oldest.tzinfo else oldest.replace(tzinfo=utcnow().tzinfo)
        age = max(0.0, (utcnow() - when).total_seconds())
    rows = conn.execute(
        select(c.channel, c.account, func.count())
        .where(c.status == "quarantined")
        .group_by(c.channel, c.account)
    ).all()
    return QueueFacts(int(pending), age, {f"{ch}/{acc}": int(n) for ch, acc, n in sorted(rows)})


def reasons(
    facts: QueueFacts | None, channels: dict[str, dict[str, object]], settings: Settings
) -> list[str]:
    """Why intake looks stuck; empty when it does not."""
    found = []
    if facts is not None:
        limit = settings.health.stuck_cadences * settings.scheduler.normalize_seconds
        if facts.pending and facts.oldest_pending_seconds > limit:
            found.append(
                f"oldest pending raw is {facts.oldest_pending_seconds:.0f} s old "
                f"(limit {limit:g} s)"
            )
    for key, entry in channels.items():
        failures = int(str(entry.get("consecutive_failures") or 0))
        if entry.get("state") == "paused":
            found.append(f"channel {key} is paused: {entry.get('last_error')}")
        elif entry.get("state") == "failing":
            found.append(f"channel {key} is failing: {entry.get('last_error')}")
        elif failures >= settings.health.failures:
            found.append(
                f"channel {key} failed {failures} times in a row: {entry.get('last_error')}"
            )
    return found
