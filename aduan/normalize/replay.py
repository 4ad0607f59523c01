"""Replay: normalize stored raw messages again, in time order, with today's rules.

The result equals a first run: a raw message that already fed a complaint
keeps its place (its complaint, its reference number); the complaint's
derived fields (clean text, triage) are refreshed from its first source,
through the normalizer's triage writer: a human's triage is kept (counted
as ``manual_kept``), a changed one is recorded as a decision by ``replay``;
raws never normalized, quarantined or ignored are normalized afresh.
``dry_run`` does all the work inside a transaction that is rolled back and
reports what would change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Select, func, select, tuple_
from sqlalchemy.sql.elements import ColumnElement

from aduan.core import heap
from aduan.normalize.pipeline import Normalizer
from aduan.normalize.reading import RAW_COLUMNS, to_stored
from aduan.normalize.rows import Stats
from aduan.store.models import raw_messages


@dataclass(frozen=True)
class Slice:
    channel: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def where(self) -> list[ColumnElement[bool]]:
        cond: list[ColumnElement[bool]] = []
        if self.channel:
            cond.append(raw_messages.c.channel == self.channel)
        if self.since:
            cond.append(raw_messages.c.received_at >= self.since)
        if self.until:
            cond.append(raw_messages.c.received_at < self.until)
        cond.append(raw_messages.c.status != "waiting")
        return cond


def count(engine: Engine, part: Slice) -> int:
    with engine.connect() as conn:
        query = select(func.count()).select_from(raw_messages).where(*part.where())
        return int(conn.execute(query).scalar_one())


def page_query(part: Slice, batch: int, after: tuple[datetime, int] | None) -> Select[Any]:
    """The next ``batch`` raws of ``part`` in time order, after the ``(received_at, id)``
    of the last page's last row."""
    cond = part.where()
    if after is not None:
        # A row value, so both databases walk ix_raw_received_id instead of scanning.
        cond.append(tuple_(raw_messages.c.received_at, raw_messages.c.id) > tuple_(*after))
    return (
        select(*RAW_COLUMNS)
        .where(*cond)
        .order_by(raw_messages.c.received_at, raw_messages.c.id)
        .limit(batch)
    )


def _keyset(
    engine: Engine, part: Slice, batch: int, shared: Connection | None
) -> Iterator[Sequence[Any]]:
    last: tuple[datetime, int] | None = None
    while True:
        query = page_query(part, batch, last)
        if shared is not None:
            rows = shared.execute(query).all()
        else:
            with engine.connect() as conn:
                rows = conn.execute(query).all()
        if not rows:
            return
        yield rows
        last = (rows[-1].received_at, rows[-1].id)


def replay(
    engine: Engine,
    normalizer: Normalizer,
    part: Slice,
    *,
    batch_size: int = 2000,
    dry_run: bool = False,
    progress: Callable[[int], None] = lambda n: None,
) -> Stats:
    """Normalize the slice again in time order; one transaction per batch."""
    total = Stats()
    dry = engine.connect() if dry_run else None
    outer = dry.begin() if dry is not None else None
    try:
        for rows in _keyset(engine, part, batch_size, dry):
            batch = [to_stored(r) for r in rows]
            if dry is not None:
                total.add(normalizer.process(dry, batch))
            else:
                with engine.begin() as conn:
                    total.add(normalizer.process(conn, batch))
            heap.settle()
            progress(len(rows))
    except BaseException:
        normalizer.forget()
        raise
    finally:
        if outer is not None and dry is not None:
            outer.rollback()
            dry.close()
            normalizer.forget()
    return total
