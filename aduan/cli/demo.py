"""``aduan demo``: a made-up day of complaints from every channel, through the whole pipeline."""

from __future__ import annotations

import typer

from aduan.cli.common import app, state
from aduan.demo.run import demo_clerk, fill, store_is_empty
from aduan.runtime import Runtime


@app.command("demo")
def demo(
    if_empty: bool = typer.Option(
        False, "--if-empty", help="Do nothing when the store already holds messages."
    ),
) -> None:
    """Fill the store with a demo day (SMS, Telegram, X, e-mail, Facebook, walk-in, Open311)."""
    runtime = Runtime.create(state.settings())
    try:
        if if_empty and not store_is_empty(runtime):
            typer.echo("aduan demo: the store already holds messages; nothing added.")
            return
        result = fill(runtime)
        url = runtime.settings.server.base_url
    finally:
        runtime.close()
    clerk = demo_clerk()
    typer.echo(
        f"Demo day stored: {result.raws} raw messages -> {result.complaints} complaints "
        f"({result.ignored} ignored, {result.quarantined} quarantined, {result.overdue} overdue)."
    )
    typer.echo("Where to look:")
    typer.echo(f"  {url}/dashboard      charts, SLA, overdue list (log in at {url}/login)")
    typer.echo(f"  {url}/desk           the walk-in desk form")
    typer.echo(f"  {url}/track/<ref>    what a citizen sees; {url}/healthz and {url}/metrics")
    typer.echo("  aduan stats --by category      aduan stats --by kecamatan")
    typer.echo(
        '  aduan query "SELECT reference, category, kelurahan, kecamatan, street FROM v_complaints"'
    )
    typer.echo("  aduan quarantine list")
    if clerk:
        typer.echo(f"Clerk login written to aduan.toml: user {clerk[0]}, password {clerk[1]}")
