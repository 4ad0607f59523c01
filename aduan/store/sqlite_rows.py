"""Raw rows into a SQLite connection, with nothing but the standard library.

The insert-or-ignore of the webhook sink's writer (:mod:`aduan.store.sqlite_raw`),
shared by its two homes: the writer thread, and the child process that commits
for it (:mod:`aduan.store.intake_child`), which must start in milliseconds and so
imports neither SQLAlchemy nor pydantic. A row arrives as a :data:`Row` of plain
values, already in the store's encodings (datetimes as SQLAlchemy's naive UTC
text, ``meta`` as JSON); its SHA-256 is taken here.

A batch of new rows goes in with a few multi-row INSERTs, each one
``sqlite3_step`` run without the GIL (an ``executemany`` steps, and takes the
GIL back, once a row). A batch holding a duplicate or a row that breaks a
constraint is undone to a savepoint and inserted one statement a row, so that
the bad row fails alone (SQLite backs out that statement, the transaction goes
on) and the good rows are kept.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from functools import lru_cache
from hashlib import sha256

Row = tuple[str, str, str, str, bytes, str, str]
"""channel, account, external_id, received_at (SQLite text), payload, content_type, meta
(JSON)."""

Outcome = int | str
"""What became of a row: its new id (> 0), 0 when it was already stored, or why it was
rejected (text)."""

COLUMNS = (
    "channel",
    "account",
    "external_id",
    "received_at",
    "fetched_at",
    "payload",
    "content_type",
    "content_hash",
    "meta",
)
_ROW = f"({', '.join('?' * len(COLUMNS))}, 'pending', 0)"
_HEAD = f"INSERT INTO raw_messages ({', '.join(COLUMNS)}, status, attempts) VALUES "
_CONFLICT = " ON CONFLICT (channel, account, external_id) DO NOTHING"
INSERT = _HEAD + _ROW + _CONFLICT
LARGEST_INSERT = 256
"""The most rows one statement of :func:`_insert_all` holds (9 values a row: far below
SQLite's limit on bound values)."""


def first_line(exc: BaseException) -> str:
    """An error's first line, or its type's name when it has no text."""
    return (str(exc).splitlines() or [type(exc).__name__])[0]


@lru_cache(maxsize=16)
def insert_rows(rows: int) -> str:
    """One INSERT of ``rows`` rows."""
    return _HEAD + ", ".join([_ROW] * rows) + _CONFLICT


def chunks(total: int) -> Iterator[tuple[int, int]]:
    """``(start, size)`` pieces of ``total`` rows whose sizes are powers of two, largest
    first: a batch of any size goes in with a few statements of a few distinct texts, each
    prepared once and kept by the driver's statement cache."""
    start, size = 0, LARGEST_INSERT
    while start < total:
        while size > total - start:
            size //= 2
        yield start, size
        start += size


def _values(row: Row, fetched_at: str) -> tuple[object, ...]:
    channel, account, external_id, received_at, payload, content_type, meta = row
    return (
        channel,
        account,
        external_id,
        received_at,
        fetched_at,
        payload,
        content_type,
        sha256(payload).hexdigest(),
        meta,
    )


def commit(conn: sqlite3.Connection, rows: Sequence[Row], fetched_at: str) -> list[Outcome]:
    """Insert-or-ignore ``rows`` in one ``BEGIN IMMEDIATE`` ... ``COMMIT`` on ``conn`` (in
    autocommit mode); ``sqlite3.Error`` when the database cannot be written (nothing is)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        outcomes = insert(conn, rows, fetched_at)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return outcomes


def insert(conn: sqlite3.Connection, rows: Sequence[Row], fetched_at: str) -> list[Outcome]:
    """Insert-or-ignore ``rows`` inside the caller's transaction on ``conn``.

    A batch of new, valid rows (the usual webhook batch) goes in with multi-row INSERTs;
    their ids are the ones SQLite hands out in order, which the rowid range confirms.
    """
    return _insert_all(conn, rows, fetched_at) or _insert_each(conn, rows, fetched_at)


def _insert_all(
    conn: sqlite3.Connection, rows: Sequence[Row], fetched_at: str
) -> list[Outcome] | None:
    """All of ``rows`` as new rows, or None (and nothing written) when that is not so."""
    values: list[object] = []  # row after row, len(COLUMNS) values a row
    try:
        for row in rows:
            values.extend(_values(row, fetched_at))
    except (TypeError, ValueError):
        return None  # a value that cannot be bound: the row-by-row path names it
    width = len(COLUMNS)
    conn.execute("SAVEPOINT raws")
    try:
        top = conn.execute("SELECT max(rowid) FROM raw_messages").fetchone()[0] or 0
        inserted = 0
        for start, size in chunks(len(rows)):
            chunk = values[start * width : (start + size) * width]
            inserted += conn.execute(insert_rows(size), chunk).rowcount
        last = conn.execute("SELECT last_insert_rowid()").fetchone()[0]
    except sqlite3.OperationalError:
        raise
    except (sqlite3.Error, TypeError, ValueError):
        inserted, last = -1, 0
    if inserted != len(rows) or last != top + len(rows):
        conn.execute("ROLLBACK TO raws")
        conn.execute("RELEASE raws")
        return None
    conn.execute("RELEASE raws")
    return list(range(top + 1, top + 1 + len(rows)))


def _insert_each(conn: sqlite3.Connection, rows: Sequence[Row], fetched_at: str) -> list[Outcome]:
    """One statement a row: a row that breaks a constraint fails alone."""
    outcomes: list[Outcome] = []
    cursor = conn.cursor()
    for row in rows:
        try:
            cursor.execute(INSERT, _values(row, fetched_at))
        except sqlite3.OperationalError:
            raise
        except (sqlite3.Error, TypeError, ValueError) as exc:
            # A constraint (NOT NULL...) or a value the driver cannot bind: SQLite
            # backed out this statement only; the transaction and the other rows stand.
            outcomes.append(first_line(exc))
            continue
        inserted = cursor.rowcount == 1 and cursor.lastrowid is not None
        outcomes.append(cursor.lastrowid if inserted and cursor.lastrowid else 0)
    cursor.close()
    return outcomes
