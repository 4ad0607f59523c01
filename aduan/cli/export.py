"""``aduan export``: every complaint, one row each, to CSV, JSON Lines or Parquet.

Reads on a read-only connection in one snapshot, streamed (see
:mod:`aduan.analytics.export`); personal data masked unless
``--include-personal-data``. Every export is recorded in ``audit_log``
(see :mod:`aduan.analytics.audit`), masked or not.
"""

from __future__ import annotations

from pathlib import Path

import typer

from aduan.analytics import audit
from aduan.analytics.export import ExportFormat, export
from aduan.analytics.period import BadPeriod, office_zone, parse_period
from aduan.cli.common import app, state
from aduan.cli.query import read_only_engine
from aduan.store import make_engine


def _check_out(out: Path) -> Path:
    if out.is_dir():
        raise typer.BadParameter(f"{out} is a directory; give a file name", param_hint="--out")
    if not out.parent.is_dir():
        raise typer.BadParameter(f"directory {out.parent} does not exist", param_hint="--out")
    return out.resolve()


@app.command("export")
def export_command(
    format: ExportFormat = typer.Option(..., "--format", "-f", help="csv, jsonl or parquet."),
    out: Path = typer.Option(..., "--out", "-o", help="The file to write (replaced if present)."),
    since: str | None = typer.Option(None, "--since", help="First local day (YYYY-MM-DD)."),
    until: str | None = typer.Option(None, "--until", help="Last local day, included."),
    include_personal_data: bool = typer.Option(
        False,
        "--include-personal-data",
        help="Export names, contacts, addresses and unmasked text (recorded in the audit log).",
    ),
) -> None:
    """Export complaints, one row each; personal data masked unless asked for."""
    settings = state.settings(secrets=False)
    try:
        period = parse_period(since, until, office_zone(settings.timezone))
    except BadPeriod as exc:
        raise typer.BadParameter(str(exc)) from None
    path = _check_out(out)
    reader = read_only_engine(settings.database_url)
    writer = make_engine(settings.database_url)
    details = {
        "format": format.value,
        "out": str(path),
        "include_personal_data": include_personal_data,
        "filters": {"since": since, "until": until, **period.describe()},
    }
    try:
        audit_id = audit.start(writer, str(path), details)
        with reader.connect() as conn:
            result = export(conn, path, format, period, include_personal_data=include_personal_data)
        audit.finish(writer, audit_id, details, result.rows)
    finally:
        reader.dispose()
        writer.dispose()
    masked = "with personal data" if include_personal_data else "personal data masked"
    typer.echo(f"exported {result.rows} complaints to {path} ({masked})", err=True)
