"""``aduan stats``: complaint counts, overdue share, time to resolution, SLA compliance.

Read-only (the same connection as ``aduan query``). Grouped ``--by`` channel,
category, agency, kecamatan, kelurahan, the office's local day or ISO week;
``--since``/``--until`` are local dates (see :mod:`aduan.analytics.period`). Definitions are in
:mod:`aduan.analytics.stats` and the README.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from aduan.analytics.period import BadPeriod, office_zone, parse_period
from aduan.analytics.stats import By, Report, compute
from aduan.cli.common import app, state
from aduan.cli.query import read_only_engine


class StatsFormat(StrEnum):
    table = "table"
    json = "json"


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _cell(value: Any) -> str:
    return "-" if value is None else str(value)


def render_table(report: Report) -> Table:
    title = "complaints" + (f" by {report.by.value}" if report.by else "")
    table = Table(
        report.by.value if report.by else "",
        "complaints",
        "resolved",
        "overdue",
        "overdue %",
        "median h to resolve",
        "SLA met/decided",
        "SLA %",
        title=title,
    )
    rows = [*report.groups, report.total] if report.by else [report.total]
    for i, row in enumerate(rows):
        table.add_row(
            "(none)" if row["key"] is None else str(row["key"]),
            str(row["complaints"]),
            str(row["resolved"]),
            str(row["overdue"]),
            _percent(row["overdue_share"]),
            _cell(row["median_hours_to_resolve"]),
            f"{row['sla_met']}/{row['sla_decided']}",
            _percent(row["sla_compliance"]),
            end_section=report.by is not None and i == len(rows) - 2,
        )
    return table


@app.command("stats")
def stats(
    by: By | None = typer.Option(
        None, "--by", help="channel, category, agency, kecamatan, kelurahan, day or week."
    ),
    since: str | None = typer.Option(None, "--since", help="First local day (YYYY-MM-DD)."),
    until: str | None = typer.Option(None, "--until", help="Last local day, included."),
    format: StatsFormat = typer.Option(StatsFormat.table, "--format", "-f", help="table or json."),
) -> None:
    """Counts, overdue share, median time to resolution and SLA compliance."""
    settings = state.settings(secrets=False)
    try:
        zone = office_zone(settings.timezone)
        period = parse_period(since, until, zone)
    except BadPeriod as exc:
        raise typer.BadParameter(str(exc)) from None
    engine = read_only_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            report = compute(conn, by, period, zone)
    finally:
        engine.dispose()
    if format is StatsFormat.json:
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        Console().print(render_table(report))
