"""``aduan import --channel C PATH``: an exported backlog through the same path as a live fetch.

Each channel turns its backlog format into raw messages (``Channel.backlog``:
JSON Lines of provider payloads by default; mbox/Maildir for email; CSV where
the channel supports it). Rows are stored in batches with insert-or-ignore,
so importing the same file twice adds nothing. Every new row is read once: a
row that cannot be read is quarantined with its error (kept, retryable).
The command prints new / already present / quarantined and exits 1 when
anything was quarantined.

An old system's labelled history (walk-in CSV): ``--column category=COL``
(and ``--column agency=COL``) keeps the category its staff decided on each
complaint as a training label (:mod:`aduan.triage.labels`), for
``aduan triage train --from-store`` and the retrain job.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from aduan.channels.base import Channel
from aduan.channels.registry import REGISTRY
from aduan.cli.common import app, state
from aduan.core.errors import AduanError, BadPayload
from aduan.core.messages import RawMessage
from aduan.runtime import Runtime
from aduan.store import save_batch, set_status

BATCH = 500


def pick_channel(runtime: Runtime, kind: str, account: str | None) -> Channel:
    """The configured instance, or an unconfigured one named ``account`` for old backlogs."""
    if kind not in REGISTRY:
        raise AduanError(f"unknown channel {kind!r} (known: {', '.join(sorted(REGISTRY))})")
    configured = {name: c for (k, name), c in runtime.channels.items() if k == kind}
    if account in configured:
        return configured[account]
    if account is None and len(configured) == 1:
        return next(iter(configured.values()))
    if account is None and configured:
        raise AduanError(f"several {kind} instances are configured; name one with --account")
    cls = REGISTRY[kind]
    return cls(account or "import", cls.reader_config(), runtime.context)


def _columns(pairs: list[str]) -> dict[str, str]:
    found = {}
    for pair in pairs:
        ours, sep, theirs = pair.partition("=")
        if not sep or not ours.strip() or not theirs.strip():
            raise typer.BadParameter(f"{pair!r} is not OURS=THEIRS", param_hint="--column")
        found[ours.strip().lower()] = theirs.strip()
    return found


def _batches(items: Iterable[RawMessage], size: int) -> Iterator[list[RawMessage]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


@app.command("import")
def import_backlog(
    path: Path = typer.Argument(..., help="Backlog file or folder (JSONL, mbox, Maildir, CSV)."),
    channel: str = typer.Option(..., "--channel", "-c", help="Channel type of the backlog."),
    account: str | None = typer.Option(None, "--account", help="Instance name to file it under."),
    column: list[str] = typer.Option(
        [],
        "--column",
        help="CSV only: OURS=THEIRS maps one of aduan's columns to the file's header, "
        "e.g. --column isi_aduan=Keluhan --column telepon='No HP'; "
        "--column category=COL [--column agency=COL]: the old system's decisions as labels.",
    ),
) -> None:
    """Import an exported backlog idempotently; exit 1 when anything was quarantined."""
    if not path.exists():
        raise AduanError(f"{path}: no such file or folder")
    runtime = Runtime.create(state.settings())
    try:
        source = pick_channel(runtime, channel, account)
        mapping = _columns(column)
        if mapping and not source.backlog_columns:
            raise AduanError(f"{channel} backlogs have no columns to map (--column is for CSV)")
        new = present = quarantined = 0
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed} messages"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, transient=True) as progress:
            task = progress.add_task(f"importing {path.name}", total=None)
            for batch in _batches(source.backlog(path, mapping or None), BATCH):
                saved = save_batch(runtime.engine, batch)
                new += len(saved.new)
                present += len(saved.duplicates)
                quarantined += len(saved.rejected)
                failed: dict[str, list[int]] = {}
                for raw in batch:
                    key = (raw.channel, raw.account, raw.external_id)
                    if key not in saved.inserted:
                        continue
                    try:
                        source.read(raw)
                    except BadPayload as exc:
                        failed.setdefault(str(exc), []).append(saved.new[raw.external_id])
                with runtime.engine.begin() as conn:
                    for error, ids in failed.items():
                        set_status(conn, ids, "quarantined", error)
                quarantined += sum(len(ids) for ids in failed.values())
                progress.advance(task, len(batch))
        typer.echo(f"{path}: {new} new, {present} already present, {quarantined} quarantined")
        if quarantined:
            typer.echo("see them with: aduan quarantine list", err=True)
            raise typer.Exit(1)
    finally:
        runtime.close()
