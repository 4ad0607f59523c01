"""Reporters: the person behind identities, linked across channels, merges recorded.

Every identity of one message belongs to one person: the sender's own
(``tel:``, ``telegram:``...), those the message proves (a Telegram contact
share, a walk-in entry with NIK and phone: ``Message.linked_identities``) and
the phone numbers the sender writes in the text (an email signature, "bisa WA
saya di 0812..."). When these identities already belong to two reporters,
the two are merged: the older one is kept, the other gets ``merged_into_id``
and its identities move; a ``reporter_merges`` row records who, why, from
which raw message and which identities moved, so ``aduan reporter split``
can undo it.

The book caches identity -> reporter in memory and asks the store only for
identities it has not seen (one query per batch).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from aduan.core.identity import reporter_key
from aduan.normalize.ids import IdAllocator
from aduan.store.bulk import insert_rows
from aduan.store.models import AuditEntry, Reporter, ReporterIdentity, ReporterMerge

reporters_table = Reporter.__table__  # type: ignore[attr-defined]
identities_table = ReporterIdentity.__table__  # type: ignore[attr-defined]
merges_table = ReporterMerge.__table__  # type: ignore[attr-defined]


IDENTITY_CACHE = 50_000
"""Identities remembered between batches; beyond that the cache starts afresh. A week's
window at a city desk's pace (~20,000 complaints) meets about 25,000; each costs ~140 bytes
(200,000 held ~28 MB of a year's replay), and a batch after a fresh start asks the store
for its own identities in a few queries."""


@dataclass
class ReporterBook:
    identity: dict[str, int] = field(default_factory=dict)
    merged_into: dict[int, int] = field(default_factory=dict)
    new_reporters: list[dict[str, Any]] = field(default_factory=list)
    new_identities: list[dict[str, Any]] = field(default_factory=list)
    ids: IdAllocator = field(default_factory=lambda: IdAllocator("reporters"))
    merges: int = 0

    def begin(self, conn: Connection) -> None:
        self.conn = conn
        self.ids.begin(conn)
        if len(self.identity) > IDENTITY_CACHE:
            self.identity.clear()  # a cache: each batch prefetches what it needs again

    def prefetch(self, identities: Iterable[str]) -> None:
        missing = {i for i in identities if i not in self.identity}
        if not missing:
            return
        chunk = list(missing)
        for start in range(0, len(chunk), 500):
            for ident, rid, merged in self._owners(chunk[start : start + 500]):
                self.identity[ident] = rid
                if merged is not None:
                    self.merged_into[rid] = merged

    def _owners(self, identities: list[str]) -> Sequence[Any]:
        """(identity, reporter, merged into) of the stored ones among ``identities``."""
        if self.conn.dialect.name == "sqlite":
            # Core's expanding IN costs ~1 µs a value; every message brings one or two.
            marks = ", ".join("?" * len(identities))
            return self.conn.exec_driver_sql(
                "SELECT i.identity, i.reporter_id, r.merged_into_id FROM reporter_identities i"
                f" JOIN reporters r ON r.id = i.reporter_id WHERE i.identity IN ({marks})",
                tuple(identities),
            ).all()
        return self.conn.execute(
            select(
                identities_table.c.identity,
                identities_table.c.reporter_id,
                reporters_table.c.merged_into_id,
            )
            .join(reporters_table, reporters_table.c.id == identities_table.c.reporter_id)
            .where(identities_table.c.identity.in_(identities))
        ).all()

    def canonical(self, rid: int) -> int:
        seen = 0
        while rid in self.merged_into and seen < 50:
            rid = self.merged_into[rid]
            seen += 1
        return rid

    def resolve(
        self,
        identities: list[str],
        *,
        display_name: str | None,
        raw_id: int,
        at: datetime,
    ) -> int | None:
        """The (canonical) reporter of these identities; creates, extends or merges."""
        if not identities:
            return None
        owners: list[int] = []
        for ident in identities:
            rid = self.identity.get(ident)
            if rid is not None:
                canon = self.canonical(rid)
                if canon not in owners:
                    owners.append(canon)
        if not owners:
            rid = self.ids.take()[0]
            self.new_reporters.append(
                {
                    "id": rid,
                    "key": reporter_key(rid),
                    "display_name": display_name,
                    "created_at": at,
                    "merged_into_id": None,
                }
            )
            kept = rid
        else:
            kept = min(owners)
            for other in sorted(set(owners) - {kept}):
                self._merge(kept, other, identities, raw_id, at)
        for ident in identities:
            if ident not in self.identity:
                self.identity[ident] = kept
                self.new_identities.append(
                    {
                        "identity": ident,
                        "reporter_id": kept,
                        "created_at": at,
                        "raw_message_id": raw_id,
                    }
                )
        return kept

    def _merge(self, kept: int, merged: int, proof: list[str], raw_id: int, at: datetime) -> None:
        self.flush()
        moved = [
            str(i)
            for i in self.conn.execute(
                select(identities_table.c.identity).where(identities_table.c.reporter_id == merged)
            ).scalars()
        ]
        self.conn.execute(
            update(identities_table)
            .where(identities_table.c.reporter_id == merged)
            .values(reporter_id=kept)
        )
        self.conn.execute(
            update(reporters_table)
            .where(reporters_table.c.id == merged)
            .values(merged_into_id=kept)
        )
        self.conn.execute(
            merges_table.insert().values(
                at=at,
                kept_id=kept,
                merged_id=merged,
                reason="identities in one message: "
                + ", ".join(sorted(p.split(":")[0] for p in proof)),
                raw_message_id=raw_id,
                identities=moved,
            )
        )
        for ident in moved:
            self.identity[ident] = kept
        self.merged_into[merged] = kept
        self.merges += 1

    def flush(self) -> None:
        insert_rows(self.conn, reporters_table, self.new_reporters)
        self.new_reporters = []
        insert_rows(self.conn, identities_table, self.new_identities)
        self.new_identities = []

    def forget(self) -> None:
        """Drop the cache (after a rolled-back transaction, or another process's split)."""
        self.identity.clear()
        self.merged_into.clear()
        self.new_reporters = []
        self.new_identities = []


class SplitError(ValueError):
    """The merge cannot be undone (unknown, or already undone)."""


def split_merge(conn: Connection, merge_id: int, actor: str, at: datetime) -> dict[str, Any]:
    """Undo merge ``merge_id``: its identities go back to the merged reporter."""
    row = conn.execute(select(merges_table).where(merges_table.c.id == merge_id)).first()
    if row is None:
        raise SplitError(f"no reporter merge {merge_id}")
    if row.undone_at is not None:
        raise SplitError(f"merge {merge_id} was already undone at {row.undone_at:%Y-%m-%d %H:%M}")
    moved = list(row.identities or [])
    if moved:
        conn.execute(
            update(identities_table)
            .where(identities_table.c.identity.in_(moved))
            .values(reporter_id=row.merged_id)
        )
    conn.execute(
        update(reporters_table)
        .where(reporters_table.c.id == row.merged_id)
        .values(merged_into_id=None)
    )
    conn.execute(
        update(merges_table)
        .where(merges_table.c.id == merge_id)
        .values(undone_at=at, undone_by=actor)
    )
    details = {
        "merge_id": merge_id,
        "kept_id": row.kept_id,
        "merged_id": row.merged_id,
        "identities": len(moved),
    }
    conn.execute(
        AuditEntry.__table__.insert().values(  # type: ignore[attr-defined]
            at=at,
            actor=actor,
            action="reporter_split",
            subject=f"reporter:{row.merged_id}",
            details=details,
        )
    )
    return details
