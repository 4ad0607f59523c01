"""``aduan reporter merges|split|contact``: merges of identities, and "do not contact"."""

from __future__ import annotations

import getpass

import typer
from sqlalchemy import select

from aduan.cli.common import app, state
from aduan.core.clock import utcnow
from aduan.core.errors import AduanError
from aduan.core.privacy import mask_identity
from aduan.normalize.reporters import SplitError, merges_table, split_merge
from aduan.replies.outreach import identity_of, set_identity
from aduan.runtime import Runtime

reporter_app = typer.Typer(help="Reporters: merges of identities, and undoing a wrong one.")
app.add_typer(reporter_app, name="reporter")


@reporter_app.command("merges")
def merges_command(
    reporter_id: int | None = typer.Argument(None, help="Only merges involving this reporter."),
    limit: int = typer.Option(50, "--limit", min=1),
) -> None:
    """Recorded merges, newest first (identities shown masked)."""
    runtime = Runtime.create(state.settings(), logging=False)
    try:
        query = select(merges_table).order_by(merges_table.c.id.desc()).limit(limit)
        if reporter_id is not None:
            query = query.where(
                (merges_table.c.kept_id == reporter_id) | (merges_table.c.merged_id == reporter_id)
            )
        with runtime.engine.connect() as conn:
            rows = conn.execute(query).all()
        for r in rows:
            undone = f" UNDONE {r.undone_at:%Y-%m-%d} by {r.undone_by}" if r.undone_at else ""
            moved = ", ".join(mask_identity(i) for i in r.identities or [])
            typer.echo(
                f"merge {r.id}\t{r.at:%Y-%m-%d %H:%M}\treporter {r.merged_id} -> "
                f"{r.kept_id}\traw {r.raw_message_id}\t{r.reason}\t[{moved}]{undone}"
            )
        if not rows:
            typer.echo("no merges")
    finally:
        runtime.close()


@reporter_app.command("contact")
def contact_command(
    identity: str = typer.Argument(..., help="tel:+62..., mailto:..., a phone number or e-mail."),
    off: bool = typer.Option(..., "--off/--on", help="--off: never write to it; --on: again."),
    reason: str = typer.Option("", "--reason", help="Why (kept with the record)."),
    actor: str | None = typer.Option(None, "--actor", help="Who (default: OS user)."),
) -> None:
    """Mark an identity "do not contact" (or undo it), as a citizen's STOP does (audited)."""
    runtime = Runtime.create(state.settings(), logging=False, channels=False)
    try:
        who = actor or getpass.getuser()
        masked = set_identity(
            runtime.engine,
            identity_of(identity),
            allowed=not off,
            actor=who,
            reason=reason or f"clerk {who}",
        )
        typer.echo(f"{masked}: {'do not contact' if off else 'may be contacted'}")
    finally:
        runtime.close()


@reporter_app.command("split")
def split_command(
    merge_id: int = typer.Argument(..., help="The merge to undo (see `aduan reporter merges`)."),
    actor: str | None = typer.Option(None, "--actor", help="Who undoes it (default: OS user)."),
) -> None:
    """Undo a wrong merge: the merged reporter gets its identities back (audited)."""
    runtime = Runtime.create(state.settings())
    try:
        with runtime.engine.begin() as conn:
            try:
                details = split_merge(conn, merge_id, actor or getpass.getuser(), utcnow())
            except SplitError as exc:
                raise AduanError(str(exc)) from None
        typer.echo(
            f"merge {merge_id} undone: reporter {details['merged_id']} has its "
            f"{details['identities']} identities back"
        )
    finally:
        runtime.close()
