"""``aduan complaint update|show``: case follow-up from the terminal."""

from __future__ import annotations

import getpass

import typer

from aduan.cli.common import app, state
from aduan.core.errors import AduanError
from aduan.replies.events import change_status
from aduan.runtime import Runtime
from aduan.store import open_store
from aduan.store.cases import CHANGES, find_complaint, history

complaint_app = typer.Typer(
    help="Follow a complaint up: status changes and history.", no_args_is_help=True
)
app.add_typer(complaint_app, name="complaint")


@complaint_app.command("update")
def update(
    reference: str = typer.Argument(..., help="The reference, e.g. ADU-2026-000123."),
    status: str = typer.Option(..., "--status", help=f"One of: {', '.join(CHANGES)}."),
    note: str | None = typer.Option(None, "--note", help="What was done (needed to resolve)."),
    agency: str | None = typer.Option(None, "--agency", help="For rejected: whose it is."),
    actor: str | None = typer.Option(None, "--actor", help="Who (default: your login)."),
) -> None:
    """Record a status change (in_progress, resolved, rejected, closed, reopen)."""
    runtime = Runtime.create(state.settings(), logging=False, channels=False)
    try:
        change = change_status(
            runtime.engine,
            reference,
            status,
            actor=actor or getpass.getuser(),
            note=note,
            agency=agency,
        )
    finally:
        runtime.close()
    typer.echo(f"{change.reference}: {change.before} -> {change.after} at {change.at.isoformat()}")


@complaint_app.command("show")
def show(reference: str = typer.Argument(..., help="The reference.")) -> None:
    """Status, routing, clock and history of one complaint (no personal data)."""
    engine = open_store(state.settings().database_url)
    try:
        with engine.connect() as conn:
            row = find_complaint(conn, reference)
        if row is None:
            raise AduanError(f"no complaint with reference {reference}")
        typer.echo(f"{row.reference}  {row.status}  {row.category or '-'}  {row.agency or '-'}")
        due = row.due_at.isoformat() if row.due_at else "-"
        typer.echo(f"received {row.received_at.isoformat()}  due {due}")
        if row.resolved_at:
            typer.echo(f"resolved {row.resolved_at.isoformat()}")
        for event in history(engine, row.id):
            note = f"  {event.note}" if event.note else ""
            change = f"{event.from_status or ''} -> {event.to_status or event.kind}"
            typer.echo(f"  {event.at.isoformat()}  {event.actor or '-'}  {change}{note}")
    finally:
        engine.dispose()
