"""Column types that behave the same on SQLite and PostgreSQL.

* :class:`UTCDateTime` — timezone-aware UTC in and out. SQLite keeps no zone
  and hands back naive datetimes; they are stored as UTC and re-attached here.
* :data:`JSONType` — JSON on SQLite, JSONB on PostgreSQL. Reassign values;
  in-place mutation of a loaded dict is not persisted.
* :data:`BigID` — 64-bit ids that still autoincrement on SQLite.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Dialect, Integer
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator

JSONType = JSON().with_variant(JSONB(), "postgresql")
BigID = BigInteger().with_variant(Integer(), "sqlite")

SQLITE_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
"""How SQLAlchemy writes datetimes into SQLite (naive UTC); raw sqlite3 writers use it too."""


def to_utc(value: datetime) -> datetime:
    """Aware UTC; a naive value is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def sqlite_text(value: datetime) -> str:
    """``value`` as SQLAlchemy stores it in SQLite (:data:`SQLITE_FORMAT`; isoformat is the
    same text at a fraction of strftime's cost, which bulk writes notice)."""
    return to_utc(value).replace(tzinfo=None).isoformat(" ", "microseconds")


class UTCDateTime(TypeDecorator[datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        value = to_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return to_utc(value)
