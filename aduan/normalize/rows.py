"""The rows one normalizer batch writes, gathered in memory and written in bulk.

Every decision of a batch only appends to lists here: new complaints and
incidents, sources, attachments, updates of complaints and incidents, and
the new status of each raw message. :meth:`Rows.flush` then allocates the
reference numbers (``ADU-2026-000123``) and writes each table with one
``executemany`` (:mod:`aduan.store.bulk`), inside the caller's transaction.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from aduan.config.normalize import NormalizeSettings
from aduan.core.messages import Attachment, Message, RawMessage
from aduan.normalize.window import IncidentState, incidents_table
from aduan.store.blobs import put_blob
from aduan.store.bulk import insert_rows, update_rows
from aduan.store.models import AttachmentRow, complaint_sources, complaints
from aduan.store.models import raw_messages as raws_table
from aduan.store.references import allocate

attachments_table = AttachmentRow.__table__  # type: ignore[attr-defined]


@dataclass
class Stats:
    """What a batch (or a run of batches) did, by outcome and by channel."""

    created: int = 0
    attached: int = 0
    incidents: int = 0
    linked: int = 0
    edited: int = 0
    ignored: int = 0
    quarantined: int = 0
    waiting: int = 0
    refreshed: int = 0
    unchanged: int = 0
    manual_kept: int = 0
    """Replayed complaints whose triage a human decided: kept as the human left it."""
    by_channel: Counter[str] = field(default_factory=Counter)
    quarantined_by_channel: Counter[str] = field(default_factory=Counter)
    """``<type>/<account>`` -> raws quarantined (for the per-channel metric)."""
    triaged_by_source: Counter[str] = field(default_factory=Counter)
    """The triage decisions of new complaints, by ``source`` (rules, default...)."""

    def add(self, other: Stats) -> None:
        for name, value in other.as_dict().items():
            setattr(self, name, getattr(self, name) + value)
        self.by_channel.update(other.by_channel)
        self.quarantined_by_channel.update(other.quarantined_by_channel)
        self.triaged_by_source.update(other.triaged_by_source)

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in self.__dict__.items() if isinstance(v, int)}


def failure(stage: str, exc: BaseException) -> str:
    """``stage: ExceptionClass: first line of its message`` (short; the payload stays out)."""
    lines = str(exc).strip().splitlines()
    return f"{stage}: {type(exc).__name__}: {lines[0][:200] if lines else ''}".rstrip(": ")


def text_hash(match: str) -> str:
    return hashlib.blake2b(match.encode(), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class NewComplaint:
    """What a new complaint is made of, besides its triage."""

    id: int
    raw: RawMessage
    message: Message
    clean: str
    match: str
    reporter: int | None
    incident_id: int | None
    source_count: int


class Rows:
    """The rows of one batch; :meth:`flush` writes them."""

    def __init__(
        self, conn: Connection, settings: NormalizeSettings, now: datetime, data_dir: Path | None
    ) -> None:
        self.conn = conn
        self.settings = settings
        self.now = now
        self.data_dir = data_dir
        self.complaints: dict[int, dict[str, Any]] = {}
        self.sources: list[dict[str, Any]] = []
        self.attachments: list[dict[str, Any]] = []
        self.raw_updates: list[dict[str, Any]] = []
        self.complaint_updates: dict[int, dict[str, Any]] = {}
        self.text_updates: dict[int, dict[str, Any]] = {}
        self.new_incidents: list[dict[str, Any]] = []
        self.dirty_incidents: set[int] = set()

    def mark(
        self, raw_id: int, status: str, error: str | None = None, complaint_id: int | None = None
    ) -> None:
        """The raw message's new status (and the complaint it fed)."""
        self.raw_updates.append(
            {
                "id": raw_id,
                "status": status,
                "error": error,
                "normalized_at": self.now,
                "complaint_id": complaint_id,
            }
        )

    def source(
        self,
        complaint_id: int,
        raw_id: int,
        raw: RawMessage,
        role: str,
        *,
        similarity: float | None = None,
        reference: str | None = None,
        ref: str | None = None,
        text: str | None = None,
    ) -> None:
        """One more source of a complaint; its raw is marked normalized."""
        self.sources.append(
            {
                "complaint_id": complaint_id,
                "raw_message_id": raw_id,
                "role": role,
                "ref": ref,
                "reference": reference,
                "channel": raw.channel,
                "received_at": raw.received_at,
                "text": text,
                "similarity": similarity,
            }
        )
        self.mark(raw_id, "normalized", None, complaint_id)

    def attach_files(
        self, complaint_id: int, raw_id: int, attachments: Sequence[Attachment]
    ) -> None:
        """The message's attachments; their bytes go to the blob store when there is one."""
        for att in attachments:
            sha = att.sha256
            stored = False
            if att.data is not None and self.data_dir is not None:
                sha = put_blob(self.data_dir, att.data)
                stored = True
            size = (
                att.size
                if att.size is not None
                else (len(att.data) if att.data is not None else None)
            )
            self.attachments.append(
                {
                    "complaint_id": complaint_id,
                    "raw_message_id": raw_id,
                    "filename": att.filename,
                    "content_type": att.content_type,
                    "size": size,
                    "sha256": sha,
                    "url": att.url,
                    "stored": stored,
                }
            )

    def new_complaint(
        self, new: NewComplaint, triage: Mapping[str, Any], place: Mapping[str, Any]
    ) -> None:
        """A complaint row; ``triage``: its category, agency, priority, track, due date,
        triage source and status; ``place``: its place columns."""
        raw, msg, loc = new.raw, new.message, new.message.location
        self.complaints[new.id] = {
            "id": new.id,
            "reference": raw.meta.get("reference"),
            "channel": raw.channel,
            "account": raw.account,
            "reporter_id": new.reporter,
            "text": new.clean,
            "original_text": msg.text,
            "match_text": new.match,
            "text_hash": text_hash(new.match),
            "subject": msg.subject,
            "language": msg.language or "id",
            "address": loc.address if loc else None,
            **place,
            "received_at": raw.received_at,
            "created_at": self.now,
            "updated_at": self.now,
            "category": triage["category"],
            "agency": triage["agency"],
            "priority": triage["priority"],
            "track": triage["track"],
            "due_at": triage["due_at"],
            "triage_source": triage["triage_source"],
            "status": triage["status"],
            "incident_id": new.incident_id,
            "source_count": new.source_count,
            "overdue": False,
            "extra": dict(msg.extra) if msg.extra else {},
        }

    def update_complaint(self, complaint_id: int, **values: Any) -> None:
        """Set columns of a complaint: in its new row if this batch creates it."""
        row = self.complaints.get(complaint_id)
        if row is not None:
            row.update(values)
        else:
            self.complaint_updates.setdefault(complaint_id, {}).update(values)

    def new_text(self, complaint_id: int, values: Mapping[str, Any]) -> None:
        """A stored complaint's new text (an edit, or a replay's cleaner cleanup)."""
        self.text_updates.setdefault(complaint_id, {}).update(values)

    def incident_grew(self, incident_id: int) -> None:
        """A stored incident has one more complaint (its count is written at flush)."""
        self.dirty_incidents.add(incident_id)

    def new_incident(self, incident_id: int, first_received_at: datetime) -> None:
        self.new_incidents.append(
            {"id": incident_id, "first_received_at": first_received_at, "created_at": self.now}
        )

    def flush(self, incidents: dict[int, IncidentState]) -> None:
        """Write everything gathered; ``incidents``: the window's, for their counts."""
        conn = self.conn
        if self.new_incidents:
            self._number(self.new_incidents, "first_received_at", self.settings.incident_prefix)
            for row in self.new_incidents:
                state = incidents[row["id"]]
                row.update(
                    complaint_count=state.count,
                    last_received_at=state.last,
                    address=None,
                    **state.place_row(),
                )
            insert_rows(conn, incidents_table, self.new_incidents)
        new_rows = list(self.complaints.values())
        missing = [c for c in new_rows if not c["reference"]]
        self._number(missing, "received_at", self.settings.reference_prefix)
        insert_rows(conn, complaints, new_rows)
        insert_rows(conn, complaint_sources, self.sources)
        insert_rows(conn, attachments_table, self.attachments)
        touched = [incidents[i] for i in sorted(self.dirty_incidents)]
        update_rows(
            conn,
            incidents_table,
            [
                {
                    "id": state.id,
                    "complaint_count": state.count,
                    "last_received_at": state.last,
                    **state.place_row(),
                }
                for state in touched
                if not state.new
            ],
        )
        for iid in self.dirty_incidents:
            incidents[iid].new = False
        for row in self.new_incidents:
            incidents[row["id"]].new = False
        self._update_complaints()
        update_rows(conn, raws_table, self.raw_updates, increment=("attempts",))

    def _number(self, rows: list[dict[str, Any]], when: str, prefix: str) -> None:
        """Give each row its reference number, in the year of its ``when``."""
        by_year: dict[int, list[dict[str, Any]]] = {}
        for row in rows:
            by_year.setdefault(row[when].year, []).append(row)
        for year, group in by_year.items():
            refs = allocate(self.conn, prefix, year, len(group))
            for row, ref in zip(group, refs, strict=True):
                row["reference"] = ref

    def _update_complaints(self) -> None:
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for cid, values in list(self.complaint_updates.items()) + list(self.text_updates.items()):
            keys = tuple(sorted(values))
            groups.setdefault(keys, []).append({**{k: values[k] for k in keys}, "id": cid})
        for rows in groups.values():
            update_rows(self.conn, complaints, rows)
