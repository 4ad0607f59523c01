"""``aduan db upgrade|current|grant-readonly``: the schema's migrations, the analysts' role."""

from __future__ import annotations

import typer

from aduan.analytics.views import VIEWS
from aduan.cli.common import app, state
from aduan.store import make_engine
from aduan.store.migrate import current, head, upgrade
from aduan.store.readonly import grant_readonly

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


@db_app.command("grant-readonly")
def db_grant_readonly(
    role: str = typer.Argument(..., help="The PostgreSQL role analysts connect as."),
) -> None:
    """Create a PostgreSQL role that can read the analysts' views and nothing else."""
    engine = make_engine(state.settings().database_url)
    try:
        statements = grant_readonly(engine, role, [view.name for view in VIEWS])
    finally:
        engine.dispose()
    for statement in statements:
        typer.echo(statement + ";")
    typer.echo(
        f"role {role} reads {', '.join(v.name for v in VIEWS)}; set its password with "
        f"ALTER ROLE {role} PASSWORD '...', then query_database_url = "
        f'"postgresql+psycopg://{role}@HOST/DB"',
        err=True,
    )
