"""``aduan eval places PATH [--json]``: score place extraction on labelled complaints."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from aduan.cli.common import eval_group
from aduan.places.evaluate import evaluate, read_labelled

eval_app = eval_group()


@eval_app.command("places")
def eval_places(
    path: Path = typer.Argument(
        ..., help="JSON lines: text, kelurahan, kecamatan, rt, rw, street."
    ),
    as_json: bool = typer.Option(False, "--json", help="One JSON object with the scores."),
    errors: bool = typer.Option(False, "--errors", help="Also list each wrong or missed field."),
) -> None:
    """Extract each complaint's place and print precision, recall and F1 per field."""
    report = evaluate(read_labelled(path))
    if as_json:
        typer.echo(json.dumps(report.as_json()))
        return
    typer.echo(report.table())
    if errors:
        for row_id, name, gold, got in report.mistakes:
            typer.echo(f"{row_id}: {name}: expected {gold!r}, got {got!r}")
