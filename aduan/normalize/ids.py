"""Primary keys handed out before insert, so one batch can link its rows in one pass.

On SQLite the write transaction (``BEGIN IMMEDIATE``) holds the only writer,
so ``max(id) + 1`` is safe; on PostgreSQL ids come from the table's own
sequence, ``n`` at a time, which is safe for several replicas.
"""

from __future__ import annotations

from sqlalchemy import Connection, text


class IdAllocator:
    def __init__(self, table: str) -> None:
        self.table = table
        self._next: int | None = None

    def begin(self, conn: Connection) -> None:
        """Start a transaction's allocation (SQLite re-reads the table's max)."""
        self._conn = conn
        if conn.dialect.name == "sqlite":
            self._next = (
                int(
                    conn.execute(
                        text(f"SELECT coalesce(max(id), 0) FROM {self.table}")
                    ).scalar_one()
                )
                + 1
            )
        else:
            self._next = None
        self._cache: list[int] = []

    def take(self, count: int = 1) -> list[int]:
        if self._next is not None:
            first = self._next
            self._next += count
            return list(range(first, first + count))
        if len(self._cache) < count:
            rows = self._conn.execute(
                text(
                    "SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"
                ),
                {"t": self.table, "n": max(count, 100)},
            ).scalars()
            self._cache.extend(int(r) for r in rows)
        taken, self._cache = self._cache[:count], self._cache[count:]
        return taken
