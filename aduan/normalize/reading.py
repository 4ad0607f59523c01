"""Reading a batch: stored raw rows -> parsed, cleaned messages ready for matching.

Each raw message is read by its channel (:mod:`aduan.normalize.readers`).
What cannot become a complaint is marked at once: a ``BadPayload`` (or any
error of the cleanup) quarantines the message with its error, a message the
channel ignores is marked ``ignored``. A delivery report (``RECEIPT``) moves
the outbox row of the message it reports on (found by the provider's message
id on the same channel instance) in the batch's transaction, and is marked
``ignored``: it never becomes a complaint. So is a STOP or MULAI
(:mod:`aduan.replies.optout`: the sender's contact preference is recorded the
first time it is read, not again on a replay). The parts of a split SMS
(``fragment``) are gathered with the parts still ``waiting`` in the store and
joined in order; parts that wait less than ``fragment_wait_minutes`` for
their siblings are marked ``waiting``. A raw that already fed a complaint (a
replay) is passed through unread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from aduan.config.normalize import NormalizeSettings
from aduan.core.messages import Disposition, Message, RawMessage
from aduan.core.text import clean_text, matching_form
from aduan.normalize.features import Features, extract
from aduan.normalize.readers import Readers
from aduan.normalize.rows import Rows, Stats, failure
from aduan.normalize.sketch import BandKeys
from aduan.replies import active as active_replies
from aduan.replies import optout
from aduan.store.models import raw_messages as raws_table
from aduan.store.outbox import record_receipt

RAW_COLUMNS = (
    raws_table.c.id,
    raws_table.c.channel,
    raws_table.c.account,
    raws_table.c.external_id,
    raws_table.c.payload,
    raws_table.c.content_type,
    raws_table.c.received_at,
    raws_table.c.meta,
    raws_table.c.status,
    raws_table.c.complaint_id,
)


@dataclass(slots=True)
class StoredRaw:
    id: int
    raw: RawMessage
    status: str
    complaint_id: int | None


def load_raws(conn: Connection, ids: Sequence[int]) -> list[StoredRaw]:
    rows = conn.execute(select(*RAW_COLUMNS).where(raws_table.c.id.in_(list(ids)))).all()
    return [to_stored(r) for r in rows]


def to_stored(r: Any) -> StoredRaw:
    raw = RawMessage(
        channel=r.channel,
        account=r.account,
        external_id=r.external_id,
        payload=r.payload,
        content_type=r.content_type,
        received_at=r.received_at,
        meta=r.meta or {},
    )
    return StoredRaw(r.id, raw, r.status, r.complaint_id)


@dataclass(slots=True)
class Item:
    """A message ready for matching: its cleaned text, matching form and features."""

    stored: StoredRaw
    message: Message
    clean: str
    match: str
    features: Features
    keys: BandKeys | None = None
    extra_raws: tuple[StoredRaw, ...] = ()
    """The other parts of a split message, joined into this one."""
    identities: list[str] = field(default_factory=list)


def build_item(stored: StoredRaw, message: Message) -> Item:
    """Clean the message's text (subject first, address after) and extract its features."""
    text = message.text
    if message.subject and message.subject.strip() and message.subject not in text:
        text = f"{message.subject}\n{text}"
    clean = clean_text(text)
    where = message.location.address if message.location and message.location.address else ""
    match = matching_form(f"{clean} {where}" if where else clean)
    return Item(stored, message, clean, match, extract(match))


_Groups = dict[tuple[str, str, str], list[tuple[StoredRaw, Message]]]


class BatchReader:
    """Reads one batch; marks (in ``rows``) and counts (in ``stats``) what it sets aside."""

    def __init__(
        self,
        conn: Connection,
        readers: Readers,
        settings: NormalizeSettings,
        rows: Rows,
        stats: Stats,
    ) -> None:
        self.conn = conn
        self.readers = readers
        self.settings = settings
        self.rows = rows
        self.stats = stats
        self.still_waiting = False
        """After :meth:`read`: whether parts are left waiting for their siblings."""

    def read(
        self, batch: Sequence[StoredRaw], *, waiting: bool, clock: datetime
    ) -> list[Item | StoredRaw]:
        """Items to match, and replayed raws (those with a complaint), in batch order.

        ``waiting``: whether parts may be waiting in the store from earlier batches;
        ``clock``: the newest time seen, against which a part's patience runs out.
        """
        out: list[Item | StoredRaw] = []
        fragments: _Groups = {}
        self.still_waiting = waiting
        for stored in batch:
            if stored.complaint_id is not None:
                out.append(stored)  # a replayed source: keeps its complaint
                continue
            try:
                message = self.readers.read(stored.raw)
            except Exception as exc:  # one unreadable raw never holds back the batch
                self._quarantine(stored, failure("read", exc))
                continue
            if message.disposition == Disposition.IGNORE:
                self.rows.mark(stored.id, "ignored", message.ignore_reason)
                self.stats.ignored += 1
                continue
            if message.disposition == Disposition.RECEIPT:  # a delivery report, not a complaint
                self.rows.mark(stored.id, "ignored", self._receipt(stored, message))
                self.stats.ignored += 1
                continue
            opted = optout.apply(
                self.conn,
                stored.raw.channel,
                message,
                active_replies().settings,
                record=stored.status == "pending",
            )
            if opted is not None:
                self.rows.mark(stored.id, "ignored", opted)
                self.stats.ignored += 1
                continue
            if message.fragment is not None and message.fragment.total > 1:
                group = (stored.raw.channel, stored.raw.account, message.fragment.group)
                fragments.setdefault(group, []).append((stored, message))
                continue
            item = self._guarded_item(stored, message)
            if item is not None:
                out.append(item)
        if fragments or waiting:
            out.extend(self._reassemble(fragments, clock))
        return out

    def _receipt(self, stored: StoredRaw, message: Message) -> str:
        """Apply a delivery report to the outbox; the note the raw is kept with."""
        receipt = message.receipt
        if receipt is None:
            return "delivery report: unknown"
        channel = f"{stored.raw.channel}/{stored.raw.account}"
        moved = record_receipt(
            self.conn, receipt.provider_id, receipt.status, channel=channel, error=receipt.error
        )
        return f"delivery report: {receipt.status}" + ("" if moved else " (no outbox change)")

    def _quarantine(self, stored: StoredRaw, error: str) -> None:
        self.rows.mark(stored.id, "quarantined", error)
        self.stats.quarantined += 1
        self.stats.quarantined_by_channel[f"{stored.raw.channel}/{stored.raw.account}"] += 1

    def _guarded_item(self, stored: StoredRaw, message: Message) -> Item | None:
        """:func:`build_item`, or None with the raw quarantined: a text the cleanup chokes
        on must not hold back the batch (it would be claimed and fail again forever)."""
        try:
            return build_item(stored, message)
        except Exception as exc:
            self._quarantine(stored, failure("normalize", exc))
            return None

    def _reassemble(self, groups: _Groups, clock: datetime) -> list[Item]:
        waiting = self.conn.execute(
            select(*RAW_COLUMNS).where(raws_table.c.status == "waiting")
        ).all()
        for row in waiting:
            stored = to_stored(row)
            if any(stored.id == s.id for parts in groups.values() for s, _ in parts):
                continue
            try:
                message = self.readers.read(stored.raw)
            except Exception:  # noqa: S112 - quarantined when it was first read
                continue
            if message.fragment is None:
                continue
            group = (stored.raw.channel, stored.raw.account, message.fragment.group)
            groups.setdefault(group, []).append((stored, message))
        items: list[Item] = []
        self.still_waiting = False
        patience = timedelta(minutes=self.settings.fragment_wait_minutes)
        for parts in groups.values():
            by_index = {m.fragment.index: (s, m) for s, m in parts if m.fragment}
            total = max(m.fragment.total for _, m in parts if m.fragment)
            first_at = min(s.raw.received_at for s, _ in parts)
            if len(by_index) < total and clock - first_at < patience:
                self.still_waiting = True
                for stored, _ in parts:
                    if stored.status != "waiting":
                        self.rows.mark(stored.id, "waiting")
                        self.stats.waiting += 1
                continue
            ordered = [by_index[i] for i in sorted(by_index)]
            head_stored, head = ordered[0]
            text = "".join(m.text for _, m in ordered)
            message = head.model_copy(update={"text": text, "fragment": None})
            item = self._guarded_item(head_stored, message)
            if item is None:
                for stored, _ in ordered[1:]:
                    error = f"normalize: part of the message of raw {head_stored.id}, which failed"
                    self._quarantine(stored, error)
                continue
            item.extra_raws = tuple(s for s, _ in ordered[1:])
            items.append(item)
        return items
