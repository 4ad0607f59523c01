"""``aduan eval dedup PATH... [--json]``: score dedup on labelled pairs, per file and together.

The pairs run through the normalizer with the triage rules in force
(:class:`aduan.triage.writer.BatchTriage`, handed in here: the normalizer
only knows the port), as in production: one incident needs one problem."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from aduan.cli.common import eval_group
from aduan.core.errors import AduanError
from aduan.normalize.evaluate import Report, evaluate
from aduan.triage.writer import BatchTriage

eval_app = eval_group()


@eval_app.command("dedup")
def dedup_command(
    paths: list[Path] = typer.Argument(
        ..., help="JSON Lines files of labelled pairs (dedup_dev.jsonl format)."
    ),
    as_json: bool = typer.Option(False, "--json", help="One JSON object with the scores."),
) -> None:
    """Each pair through the production normalizer on a fresh store; confusion matrix and scores.

    Several files: a report for each, then all files together."""
    for path in paths:
        if not path.is_file():
            raise AduanError(f"{path}: no such file")
    reports: dict[str, Report] = {}
    try:
        for path in paths:
            reports[str(path)] = evaluate(path, triage=BatchTriage)
    except ValueError as exc:
        raise AduanError(str(exc)) from None
    combined = next(iter(reports.values()))
    for report in list(reports.values())[1:]:
        combined = combined.plus(report)
    if as_json:
        if len(reports) == 1:
            typer.echo(json.dumps(combined.scores()))
        else:
            files = {name: r.scores() for name, r in reports.items()}
            typer.echo(json.dumps({"combined": combined.scores(), "files": files}))
        return
    for name, report in reports.items():
        if len(reports) > 1:
            typer.echo(f"== {name}")
        _print(report)
    if len(reports) > 1:
        typer.echo("== all files")
        typer.echo(combined.table())


def _print(report: Report) -> None:
    typer.echo(report.table())
    if report.mistakes:
        typer.echo(
            "\nmisclassified: " + ", ".join(f"{i} ({g}->{p})" for i, g, p in report.mistakes)
        )
    typer.echo("")
