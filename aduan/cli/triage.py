"""``aduan triage`` and ``aduan eval triage``: re-triage, manual decisions, quality.

* ``aduan triage --all`` / ``--since 2026-11-01``: apply the rules in force
  to existing complaints, print and record what changed (``--dry-run``: only
  print). Manual decisions are kept.
* ``aduan triage set ADU-2026-000123 --category roads [--priority high]
  [--agency sudin-bina-marga] [--track same_day] [--actor NAME]``: a human's
  decision; rules never overwrite it.
* ``aduan triage rules``: the categories, agencies and defaults in force.
* ``aduan eval triage PATH [--json]``: precision/recall per category,
  accuracy, macro recall and high-priority recall on a labelled file;
  with ``--cv K`` or ``--train FILE`` (repeatable) the rules, the learned
  model and their blend side by side (:mod:`aduan.cli.learned`).
"""

from __future__ import annotations

import getpass
import json
from datetime import UTC, date, datetime
from pathlib import Path

import typer

from aduan.cli.common import app, eval_group, state
from aduan.runtime import Runtime
from aduan.triage import CATEGORIES, configure
from aduan.triage.apply import retriage, set_manual
from aduan.triage.evaluate import evaluate, read_labelled

triage_app = typer.Typer(
    help="Route complaints again with the rules in force, or record a human's decision.",
    invoke_without_command=True,
    no_args_is_help=False,
)
app.add_typer(triage_app, name="triage")


eval_app = eval_group()


def _parse_since(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(value), datetime.min.time())
        except ValueError:
            raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@triage_app.callback()
def triage(
    ctx: typer.Context,
    all_: bool = typer.Option(False, "--all", help="Every complaint."),
    since: str | None = typer.Option(None, "--since", help="Received on or after (YYYY-MM-DD)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Only print what would change."),
) -> None:
    """Re-triage existing complaints (--all or --since DATE)."""
    if ctx.invoked_subcommand is not None:
        return
    if all_ == (since is not None):
        raise typer.BadParameter("give exactly one of --all or --since DATE")
    start = _parse_since(since) if since else None
    runtime = Runtime.create(state.settings(), logging=False)
    try:
        outcome = retriage(runtime.engine, since=start, dry_run=dry_run)
    finally:
        runtime.close()
    for reference, changes in outcome.changes:
        parts = [f"{k}: {v['from']} -> {v['to']}" for k, v in changes.items()]
        typer.echo(f"{reference}  " + "; ".join(parts))
    verb = "would change" if dry_run else "changed"
    typer.echo(
        f"{outcome.examined} examined, {outcome.changed} {verb}, "
        f"{outcome.manual_kept} manual decisions kept"
    )


@triage_app.command("set")
def set_(
    reference: str = typer.Argument(..., help="The complaint's reference (ADU-2026-000123)."),
    category: str = typer.Option(..., "--category", help=f"One of: {', '.join(CATEGORIES)}."),
    priority: str | None = typer.Option(None, "--priority", help="normal or high."),
    agency: str | None = typer.Option(None, "--agency", help="Agency code (see `triage rules`)."),
    track: str | None = typer.Option(None, "--track", help="same_day or coordination."),
    actor: str | None = typer.Option(None, "--actor", help="Who decides (default: OS user)."),
) -> None:
    """Record a human's triage decision; rules never overwrite it."""
    runtime = Runtime.create(state.settings(), logging=False)
    try:
        changes = set_manual(
            runtime.engine,
            reference,
            category=category,
            priority=priority,
            agency=agency,
            track=track,
            actor=actor or getpass.getuser(),
        )
    finally:
        runtime.close()
    if not changes:
        typer.echo(f"{reference}: unchanged (now a manual decision)")
    for name, change in changes.items():
        typer.echo(f"{reference}  {name}: {change['from']} -> {change['to']}")


@triage_app.command("rules")
def rules() -> None:
    """Print the categories, their agencies and defaults from the rules in force."""
    settings = state.settings()
    ruleset = configure(settings.triage, settings.timezone).rules
    typer.echo(f"rules: {ruleset.source}  (threshold {ruleset.threshold})")
    for code, cat in ruleset.categories.items():
        agency = ruleset.agencies.get(cat.agency or "", "-")
        typer.echo(f"{code:18} {cat.track:12} {cat.priority:7} {len(cat.terms):3} terms  {agency}")


@eval_app.command("triage")
def eval_triage(
    path: Path = typer.Argument(..., help="JSON lines: text, category[, priority, channel]."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object."),
    errors: bool = typer.Option(False, "--errors", help="Also list the misrouted lines."),
    cv: int | None = typer.Option(None, "--cv", help="Rules, model, blend: K-fold on PATH."),
    train: list[Path] = typer.Option([], "--train", help="Rules, model, blend: train on FILE."),
    level: float | None = typer.Option(None, "--level", help="Blend: model decides from p."),
    override: float | None = typer.Option(None, "--override", help="Blend: p to overrule."),
) -> None:
    """Classify a labelled file with the production rules and print the quality."""
    if cv is not None or train:
        from aduan.cli.learned import eval_learned

        eval_learned(
            path, cv=cv, train_files=train, level=level, override=override, as_json=as_json
        )
        return
    settings = state.settings(secrets=False)
    configure(settings.triage, settings.timezone)
    report = evaluate(read_labelled(path))
    if as_json:
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False))
        return
    typer.echo(f"{'category':18} {'precision':>9} {'recall':>7} {'support':>7} {'predicted':>9}")
    for code, row in report.as_json()["per_category"].items():
        typer.echo(
            f"{code:18} {row['precision']:9.3f} {row['recall']:7.3f} "
            f"{row['support']:7d} {row['predicted']:9d}"
        )
    typer.echo(f"accuracy             {report.accuracy:.3f}  ({report.correct}/{report.total})")
    typer.echo(f"macro recall         {report.macro_recall:.3f}")
    typer.echo(
        f"high-priority recall {report.high_priority_recall:.3f}  "
        f"({report.high_found}/{report.high_total})"
    )
    if errors:
        for row, decision in report.errors:
            typer.echo(
                f"line {row.line}: {row.category} -> {decision.category} {list(decision.rules)}"
            )
