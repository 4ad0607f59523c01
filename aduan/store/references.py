"""Human-friendly reference numbers: ``ADU-2026-000123``, unique and never reused.

Numbers come from the ``counters`` table (one row per prefix and year) and
are never decremented, so a number handed out is never handed out again,
even when its transaction is the only thing that used it.

Channels that must answer at once (the walk-in desk, Open311) reserve a
reference at intake and put it in the raw message's ``meta["reference"]``;
the normalizer gives that reference to the complaint it creates from that
raw, or records it on the source when the raw joins an existing complaint.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import Connection, Engine, select

from aduan.core.clock import utcnow
from aduan.core.messages import RawMessage
from aduan.store.models import Counter
from aduan.store.raw import upsert_statement

counters = Counter.__table__  # type: ignore[attr-defined]


def format_reference(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:06d}"


def allocate(conn: Connection, prefix: str, year: int, count: int = 1) -> list[str]:
    """Reserve ``count`` consecutive references inside the caller's transaction."""
    name = f"{prefix}-{year}"
    stmt = upsert_statement(conn, counters).values(name=name, value=count)
    stmt = stmt.on_conflict_do_update(
        index_elements=["name"], set_={"value": counters.c.value + count}
    )
    conn.execute(stmt)
    last = conn.execute(select(counters.c.value).where(counters.c.name == name)).scalar_one()
    return [format_reference(prefix, year, n) for n in range(last - count + 1, last + 1)]


def with_references(
    engine: Engine, raws: Sequence[RawMessage], wanted: Callable[[RawMessage], bool]
) -> list[RawMessage]:
    """``raws`` where each ``wanted`` one (without a reference yet) has one reserved."""
    chosen = [i for i, raw in enumerate(raws) if "reference" not in raw.meta and wanted(raw)]
    if not chosen:
        return list(raws)
    with engine.begin() as conn:
        numbers = allocate(conn, "ADU", utcnow().year, len(chosen))
    out = list(raws)
    for index, reference in zip(chosen, numbers, strict=True):
        raw = out[index]
        out[index] = dataclasses.replace(raw, meta={**raw.meta, "reference": reference})
    return out


def reserve_reference(engine: Engine, when: datetime, prefix: str = "ADU") -> str:
    """One new reference, committed at once (for intake that must answer immediately)."""
    with engine.begin() as conn:
        return allocate(conn, prefix, when.year)[0]
