"""Full-text search over the complaint text, on SQLite (FTS5) and PostgreSQL (tsvector).

* SQLite: ``complaints_fts``, an FTS5 table over ``complaints.text`` (external
  content: it keeps only the index), tokenizer ``unicode61 remove_diacritics 2``,
  kept in step by three triggers on ``complaints`` (insert, delete, update of
  ``text``) so every writer — the normalizer's bulk path, the CLI, an analyst's
  SQL — keeps it right. A migration that rebuilds ``complaints`` with
  ``batch_alter_table`` drops the triggers with the old table: it must create
  them again (:data:`SQLITE_DDL`) and ``rebuild`` the index.
* PostgreSQL: a GIN index on ``to_tsvector('indonesian'::regconfig, text)``
  (Snowball's Indonesian stemmer: ``berlubang`` and ``lubangnya`` both give
  ``lubang``); queries use that exact expression so the index serves them.

A search is a few words typed by a clerk; each becomes a prefix term, all
must match (``lampu mati`` finds "Lampunya mati sejak kemarin"). Anything but
letters and digits is dropped, so no input is a syntax error in either
query language.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, func, literal_column, select, text
from sqlalchemy.sql.elements import ColumnClause

FTS_TABLE = "complaints_fts"
PG_INDEX = "ix_complaints_fts"
NOT_MODELLED = frozenset(
    {
        FTS_TABLE,
        f"{FTS_TABLE}_data",
        f"{FTS_TABLE}_idx",
        f"{FTS_TABLE}_docsize",
        f"{FTS_TABLE}_config",
        PG_INDEX,
    }
)
"""Schema objects the migrations make but the models do not describe (schema comparisons
skip them)."""

MAX_TERMS = 8
_WORD = re.compile(r"[^\W_]+", re.UNICODE)

SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
    "text, content='complaints', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER {FTS_TABLE}_ai AFTER INSERT ON complaints BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, text) VALUES (new.id, new.text); END",
    f"CREATE TRIGGER {FTS_TABLE}_ad AFTER DELETE ON complaints BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text) VALUES ('delete', old.id, old.text); END",
    f"CREATE TRIGGER {FTS_TABLE}_au AFTER UPDATE OF text ON complaints BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text) VALUES ('delete', old.id, old.text); "
    f"INSERT INTO {FTS_TABLE}(rowid, text) VALUES (new.id, new.text); END",
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
)
SQLITE_DROP = (
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_au",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ad",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ai",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
)
PG_CONFIG = "'indonesian'::regconfig"
PG_DDL = (
    f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON complaints "
    f"USING gin (to_tsvector({PG_CONFIG}, text))",
)
PG_DROP = (f"DROP INDEX IF EXISTS {PG_INDEX}",)


def terms(query: str) -> list[str]:
    """The words of a clerk's search, lower-cased, at most :data:`MAX_TERMS`."""
    return [word.lower() for word in _WORD.findall(query)][:MAX_TERMS]


def matches(
    dialect: str,
    id_column: ColumnClause[int] | ColumnElement[int],
    text_column: ColumnElement[str],
    words: list[str],
) -> ColumnElement[bool]:
    """The condition "the complaint's text has every word of ``words`` (as prefixes)"."""
    if dialect == "sqlite":
        expression = " ".join(f'"{word}"*' for word in words)
        rowid: ColumnClause[int] = literal_column("rowid")
        found = (
            select(rowid)
            .select_from(text(FTS_TABLE))
            .where(literal_column(FTS_TABLE).op("MATCH")(expression))
        )
        return id_column.in_(found)
    if dialect == "postgresql":
        config: ColumnClause[Any] = literal_column(PG_CONFIG)
        query = " & ".join(f"{word}:*" for word in words)
        return func.to_tsvector(config, text_column).op("@@")(func.to_tsquery(config, query))
    condition: ColumnElement[bool] | None = None
    for word in words:
        like = func.lower(text_column).contains(word, autoescape=True)
        condition = like if condition is None else condition & like
    assert condition is not None
    return condition


__all__ = ["FTS_TABLE", "MAX_TERMS", "NOT_MODELLED", "matches", "terms"]
