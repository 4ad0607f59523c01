"""``aduan outbox list|show|retry|cancel``: the messages aduan sends to citizens.

``list`` and ``show`` only read the store (no channel secrets needed);
recipients are shown masked (``tel:…2345``) everywhere. ``retry`` queues a
failed, given-up or cancelled message again with fresh attempts; ``cancel``
stops one that has not gone. Both are recorded in the audit log with who did
them (``--actor``, default the OS user).
"""

from __future__ import annotations

import getpass

import typer

from aduan.cli.common import app, state
from aduan.core.clock import utcnow
from aduan.core.errors import AduanError
from aduan.core.privacy import mask_identity
from aduan.runtime import Runtime
from aduan.store import outbox as ob

outbox_app = typer.Typer(help="Messages to citizens: list, show, retry, cancel.")
app.add_typer(outbox_app, name="outbox")


def _runtime() -> Runtime:
    return Runtime.create(state.settings(secrets=False), logging=False, channels=False)


def _when(value: object) -> str:
    return f"{value:%Y-%m-%d %H:%M:%S}" if value is not None else "-"


@outbox_app.command("list")
def list_command(
    status: str | None = typer.Option(None, "--status", help=f"One of {', '.join(ob.STATUSES)}."),
    channel: str | None = typer.Option(None, "--channel", help="A channel instance: sms/kannel."),
    complaint: int | None = typer.Option(None, "--complaint", help="Only this complaint id."),
    limit: int = typer.Option(50, "--limit", min=1),
) -> None:
    """Messages newest first: id, status, channel, masked recipient, event, attempts, error."""
    if status is not None and status not in ob.STATUSES:
        raise AduanError(f"unknown status {status!r}; one of: {', '.join(ob.STATUSES)}")
    runtime = _runtime()
    try:
        filters = ob.Filters(status=status, channel=channel, complaint_id=complaint, limit=limit)
        rows = ob.list_rows(runtime.engine, filters)
        summary = ob.summary(runtime.engine, utcnow())
    finally:
        runtime.close()
    typer.echo(
        f"{summary['queued']} queued ({summary['due']} due), "
        f"oldest queued {summary['oldest_queued_seconds']:.0f} s"
    )
    for r in rows:
        error = (r.last_error or "").splitlines()[0][:80] if r.last_error else ""
        typer.echo(
            f"{r.id}\t{r.status}\t{r.channel}\t{mask_identity(r.recipient)}\t"
            f"complaint={r.complaint_id}\t{r.event}\tattempts={r.attempts}\t"
            f"next={_when(r.next_attempt_at)}\t{error}"
        )
    if not rows:
        typer.echo("no messages")


@outbox_app.command("show")
def show_command(message_id: int = typer.Argument(..., help="Outbox message id.")) -> None:
    """One message: its text, where it goes (masked), its attempts and its fate."""
    runtime = _runtime()
    try:
        row = ob.get_row(runtime.engine, message_id)
    finally:
        runtime.close()
    if row is None:
        raise AduanError(f"no outbox message {message_id}")
    typer.echo(
        f"id: {row.id}\nstatus: {row.status}\ncomplaint: {row.complaint_id}\n"
        f"event: {row.event}\nchannel: {row.channel}\n"
        f"recipient: {mask_identity(row.recipient)}\n"
        f"attempts: {row.attempts}\nnext attempt: {_when(row.next_attempt_at)}\n"
        f"created: {_when(row.created_at)}\nsent: {_when(row.sent_at)}\n"
        f"provider id: {row.provider_message_id or '-'}\n"
        f"last error: {row.last_error or '-'}\n"
        + (f"subject: {row.subject}\n" if row.subject else "")
        + (f"in reply to: {row.in_reply_to}\n" if row.in_reply_to else "")
        + f"\n{row.text}"
    )


def _change(message_ids: list[int], actor: str | None, action: str) -> None:
    who = actor or getpass.getuser()
    runtime = _runtime()
    failed = []
    try:
        for message_id in message_ids:
            change = ob.cancel if action == "cancel" else ob.retry
            if change(runtime.engine, message_id, utcnow(), who):
                typer.echo(f"{message_id} {'cancelled' if action == 'cancel' else 'queued'}")
                continue
            row = ob.get_row(runtime.engine, message_id)
            failed.append(
                f"{message_id}: no such message"
                if row is None
                else f"{message_id}: cannot {action} a message that is {row.status}"
            )
    finally:
        runtime.close()
    if failed:
        raise AduanError("; ".join(failed))


@outbox_app.command("retry")
def retry_command(
    message_ids: list[int] = typer.Argument(..., help="Outbox message ids."),
    actor: str | None = typer.Option(None, "--actor", help="Who asks (default: OS user)."),
) -> None:
    """Queue failed, given-up or cancelled messages again, now, with fresh attempts."""
    _change(message_ids, actor, "retry")


@outbox_app.command("cancel")
def cancel_command(
    message_ids: list[int] = typer.Argument(..., help="Outbox message ids."),
    actor: str | None = typer.Option(None, "--actor", help="Who asks (default: OS user)."),
) -> None:
    """Stop messages that have not gone (queued, failed or given up)."""
    _change(message_ids, actor, "cancel")
