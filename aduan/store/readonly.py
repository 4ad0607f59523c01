"""Analysts' SQL, read-only by construction, on SQLite and PostgreSQL.

:func:`run_read_only` is the one path ``aduan query`` takes. Whatever role
aduan connects as, a call runs **one statement that only reads**:

* SQLite: the connection is ``mode=ro`` with ``query_only``, ``sqlite3``
  refuses a second statement, and an authorizer allows reading only (SELECT,
  reading columns, functions, reading pragmas): no ATTACH, no writing pragma,
  no transaction control, nothing that writes.
* PostgreSQL: the statement goes through the extended protocol as a prepared
  statement (the server refuses ``;`` chains), inside a ``READ ONLY``
  transaction, as the body of ``SELECT * FROM (...)`` so that the server's own
  parser accepts a query and nothing else (no COPY, SET, DO, CALL, no
  data-modifying WITH). When aduan connects as a superuser the statement runs
  as ``pg_read_all_data`` (reads every table, nothing else: no server files,
  programs or signals); the functions that would let it take the superuser
  role back or run SQL built from a string are refused by name.

A city gives analysts their own role with :func:`grant_readonly` and
``query_database_url``; that is the boundary, the rest is belt and braces.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from typing import Any

import psycopg
from sqlalchemy import Engine, text

from aduan.core.errors import AduanError

ESCAPES = (
    "set_config",
    "query_to_xml",
    "query_to_xmlschema",
    "query_to_xml_and_xmlschema",
    "cursor_to_xml",
    "ts_stat",
    "dblink",
    "lo_import",
    "lo_export",
)
"""PostgreSQL functions refused in analysts' SQL: each either changes the role (and so
the privileges) mid-statement or runs SQL given as a string, out of reach of the rest."""
_ESCAPE = re.compile(r"(?i)(?<![\w$])\"?(" + "|".join(ESCAPES) + r")\b")

SQLITE_READ_PRAGMAS = frozenset(
    {"table_info", "table_xinfo", "index_list", "index_info", "foreign_key_list",
     "user_version", "schema_version", "page_count", "page_size", "encoding"}
)  # fmt: skip
SQLITE_DENIED_FUNCTIONS = frozenset({"load_extension", "readfile", "writefile", "fts3_tokenizer"})
READ_ROLE = "pg_read_all_data"


_QUERY = re.compile(r"(?is)\s*(?:(?:--[^\n]*\n|/\*.*?\*/)\s*)*(?:select|with|values|table|\()")
"""What a reading statement starts with; anything else gets the clear refusal at once
(the databases would refuse it anyway, with a less helpful message)."""


class ReadOnlyRefused(AduanError):
    """The statement is not a single read."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"aduan query is read-only: {reason}")


def _sqlite_authorizer(action: int, arg1: str | None, arg2: str | None, *_: Any) -> int:
    if action in (sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_RECURSIVE):
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_FUNCTION:
        return sqlite3.SQLITE_DENY if arg2 in SQLITE_DENIED_FUNCTIONS else sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA and arg2 is None and (arg1 or "") in SQLITE_READ_PRAGMAS:
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def _statement(sql: str) -> str:
    """The statement without trailing semicolons; empty is refused."""
    body = sql.strip().rstrip(";").strip()
    if not body:
        raise ReadOnlyRefused("no SQL given")
    if not _QUERY.match(body):
        raise ReadOnlyRefused("only one query (SELECT, WITH, VALUES, TABLE) runs")
    return body


def _sqlite(engine: Engine, sql: str) -> tuple[list[str], list[Sequence[Any]]]:
    raw = engine.raw_connection()
    try:
        dbapi: sqlite3.Connection = raw.driver_connection  # type: ignore[assignment]
        dbapi.set_authorizer(_sqlite_authorizer)
        try:
            cursor = dbapi.execute(sql)
            rows = cursor.fetchall()
            columns = [d[0] for d in cursor.description or ()]
        except sqlite3.ProgrammingError as exc:  # "one statement at a time"
            raise ReadOnlyRefused(f"one statement per call ({exc})") from None
        except sqlite3.DatabaseError as exc:
            if "not authorized" in str(exc) or "prohibited" in str(exc):
                raise ReadOnlyRefused(f"the statement would do more than read ({exc})") from None
            raise AduanError(f"query failed: {exc}") from None
        finally:
            dbapi.set_authorizer(None)
    finally:
        raw.close()
    return columns, rows


def is_superuser(engine: Engine) -> bool:
    """Whether ``engine`` connects to PostgreSQL as a superuser (never on SQLite)."""
    if engine.dialect.name != "postgresql":
        return False
    with engine.connect() as conn:
        return bool(conn.execute(text("SELECT usesuper FROM pg_user WHERE usename = current_user"))
                    .scalar())  # fmt: skip


def _postgresql(engine: Engine, sql: str) -> tuple[list[str], list[Sequence[Any]]]:
    found = _ESCAPE.search(sql)
    if found:
        raise ReadOnlyRefused(f"{found.group(1).lower()}() is not allowed")
    wrapped = f"SELECT * FROM (\n{sql}\n) AS analyst_query"
    raw = engine.raw_connection()
    try:
        dbapi: Any = raw.driver_connection
        dbapi.rollback()
        with dbapi.cursor() as cursor:
            cursor.execute("SET TRANSACTION READ ONLY")
            cursor.execute("SELECT usesuper FROM pg_user WHERE usename = current_user")
            row = cursor.fetchone()
            if row and row[0]:
                cursor.execute(f"SET LOCAL ROLE {READ_ROLE}")
            cursor.execute(wrapped, prepare=True)
            columns = [d.name for d in cursor.description or ()]
            rows = cursor.fetchall()
        dbapi.rollback()
    except psycopg.errors.ReadOnlySqlTransaction as exc:
        dbapi.rollback()
        raise ReadOnlyRefused(str(exc).splitlines()[0]) from None
    except psycopg.Error as exc:
        dbapi.rollback()
        raise AduanError(f"query failed: {str(exc).splitlines()[0]}") from None
    finally:
        raw.close()
    return columns, rows


def run_read_only(engine: Engine, sql: str) -> tuple[list[str], list[Sequence[Any]]]:
    """Columns and rows of one reading statement; :class:`ReadOnlyRefused` otherwise."""
    body = _statement(sql)
    if engine.dialect.name == "postgresql":
        return _postgresql(engine, body)
    return _sqlite(engine, body)


_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def grant_readonly(engine: Engine, role: str, views: Sequence[str]) -> list[str]:
    """Create (or narrow) PostgreSQL ``role`` so that it can read ``views`` and nothing
    else; returns the statements run. The role logs in without a password until an
    administrator sets one (``ALTER ROLE ... PASSWORD``) or maps it in ``pg_hba.conf``."""
    if engine.dialect.name != "postgresql":
        raise AduanError("grant-readonly is for PostgreSQL; on SQLite analysts read the file")
    if not _ROLE_NAME.fullmatch(role):
        raise AduanError(f"{role!r}: a role name is lower-case letters, digits and _")
    statements: list[str] = []
    with engine.begin() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
        if exists.first() is None:
            statements.append(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE')
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        database = conn.execute(text("SELECT current_database()")).scalar_one()
        statements += [
            f'ALTER ROLE "{role}" NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS',
            f'ALTER ROLE "{role}" SET default_transaction_read_only = on',
            f'REVOKE ALL ON ALL TABLES IN SCHEMA "{schema}" FROM "{role}"',
            f'REVOKE CREATE ON SCHEMA "{schema}" FROM "{role}"',
            f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"',
            f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"',
            *(f'GRANT SELECT ON "{schema}"."{view}" TO "{role}"' for view in views),
        ]
        for statement in statements:
            conn.exec_driver_sql(statement)
    return statements
