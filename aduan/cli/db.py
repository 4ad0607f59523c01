"""``aduan db upgrade|current``: the schema's migrations."""

from __future__ import annotations

import typer

from aduan.cli.common import app, state
from aduan.store import make_engine
from aduan.store.migrate import current, head, upgrade

db_app = typer.Typer(
    help="Database schema: apply migrations, show the revision.", no_args_is_help=True
)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    engine = make_engine(state.settings(secrets=False).database_url)
    try:
        before = current(engine)
        upgrade(engine)
        after = current(engine)
    finally:
        engine.dispose()
    typer.echo(f"schema at {after}" + ("" if before == after else f" (was {before or 'empty'})"))


@db_app.command("current")
def db_current() -> None:
    """Show the schema revision of the store and the newest one aduan knows."""
    engine = make_engine(state.settings(secrets=False).database_url)
    try:
        revision = current(engine)
    finally:
        engine.dispose()
    latest = head()
    note = "up to date" if revision == latest else f"behind: run `aduan db upgrade` (head {latest})"
    typer.echo(f"{revision or 'empty'} ({note})")
