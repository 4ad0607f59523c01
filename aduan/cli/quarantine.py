"""``aduan quarantine list|show|add|retry``: raw messages that could not be read.

``add RAW_ID --reason`` is the operator's way to set aside a raw that holds
something up (it is never normalized until ``retry``); ``list`` and ``show``
only read the store and need no channel secrets.
"""

from __future__ import annotations

import typer
from sqlalchemy import func, select, update

from aduan.cli.common import app, state
from aduan.core.errors import AduanError
from aduan.daemon.normalize_job import normalize_now, runtime_normalizer
from aduan.normalize.rows import Stats
from aduan.runtime import Runtime
from aduan.store.models import raw_messages

quarantine_app = typer.Typer(help="Raw messages whose read failed: list, show, add, retry.")
app.add_typer(quarantine_app, name="quarantine")


@quarantine_app.command("list")
def list_command(
    channel: str | None = typer.Option(None, "--channel", help="Only this channel type."),
    limit: int = typer.Option(50, "--limit", min=1),
) -> None:
    """Quarantined raw messages, newest first, with their error."""
    runtime = Runtime.create(state.settings(secrets=False), logging=False, channels=False)
    try:
        cond = [raw_messages.c.status == "quarantined"]
        if channel:
            cond.append(raw_messages.c.channel == channel)
        with runtime.engine.connect() as conn:
            total = conn.execute(select(func.count()).where(*cond)).scalar_one()
            rows = conn.execute(
                select(
                    raw_messages.c.id,
                    raw_messages.c.channel,
                    raw_messages.c.account,
                    raw_messages.c.received_at,
                    raw_messages.c.attempts,
                    raw_messages.c.error,
                )
                .where(*cond)
                .order_by(raw_messages.c.id.desc())
                .limit(limit)
            ).all()
        typer.echo(f"{total} quarantined")
        for r in rows:
            error = (r.error or "").splitlines()[0][:100] if r.error else ""
            typer.echo(
                f"{r.id}\t{r.channel}/{r.account}\t{r.received_at:%Y-%m-%d %H:%M}\t"
                f"attempts={r.attempts}\t{error}"
            )
    finally:
        runtime.close()


@quarantine_app.command("show")
def show_command(raw_id: int = typer.Argument(..., help="Raw message id.")) -> None:
    """One quarantined message: its error and its payload as stored."""
    runtime = Runtime.create(state.settings(secrets=False), logging=False, channels=False)
    try:
        with runtime.engine.connect() as conn:
            row = conn.execute(select(raw_messages).where(raw_messages.c.id == raw_id)).first()
        if row is None:
            raise AduanError(f"no raw message {raw_id}")
        typer.echo(
            f"id: {row.id}\nchannel: {row.channel}/{row.account}\n"
            f"external id: {row.external_id}\nreceived: {row.received_at.isoformat()}\n"
            f"status: {row.status}\nattempts: {row.attempts}\n"
            f"content type: {row.content_type}\nerror: {row.error}\n"
        )
        typer.echo(row.payload[:4000].decode("utf-8", "replace"))
    finally:
        runtime.close()


@quarantine_app.command("add")
def add_command(
    raw_id: int = typer.Argument(..., help="Raw message id."),
    reason: str = typer.Option(..., "--reason", help="Why, for whoever retries it."),
) -> None:
    """Set one raw message aside: it is not normalized until ``quarantine retry``."""
    runtime = Runtime.create(state.settings(secrets=False), logging=False, channels=False)
    try:
        with runtime.engine.begin() as conn:
            row = conn.execute(
                select(raw_messages.c.status, raw_messages.c.complaint_id).where(
                    raw_messages.c.id == raw_id
                )
            ).first()
            if row is None:
                raise AduanError(f"no raw message {raw_id}")
            if row.complaint_id is not None:
                raise AduanError(
                    f"raw message {raw_id} already fed complaint {row.complaint_id}; "
                    "nothing to set aside"
                )
            conn.execute(
                update(raw_messages)
                .where(raw_messages.c.id == raw_id)
                .values(status="quarantined", error=f"operator: {reason}"[:2000])
            )
        typer.echo(f"{raw_id} quarantined (was {row.status})")
    finally:
        runtime.close()


@quarantine_app.command("retry")
def retry_command(
    raw_ids: list[int] = typer.Argument(None, help="Raw message ids (default: all quarantined)."),
    channel: str | None = typer.Option(None, "--channel", help="Only this channel type."),
) -> None:
    """Read quarantined messages again (after a channel fix) and normalize them now."""
    runtime = Runtime.create(state.settings())
    try:
        cond = [raw_messages.c.status == "quarantined"]
        if raw_ids:
            cond.append(raw_messages.c.id.in_(raw_ids))
        if channel:
            cond.append(raw_messages.c.channel == channel)
        with runtime.engine.begin() as conn:
            ids = list(conn.execute(select(raw_messages.c.id).where(*cond)).scalars())
            if ids:
                conn.execute(
                    update(raw_messages).where(raw_messages.c.id.in_(ids)).values(status="pending")
                )
        if not ids:
            typer.echo("nothing to retry")
            return
        normalizer = runtime_normalizer(runtime)
        stats = Stats()
        for start in range(0, len(ids), 1000):
            stats.add(normalize_now(runtime.engine, normalizer, ids[start : start + 1000]))
        typer.echo(
            f"retried {len(ids)}: {stats.created} new complaints, {stats.attached} attached, "
            f"{stats.ignored} ignored, {stats.quarantined} still quarantined"
        )
        if stats.quarantined:
            raise typer.Exit(1)
    finally:
        runtime.close()
