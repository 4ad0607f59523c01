"""``aduan poll CHANNEL [--account NAME] [--once]``: poll pull channels now."""

from __future__ import annotations

import typer

from aduan.cli.common import app, state
from aduan.errors import AduanError
from aduan.ingest import poll_channel
from aduan.runtime import Runtime


@app.command("poll")
def poll(
    channel: str = typer.Argument(..., help="Channel type (email, twitter, telegram, rss ...)."),
    account: str | None = typer.Option(None, "--account", help="Only this instance."),
    once: bool = typer.Option(False, "--once", help="One batch per instance, then stop."),
) -> None:
    """Fetch what is new from a pull channel into the raw archive."""
    runtime = Runtime.create(state.settings())
    try:
        targets = {
            key: c
            for key, c in runtime.pull_channels.items()
            if key[0] == channel and (account is None or key[1] == account)
        }
        if not targets:
            raise AduanError(
                f"no enabled pull channel {channel}{'/' + account if account else ''} in the config"
            )
        for (kind, name), instance in sorted(targets.items()):
            result = poll_channel(runtime.engine, instance, max_batches=1 if once else 1_000)
            typer.echo(
                f"{kind}/{name}: fetched {result.fetched}, new {result.stored}, "
                f"already present {result.duplicates}, rejected {result.rejected}"
            )
    finally:
        runtime.close()
