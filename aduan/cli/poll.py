"""``aduan poll CHANNEL [--account NAME] [--once]``: poll pull channels now."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import typer

from aduan.cli.common import app, state
from aduan.core.errors import AduanError
from aduan.daemon.ingest import poll_channel
from aduan.runtime import Runtime
from aduan.store import read_cursor, write_cursor


def _since(value: str, timezone: str) -> datetime:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        message = f"{value!r} is not a date (YYYY-MM-DD)"
        raise typer.BadParameter(message, param_hint="--since") from None
    return datetime.combine(day, time(0, 0), ZoneInfo(timezone))


@app.command("poll")
def poll(
    channel: str = typer.Argument(..., help="Channel type (email, twitter, telegram, rss ...)."),
    account: str | None = typer.Option(None, "--account", help="Only this instance."),
    once: bool = typer.Option(False, "--once", help="One batch per instance, then stop."),
    since: str | None = typer.Option(
        None,
        "--since",
        help="Fetch again what arrived since this date (YYYY-MM-DD), where the provider "
        "allows it (email, rss, twitter); what is already stored is not stored twice.",
    ),
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
        start = _since(since, runtime.settings.timezone) if since else None
        for (kind, name), instance in sorted(targets.items()):
            if start is not None:
                rewound = instance.rewind(read_cursor(runtime.engine, kind, name), start)
                with runtime.engine.begin() as conn:
                    write_cursor(conn, kind, name, rewound)
            result = poll_channel(runtime.engine, instance, max_batches=1 if once else 1_000)
            typer.echo(
                f"{kind}/{name}: fetched {result.fetched}, new {result.stored}, "
                f"already present {result.duplicates}, rejected {result.rejected}"
            )
    finally:
        runtime.close()
