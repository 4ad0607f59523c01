"""``aduan eval dedup PATH [--json]``: score dedup on labelled pairs."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from aduan.cli.common import eval_group
from aduan.core.errors import AduanError
from aduan.normalize.evaluate import evaluate

eval_app = eval_group()


@eval_app.command("dedup")
def dedup_command(
    path: Path = typer.Argument(..., help="JSON Lines of labelled pairs (dedup_dev.jsonl format)."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object with the scores."),
) -> None:
    """Each pair through the production normalizer on a fresh store; confusion matrix and scores."""
    if not path.is_file():
        raise AduanError(f"{path}: no such file")
    try:
        report = evaluate(path)
    except ValueError as exc:
        raise AduanError(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(report.scores()))
        return
    typer.echo(report.table())
    if report.mistakes:
        typer.echo(
            "\nmisclassified: " + ", ".join(f"{i} ({g}->{p})" for i, g, p in report.mistakes)
        )
