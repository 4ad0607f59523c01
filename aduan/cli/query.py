"""``aduan query SQL``: analysts' read-only SQL on the store.

The connection is read-only (SQLite ``mode=ro`` plus ``query_only``;
PostgreSQL ``default_transaction_read_only``) and every call goes through
:func:`aduan.store.readonly.run_read_only`: one statement that only reads.
``query_database_url``, when set, is used instead of ``database_url`` (a
city's analysts' own role, see ``aduan db grant-readonly``); run as a
PostgreSQL superuser, the command warns once on stderr.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from aduan.cli.common import app, state
from aduan.core.errors import AduanError
from aduan.store import make_engine
from aduan.store.engine import is_sqlite, normalize_url, sqlite_path
from aduan.store.readonly import is_superuser, run_read_only

SUPERUSER_WARNING = (
    "warning: aduan query connects as a PostgreSQL superuser; give analysts their own role "
    "(aduan db grant-readonly ROLE) and set query_database_url"
)


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", "replace")
    return value


def read_only_engine(url: str) -> Engine:
    if is_sqlite(url):
        path = sqlite_path(normalize_url(url))
        if path is None or not path.exists():
            raise AduanError(f"no store at {path}: run `aduan db upgrade` or `aduan run` first")
    return make_engine(url, read_only=True)


def run_query(engine: Engine, sql: str) -> tuple[list[str], Iterable[Sequence[Any]]]:
    """Columns and rows of ``sql``: one statement that only reads."""
    return run_read_only(engine, sql)


def write_rows(columns: list[str], rows: Iterable[Sequence[Any]], fmt: Format) -> None:
    if fmt is Format.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_plain(v) for v in row])
    elif fmt is Format.json:
        sys.stdout.write("[")
        for i, row in enumerate(rows):
            record = {c: _plain(v) for c, v in zip(columns, row, strict=True)}
            sys.stdout.write(("," if i else "") + "\n" + json.dumps(record, ensure_ascii=False))
        sys.stdout.write("\n]\n")
    else:
        table = Table(*columns, show_lines=False)
        count = 0
        for row in rows:
            table.add_row(*("" if v is None else str(_plain(v)) for v in row))
            count += 1
        Console().print(table)
        typer.echo(f"({count} row{'s' if count != 1 else ''})", err=True)


@app.command("query")
def query(
    sql: str = typer.Argument(..., help="One SQL statement (SELECT, WITH ...)."),
    format: Format = typer.Option(Format.table, "--format", "-f", help="table, csv or json."),
) -> None:
    """Run read-only SQL on the store (tables and analysts' views, see README)."""
    settings = state.settings(secrets=False)
    engine = read_only_engine(settings.query_database_url or settings.database_url)
    try:
        if is_superuser(engine):
            typer.echo(SUPERUSER_WARNING, err=True)
        columns, rows = run_query(engine, sql)
        write_rows(columns, rows, format)
    finally:
        engine.dispose()
