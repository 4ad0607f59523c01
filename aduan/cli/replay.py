"""``aduan replay [--channel C] [--since D] [--until D] [--dry-run]``: normalize again."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from aduan.cli.common import app, state
from aduan.daemon.normalize_job import runtime_normalizer
from aduan.normalize.replay import Slice, count, replay
from aduan.runtime import Runtime


def _when(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{name}: expected a date like 2026-01-31") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@app.command("replay")
def replay_command(
    channel: str | None = typer.Option(None, "--channel", help="Only this channel type."),
    since: str | None = typer.Option(None, "--since", help="Received at or after (ISO date)."),
    until: str | None = typer.Option(None, "--until", help="Received before (ISO date)."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Print what would change; write nothing."
    ),
) -> None:
    """Normalize stored raw messages again; the store ends as after a first run."""
    part = Slice(channel, _when(since, "--since"), _when(until, "--until"))
    runtime = Runtime.create(state.settings())
    try:
        normalizer = runtime_normalizer(runtime)
        total = count(runtime.engine, part)
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            transient=True,
            disable=total < 5000,
        ) as bar:
            task = bar.add_task("replaying", total=total)
            stats = replay(
                runtime.engine,
                normalizer,
                part,
                batch_size=runtime.settings.normalize.batch_size,
                dry_run=dry_run,
                progress=lambda n: bar.advance(task, n),
            )
        verb = "would be" if dry_run else "were"
        typer.echo(
            f"{total} raw messages replayed{' (dry run: nothing written)' if dry_run else ''}"
        )
        typer.echo(f"  new complaints {verb} created: {stats.created}")
        typer.echo(f"  sources {verb} attached to existing complaints: {stats.attached}")
        typer.echo(
            f"  complaints {verb} linked to incidents: {stats.linked} "
            f"(new incidents {stats.incidents})"
        )
        typer.echo(f"  complaints {verb} refreshed (text or triage changed): {stats.refreshed}")
        typer.echo(f"  edits applied: {stats.edited}; unchanged: {stats.unchanged}")
        typer.echo(f"  manual triage decisions kept: {stats.manual_kept}")
        typer.echo(
            f"  quarantined: {stats.quarantined}; ignored: {stats.ignored}; "
            f"waiting for parts: {stats.waiting}"
        )
    finally:
        runtime.close()
