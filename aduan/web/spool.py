"""The webhook spool: where requests go while the store is unreachable.

When a webhook's rows cannot be committed because the database is down
(:class:`~aduan.core.errors.StoreUnavailable`), the web layer appends the
request's parsed raw messages to ``<data_dir>/spool/webhooks.spool``, fsyncs
it, and only then answers 2xx. The ``spool-drain`` periodic job moves the
file aside (``webhooks.<ns>.draining``), commits its records with
insert-or-ignore, and deletes it only after the commit: a crash or a second
outage during the drain replays the file next time, and the unique key
absorbs the replay. Nothing is lost and nothing doubles.

Record format, one per request, one line each::

    <crc32 of the JSON, 8 hex digits> <JSON>\\n
    JSON = {"raws": [{"channel", "account", "external_id", "payload" (base64),
                      "content_type", "received_at" (ISO 8601), "meta"}]}

A record is appended with one ``write`` and fsynced before the 2xx. A torn
last record (a crash mid-write, never acknowledged) is cut off when the spool
is opened; a record whose checksum does not match is skipped, logged and
copied to ``webhooks.corrupt`` for an operator. Appends and the rename of the
drain take an ``flock`` on ``spool.lock``, so processes sharing a data
directory stay consistent.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from aduan.core.logs import get_logger
from aduan.core.messages import RawMessage
from aduan.runtime import metrics
from aduan.store import save_batch

if TYPE_CHECKING:
    from aduan.runtime import Runtime

log = get_logger("aduan.spool")

ACTIVE = "webhooks.spool"
DRAINING_GLOB = "webhooks.*.draining"
DRAIN_ROWS = 500


def encode(raws: Sequence[RawMessage]) -> bytes:
    body = json.dumps(
        {
            "raws": [
                {
                    "channel": raw.channel,
                    "account": raw.account,
                    "external_id": raw.external_id,
                    "payload": base64.b64encode(raw.payload).decode("ascii"),
                    "content_type": raw.content_type,
                    "received_at": raw.received_at.isoformat(),
                    "meta": dict(raw.meta),
                }
                for raw in raws
            ]
        },
        separators=(",", ":"),
        ensure_ascii=True,
        default=str,
    ).encode("ascii")
    return b"%08x " % zlib.crc32(body) + body + b"\n"


def decode(line: bytes) -> list[RawMessage]:
    """One record's raw messages; ``ValueError`` when the line is torn or corrupt."""
    if len(line) < 10 or line[8:9] != b" " or not line.endswith(b"\n"):
        raise ValueError("torn record")
    body = line[9:-1]
    if int(line[:8], 16) != zlib.crc32(body):
        raise ValueError("checksum mismatch")
    data: dict[str, Any] = json.loads(body)
    return [
        RawMessage(
            channel=item["channel"],
            account=item["account"],
            external_id=item["external_id"],
            payload=base64.b64decode(item["payload"]),
            content_type=item["content_type"],
            received_at=datetime.fromisoformat(item["received_at"]),
            meta=item.get("meta") or {},
        )
        for item in data["raws"]
    ]


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _count(path: Path) -> int:
    try:
        with path.open("rb") as handle:
            return sum(1 for line in handle if line.endswith(b"\n"))
    except FileNotFoundError:
        return 0


class Spool:
    """An append-only, fsynced spool of webhook requests under ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.active = folder / ACTIVE
        self._lock = threading.Lock()
        self.records = 0
        if folder.is_dir():  # created at the first append, not before
            with self._locked():
                self._cut_torn_tail(self.active)
            self.records = _count(self.active) + sum(
                _count(path) for path in folder.glob(DRAINING_GLOB)
            )

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with self._lock, (self.folder / "spool.lock").open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @staticmethod
    def _cut_torn_tail(path: Path) -> None:
        """Drop an unterminated last record: it was never fsynced and never acknowledged."""
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return
        if data and not data.endswith(b"\n"):
            keep = data.rfind(b"\n") + 1
            log.warning("spool_torn_record_cut", path=str(path), bytes=len(data) - keep)
            with path.open("r+b") as handle:
                handle.truncate(keep)
                os.fsync(handle.fileno())

    def append(self, raws: Sequence[RawMessage]) -> None:
        """Append one request's rows and fsync; returns only once they are durable."""
        record = encode(raws)
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._locked():
            created = not self.active.exists()
            fd = os.open(self.active, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                size = os.fstat(fd).st_size
                try:
                    view = memoryview(record)
                    while view:
                        view = view[os.write(fd, view) :]
                    os.fsync(fd)
                except OSError:
                    os.ftruncate(fd, size)  # never leave half a record behind
                    raise
            finally:
                os.close(fd)
            if created:
                _fsync_dir(self.folder)
            self.records += 1
        metrics.spool_written()

    def pending(self) -> bool:
        try:
            if self.active.stat().st_size > 0:
                return True
        except FileNotFoundError:
            pass
        return any(self.folder.glob(DRAINING_GLOB))

    def drain(self, engine: Engine, should_stop: Callable[[], bool] = lambda: False) -> int:
        """Commit every spooled record; return the rows committed as new.

        Raises :class:`~aduan.core.errors.StoreUnavailable` when the store is still
        down; the file being drained stays and is replayed next time.
        """
        if not self.pending():
            return 0
        with self._locked():
            if self.active.exists() and self.active.stat().st_size > 0:
                self.active.rename(self.folder / f"webhooks.{time.time_ns()}.draining")
                _fsync_dir(self.folder)
        new = 0
        for path in sorted(self.folder.glob(DRAINING_GLOB)):
            if should_stop():
                break
            new += self._drain_file(engine, path)
        return new

    def _drain_file(self, engine: Engine, path: Path) -> int:
        raws: list[RawMessage] = []
        records = 0
        with path.open("rb") as handle:
            for number, line in enumerate(handle, 1):
                records += line.endswith(b"\n")
                try:
                    raws.extend(decode(line))
                except (ValueError, KeyError, TypeError) as exc:
                    log.error("spool_record_skipped", path=path.name, line=number, error=str(exc))
                    if line.endswith(b"\n"):
                        with (self.folder / "webhooks.corrupt").open("ab") as bad:
                            bad.write(line)
                    continue
        new = 0
        for start in range(0, len(raws), DRAIN_ROWS):
            result = save_batch(engine, raws[start : start + DRAIN_ROWS])
            new += len(result.new)
            for raw, error in result.rejected:
                log.error("spool_row_rejected", channel=raw.channel, error=error)
                with (self.folder / "webhooks.rejected").open("ab") as bad:
                    bad.write(encode([raw]))
                metrics.quarantined(f"{raw.channel}/{raw.account}")
            for raw in raws[start : start + DRAIN_ROWS]:
                if raw.external_id in result.new:
                    metrics.stored(f"{raw.channel}/{raw.account}", 1)
        path.unlink()
        _fsync_dir(self.folder)
        with self._lock:
            self.records = max(0, self.records - records)
        metrics.spool_drained(records)
        log.info("spool_drained", records=records, rows=len(raws), new=new)
        return new


_SPOOLS: dict[Path, Spool] = {}
_SPOOLS_LOCK = threading.Lock()


def spool_for(runtime: Runtime) -> Spool:
    """The process's one :class:`Spool` for ``runtime``'s data directory."""
    folder = (runtime.settings.data_dir / "spool").resolve()
    with _SPOOLS_LOCK:
        if folder not in _SPOOLS:
            _SPOOLS[folder] = Spool(folder)
        return _SPOOLS[folder]


def drain_job(runtime: Runtime, should_stop: Callable[[], bool]) -> int:
    """The daemon's ``spool-drain`` job: commit what the spool holds."""
    return spool_for(runtime).drain(runtime.engine, should_stop)
