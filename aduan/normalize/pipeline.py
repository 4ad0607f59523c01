"""The normalizer: a batch of stored raw messages -> complaints, in one transaction.

For each raw message, in time order: ``read`` it (any exception quarantines
it with the exception's class and a short message, and the batch goes on),
drop it as ``ignored`` when the channel says so, find its reporter
(:mod:`aduan.normalize.reporters`), then decide where it belongs:

1. transport duplicates never reach here (the raw archive's unique key);
2. **same complaint**: a reply to a known message (``refs``), an ``EDIT``
   (replaces the text of the complaint its ``edit_of`` belongs to), the parts
   of a split SMS (``fragment``, reassembled), or the same reporter with the
   same problem within ``window_days`` (``followup_days`` for an explicit
   "gimana kelanjutannya?") -> one more source of that complaint;
3. **same incident**: another reporter, the same problem at the same place
   within ``incident_window_days`` -> a new complaint linked to one incident.

Candidates come from the reporter's own recent complaints, MinHash LSH over
word shingles (:mod:`aduan.normalize.sketch`) and a block index on (concept,
place word); each is confirmed by :func:`aduan.normalize.judge.judge`. The
window of recent complaints lives in memory and slides with time, so the
cost per message does not grow with the store. All rows are written with
Core ``executemany`` at the end of the batch; the caller commits.

A raw message that already fed a complaint (a replay) keeps its place: if it
is the complaint's first source, the complaint's derived fields (clean text,
triage) are refreshed; either way the complaint re-enters the window.
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
from collections import Counter, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from aduan import triage
from aduan.channels.base import Disposition, Message, RawMessage, utcnow
from aduan.normalize.features import Features, extract
from aduan.normalize.identity import phones_in_text
from aduan.normalize.ids import IdAllocator
from aduan.normalize.judge import Verdict, judge
from aduan.normalize.readers import Readers
from aduan.normalize.reporters import ReporterBook
from aduan.normalize.settings import NormalizeSettings
from aduan.normalize.sketch import BandKeys, MinHasher, WindowLSH
from aduan.normalize.text import clean_text, matching_form
from aduan.store.blobs import put_blob
from aduan.store.bulk import insert_rows, update_rows
from aduan.store.models import (
    AttachmentRow,
    Incident,
    TriageDecision,
    complaint_sources,
    complaints,
)
from aduan.store.models import raw_messages as raws_table
from aduan.store.references import allocate

_BLOCK_SWEEP = 50_000
"""Evictions from the window between two sweeps of the block index."""

incidents_table = Incident.__table__  # type: ignore[attr-defined]
attachments_table = AttachmentRow.__table__  # type: ignore[attr-defined]
triage_table = TriageDecision.__table__  # type: ignore[attr-defined]

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


@dataclass(slots=True)
class Entry:
    """A complaint inside the window."""

    id: int
    reporter: int | None
    received_at: datetime
    match: str
    features: Features
    incident: int | None
    source_count: int


@dataclass(slots=True)
class IncidentState:
    id: int
    count: int
    last: datetime
    new: bool


@dataclass
class Stats:
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
    by_channel: Counter[str] = field(default_factory=Counter)
    quarantined_by_channel: Counter[str] = field(default_factory=Counter)
    """``<type>/<account>`` -> raws quarantined (for the per-channel metric)."""
    triaged_by_source: Counter[str] = field(default_factory=Counter)
    """The triage decisions of new complaints, by ``source`` (rules, default...)."""

    def add(self, other: Stats) -> None:
        for name in (
            "created",
            "attached",
            "incidents",
            "linked",
            "edited",
            "ignored",
            "quarantined",
            "waiting",
            "refreshed",
            "unchanged",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.by_channel.update(other.by_channel)
        self.quarantined_by_channel.update(other.quarantined_by_channel)
        self.triaged_by_source.update(other.triaged_by_source)

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in self.__dict__.items() if isinstance(v, int)}


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


@lru_cache(maxsize=4096)
def block_keys(f: Features, *, asking: bool = False) -> tuple[str, ...]:
    """Keys of the block index: (concept, place word), refined by RT and RW.

    On a busy street most candidates name another RT or RW, which the judge
    always refuses. So every text is filed under its (concept, place) pairs,
    alone and with its RT, its RT and RW, and its RW ("-" for none named); a
    text asks only the blocks of its own RT/RW and of texts naming none, and
    its ``max_candidates`` are ones that can match. Cached: a street's problems
    come back with the same features again and again.
    """
    # A kelurahan's own words are among the places, unless they are all common words
    # ("pasar minggu"): then the name itself stands for the place.
    where = f.places | {k for k in f.kelurahan if f.places.isdisjoint(k.split())}
    pairs = [f"{c}|{p}" for c in f.concepts for p in where]
    rts = [str(rt) for rt in f.rt] or ["-"]
    rws = [str(rw) for rw in f.rw] or ["-"]
    if not asking:
        tails = [
            "",
            *(f"|{rt}" for rt in rts),
            *(f"|{rt}|{rw}" for rt in rts for rw in rws),
            *(f"|*|{rw}" for rw in rws),
        ]
    elif f.rt and f.rw:
        tails = [f"|{rt}|{rw}" for rt in (*rts, "-") for rw in (*rws, "-")]
    elif f.rt:
        tails = [f"|{rt}" for rt in (*rts, "-")]
    elif f.rw:
        tails = [f"|*|{rw}" for rw in (*rws, "-")]
    else:
        tails = [""]
    return tuple(pair + tail for pair in pairs for tail in tails)


def _ext_key(channel: str, account: str, external_id: str) -> str:
    return f"{channel}\x1f{account}\x1f{external_id}"


class Normalizer:
    """Keeps the dedup window between batches; :meth:`process` runs one batch."""

    def __init__(
        self,
        settings: NormalizeSettings,
        readers: Readers,
        *,
        data_dir: Path | None = None,
        nik_key: bytes | None = None,
    ) -> None:
        self.s = settings
        self.readers = readers
        self.data_dir = data_dir
        self.nik_key = nik_key
        self.hasher = MinHasher(settings.num_perm, settings.shingle_words, settings.lsh_threshold)
        self.lsh = WindowLSH(self.hasher.bands)
        self.window = timedelta(days=max(settings.window_days, settings.incident_window_days))
        self.entries: dict[int, Entry] = {}
        self.by_reporter: dict[int, list[int]] = {}
        self.blocks: dict[str, deque[int]] = {}
        self._evicted = 0
        self.refs: dict[str, int] = {}
        self.incidents: dict[int, IncidentState] = {}
        self.reporters = ReporterBook()
        self.complaint_ids = IdAllocator("complaints")
        self.incident_ids = IdAllocator("incidents")
        self.clock: datetime | None = None
        self.loaded_until: datetime | None = None
        self.max_seen_id = 0
        self.waiting = True
        """Whether split messages may be waiting for their other parts in the store."""

    # --- the window -------------------------------------------------------------------

    def _register(self, entry: Entry, keys: BandKeys | None) -> None:
        if entry.id in self.entries:
            self.entries[entry.id] = entry
            return
        self.entries[entry.id] = entry
        if entry.reporter is not None:
            self.by_reporter.setdefault(entry.reporter, []).append(entry.id)
        if keys is None:
            keys = self.hasher.keys([entry.match])[0]
        self.lsh.insert(entry.id, keys, entry.received_at)
        for key in block_keys(entry.features):
            block = self.blocks.get(key)
            if block is None:
                block = self.blocks[key] = deque(maxlen=self.s.max_candidates)
            block.append(entry.id)
        self.max_seen_id = max(self.max_seen_id, entry.id)

    def _advance(self, now: datetime) -> None:
        if self.clock is None or now > self.clock:
            self.clock = now
            evicted = self.lsh.evict_before(now - self.window)
            for gone in evicted:
                entry = self.entries.pop(gone, None)
                if entry is not None and entry.reporter is not None:
                    mine = self.by_reporter.get(entry.reporter)
                    if mine is not None:
                        with contextlib.suppress(ValueError):
                            mine.remove(gone)
                        if not mine:
                            del self.by_reporter[entry.reporter]
            self._evicted += len(evicted)
            if self._evicted > _BLOCK_SWEEP:
                self._sweep()

    def _sweep(self) -> None:
        """Drop the blocks whose newest text has left the window (their keys come and go),
        and the incidents whose last report has: no complaint in the window is theirs."""
        live = self.entries
        stale = [key for key, block in self.blocks.items() if not block or block[-1] not in live]
        for key in stale:
            del self.blocks[key]
        if self.clock is not None:
            cutoff = self.clock - self.window
            old = [
                i for i, state in self.incidents.items() if state.last < cutoff and not state.new
            ]
            for iid in old:
                del self.incidents[iid]
        self._evicted = 0

    def _load_window(self, conn: Connection, start: datetime, end: datetime) -> None:
        """Stored complaints the batch's messages (received ``start``..``end``) may join.

        Only the slice of time not loaded yet is read, never what lies after ``end``
        (a replay meets later complaints through their own sources); complaints other
        workers added since the last batch come in by id.
        """
        since = start - self.window
        low = since if self.loaded_until is None else max(since, self.loaded_until)
        in_time = and_(complaints.c.received_at >= low, complaints.c.received_at <= end)
        cond = in_time
        if self.loaded_until is not None:
            cond = or_(
                in_time,
                and_(
                    complaints.c.id > self.max_seen_id,
                    complaints.c.received_at >= since,
                    complaints.c.received_at <= end,
                ),
            )
        self.loaded_until = end if self.loaded_until is None else max(self.loaded_until, end)
        rows = conn.execute(
            select(
                complaints.c.id,
                complaints.c.reporter_id,
                complaints.c.received_at,
                complaints.c.match_text,
                complaints.c.incident_id,
                complaints.c.source_count,
            )
            .where(cond)
            .order_by(complaints.c.received_at, complaints.c.id)
        ).all()
        self._add_rows(conn, rows)

    def _add_rows(self, conn: Connection, rows: Sequence[Any]) -> None:
        if not rows:
            return
        fresh = [r for r in rows if r.id not in self.entries]
        all_keys = self.hasher.keys([r.match_text for r in fresh])
        for r, keys in zip(fresh, all_keys, strict=True):
            rid = self.reporters.canonical(r.reporter_id) if r.reporter_id else None
            entry = Entry(
                r.id,
                rid,
                r.received_at,
                r.match_text,
                extract(r.match_text),
                r.incident_id,
                r.source_count,
            )
            self._register(entry, keys)
        wanted = {r.incident_id for r in fresh if r.incident_id} - set(self.incidents)
        if wanted:
            for inc in conn.execute(
                select(
                    incidents_table.c.id,
                    incidents_table.c.complaint_count,
                    incidents_table.c.last_received_at,
                ).where(incidents_table.c.id.in_(list(wanted)))
            ):
                self.incidents[inc.id] = IncidentState(inc.id, inc.complaint_count, inc[2], False)

    def _entry(self, conn: Connection, complaint_id: int) -> Entry | None:
        entry = self.entries.get(complaint_id)
        if entry is None:
            rows = conn.execute(
                select(
                    complaints.c.id,
                    complaints.c.reporter_id,
                    complaints.c.received_at,
                    complaints.c.match_text,
                    complaints.c.incident_id,
                    complaints.c.source_count,
                ).where(complaints.c.id == complaint_id)
            ).all()
            self._add_rows(conn, rows)
            entry = self.entries.get(complaint_id)
        return entry

    # --- one batch ----------------------------------------------------------------------

    def process(self, conn: Connection, batch: Sequence[StoredRaw]) -> Stats:
        """Normalize ``batch`` inside the caller's transaction."""
        run = _Batch(self, conn)
        return run.run(sorted(batch, key=lambda r: (r.raw.received_at, r.id)))

    def forget(self) -> None:
        """Drop every cache (after a rollback)."""
        self.__init__(  # type: ignore[misc]
            self.s, self.readers, data_dir=self.data_dir, nik_key=self.nik_key
        )


@dataclass(slots=True)
class _Item:
    stored: StoredRaw
    message: Message
    clean: str
    match: str
    features: Features
    keys: BandKeys | None = None
    extra_raws: tuple[StoredRaw, ...] = ()
    identities: list[str] = field(default_factory=list)


class _Batch:
    """The rows one batch writes, and the decisions that produce them."""

    def __init__(self, n: Normalizer, conn: Connection) -> None:
        self.n = n
        self.conn = conn
        self.s = n.s
        self.stats = Stats()
        self.now = utcnow()
        self.complaints: list[dict[str, Any]] = []
        self.sources: list[dict[str, Any]] = []
        self.attachments: list[dict[str, Any]] = []
        self.triage: list[dict[str, Any]] = []
        self.raw_updates: list[dict[str, Any]] = []
        self.complaint_updates: dict[int, dict[str, Any]] = {}
        self.text_updates: dict[int, dict[str, Any]] = {}
        self.new_incidents: list[dict[str, Any]] = []
        self.new_rows: dict[int, dict[str, Any]] = {}
        self.newest = self.now
        self.dirty_incidents: set[int] = set()
        n.reporters.begin(conn)
        n.complaint_ids.begin(conn)
        n.incident_ids.begin(conn)

    # reading --------------------------------------------------------------------------

    def _mark(
        self,
        stored: StoredRaw,
        status: str,
        error: str | None = None,
        complaint_id: int | None = None,
    ) -> None:
        self.raw_updates.append(
            {
                "id": stored.id,
                "status": status,
                "error": error,
                "normalized_at": self.now,
                "complaint_id": complaint_id,
            }
        )

    def _quarantine(self, stored: StoredRaw, error: str) -> None:
        self._mark(stored, "quarantined", error)
        self.stats.quarantined += 1
        self.stats.quarantined_by_channel[f"{stored.raw.channel}/{stored.raw.account}"] += 1

    def _read_all(self, batch: Sequence[StoredRaw]) -> list[_Item | StoredRaw]:
        out: list[_Item | StoredRaw] = []
        fragments: dict[tuple[str, str, str], list[tuple[StoredRaw, Message]]] = {}
        for stored in batch:
            if stored.complaint_id is not None:
                out.append(stored)  # a replayed source: keeps its complaint
                continue
            try:
                message = self.n.readers.read(stored.raw)
            except Exception as exc:  # one unreadable raw never holds back the batch
                self._quarantine(stored, failure("read", exc))
                continue
            if message.disposition == Disposition.IGNORE:
                self._mark(stored, "ignored", message.ignore_reason)
                self.stats.ignored += 1
                continue
            if message.fragment is not None and message.fragment.total > 1:
                group = (stored.raw.channel, stored.raw.account, message.fragment.group)
                fragments.setdefault(group, []).append((stored, message))
                continue
            item = self._guarded_item(stored, message)
            if item is not None:
                out.append(item)
        if fragments or self.n.waiting:
            out.extend(self._reassemble(fragments))
        return out

    def _guarded_item(self, stored: StoredRaw, message: Message) -> _Item | None:
        """:meth:`_item`, or None with the raw quarantined: a text the cleanup chokes on
        must not hold back the batch (it would be claimed and fail again forever)."""
        try:
            return self._item(stored, message)
        except Exception as exc:
            self._quarantine(stored, failure("normalize", exc))
            return None

    def _item(self, stored: StoredRaw, message: Message) -> _Item:
        text = message.text
        if message.subject and message.subject.strip() and message.subject not in text:
            text = f"{message.subject}\n{text}"
        clean = clean_text(text)
        where = message.location.address if message.location and message.location.address else ""
        match = matching_form(f"{clean} {where}" if where else clean)
        return _Item(stored, message, clean, match, extract(match))

    def _reassemble(
        self, groups: dict[tuple[str, str, str], list[tuple[StoredRaw, Message]]]
    ) -> list[_Item]:
        waiting = self.conn.execute(
            select(*RAW_COLUMNS).where(raws_table.c.status == "waiting")
        ).all()
        for row in waiting:
            stored = to_stored(row)
            if any(stored.id == s.id for parts in groups.values() for s, _ in parts):
                continue
            try:
                message = self.n.readers.read(stored.raw)
            except Exception:  # noqa: S112 - quarantined when it was first read
                continue
            if message.fragment is None:
                continue
            group = (stored.raw.channel, stored.raw.account, message.fragment.group)
            groups.setdefault(group, []).append((stored, message))
        items: list[_Item] = []
        self.n.waiting = False
        patience = timedelta(minutes=self.s.fragment_wait_minutes)
        for parts in groups.values():
            by_index = {m.fragment.index: (s, m) for s, m in parts if m.fragment}
            total = max(m.fragment.total for _, m in parts if m.fragment)
            first_at = min(s.raw.received_at for s, _ in parts)
            clock = max(self.newest, self.n.clock or self.newest)
            if len(by_index) < total and clock - first_at < patience:
                self.n.waiting = True
                for stored, _ in parts:
                    if stored.status != "waiting":
                        self._mark(stored, "waiting")
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

    # deciding -------------------------------------------------------------------------

    def run(self, batch: Sequence[StoredRaw]) -> Stats:
        if not batch:
            return self.stats
        self.newest = max(s.raw.received_at for s in batch)
        items = self._read_all(batch)
        fresh = [i for i in items if isinstance(i, _Item)]
        if fresh:
            all_keys = self.n.hasher.keys([i.match for i in fresh])
            for item, keys in zip(fresh, all_keys, strict=True):
                item.keys = keys
        start = min(s.raw.received_at for s in batch)
        self.n._load_window(self.conn, start, self.newest)
        idents: set[str] = set()
        for item in fresh:
            item.identities = self._identities(item)
            idents.update(item.identities)
        self.n.reporters.prefetch(idents)
        for entry in items:
            if isinstance(entry, _Item):
                self.stats.by_channel[entry.stored.raw.channel] += 1
                self._handle(entry)
            else:
                self.stats.by_channel[entry.raw.channel] += 1
                self._replayed(entry)
        self._flush()
        return self.stats

    def _identities(self, item: _Item) -> list[str]:
        found = list(item.message.identities) + list(item.message.linked_identities)
        for phone in phones_in_text(item.message.text):
            if phone not in found:
                found.append(phone)
        return found

    def _handle(self, item: _Item) -> None:
        n = self.n
        raw = item.stored.raw
        at = raw.received_at
        n._advance(at)
        reporter = n.reporters.resolve(
            item.identities,
            display_name=item.message.display_name,
            raw_id=item.stored.id,
            at=at,
        )
        msg = item.message
        if msg.disposition == Disposition.EDIT and msg.edit_of:
            target = self._lookup_ref(raw.channel, raw.account, [msg.edit_of], external=True)
            if target is not None:
                self._edit(item, target)
                return
        if msg.refs:
            target = self._lookup_ref(raw.channel, raw.account, list(msg.refs), external=True)
            if target is not None:
                self._attach(item, target, "followup", None)
                return
        match = self._same_complaint(item, reporter)
        if match is not None:
            target, sim = match
            role = "resend" if sim >= self.s.near_duplicate else "followup"
            self._attach(item, target, role, sim)
            return
        incident_of = self._same_incident(item, reporter)
        self._create(item, reporter, incident_of)

    def _same_complaint(self, item: _Item, reporter: int | None) -> tuple[int, float] | None:
        if reporter is None:
            return None
        n = self.n
        at = item.stored.raw.received_at
        horizon = at - timedelta(days=self.s.window_days)
        candidates = reversed(n.by_reporter.get(reporter, ()))
        best = self._best(item, candidates, horizon, reporter, same_reporter=True)
        if best is not None:
            return best
        if item.features.followup:
            return self._followup(item, reporter)
        return None

    def _followup(self, item: _Item, reporter: int) -> tuple[int, float] | None:
        """An explicit follow-up older than the window: ask the store."""
        at = item.stored.raw.received_at
        since = at - timedelta(days=self.s.followup_days)
        merged = [r for r, k in self.n.reporters.merged_into.items() if k == reporter]
        rows = self.conn.execute(
            select(complaints.c.id)
            .where(
                complaints.c.reporter_id.in_([reporter, *merged]),
                complaints.c.received_at >= since,
                complaints.c.received_at <= at,
            )
            .order_by(complaints.c.received_at.desc())
            .limit(20)
        ).scalars()
        bare = not item.features.concepts
        for cid in rows:
            entry = self.n._entry(self.conn, cid)
            if entry is None:
                continue
            if bare:
                return (cid, 0.0)  # "gimana kelanjutannya?" alone: the latest complaint
            verdict = self._judge(entry, item, same_reporter=True)
            if verdict.same:
                return (cid, verdict.similarity)
        return None

    def _same_incident(self, item: _Item, reporter: int | None) -> int | None:
        n = self.n
        at = item.stored.raw.received_at
        horizon = at - timedelta(days=self.s.incident_window_days)
        near: set[int] = set()
        if item.keys is not None:
            near = n.lsh.query(item.keys)
        blocked: set[int] = set()
        for key in block_keys(item.features, asking=True):
            block = n.blocks.get(key)
            if block:
                blocked.update(block)
        if len(near) > self.s.max_candidates:
            near = set(heapq.nlargest(self.s.max_candidates, near))
        blocked -= near
        if len(blocked) > self.s.max_candidates:
            blocked = set(heapq.nlargest(self.s.max_candidates, blocked))  # the most recent
        best = self._best(item, (*near, *blocked), horizon, reporter, same_reporter=False)
        return best[0] if best else None

    def _judge(self, entry: Entry, item: _Item, *, same_reporter: bool) -> Verdict:
        return judge(
            entry.features,
            item.features,
            entry.match,
            item.match,
            same_reporter=same_reporter,
            near_duplicate=self.s.near_duplicate,
        )

    def _best(
        self,
        item: _Item,
        candidates: Iterable[int],
        horizon: datetime,
        reporter: int | None,
        *,
        same_reporter: bool,
    ) -> tuple[int, float] | None:
        """The most similar candidate within the window that the judge calls the same,
        the newest of equals (candidates come out of sets, whose order must not decide).
        Other reporters' candidates only: the reporter's own are a same-complaint matter."""
        best: tuple[int, float] | None = None
        entries = self.n.entries
        for cid in candidates:
            entry = entries.get(cid)
            if entry is None or entry.received_at < horizon:
                continue
            if not same_reporter and entry.reporter == reporter:
                continue
            same, sim, _why = self._judge(entry, item, same_reporter=same_reporter)
            if same and (best is None or (sim, cid) > (best[1], best[0])):
                best = (cid, sim)
        return best

    def _lookup_ref(
        self, channel: str, account: str, refs: list[str], *, external: bool
    ) -> int | None:
        n = self.n
        for ref in refs:
            for key in (ref, _ext_key(channel, account, ref)):
                if key in n.refs:
                    return n.refs[key]
        found = self.conn.execute(
            select(raws_table.c.complaint_id).where(
                raws_table.c.channel == channel,
                raws_table.c.account == account,
                raws_table.c.external_id.in_(refs),
                raws_table.c.complaint_id.is_not(None),
            )
        ).scalar()
        if found is None:
            found = self.conn.execute(
                select(complaint_sources.c.complaint_id).where(complaint_sources.c.ref.in_(refs))
            ).scalar()
        return int(found) if found is not None else None

    def _remember_refs(self, item: _Item, complaint_id: int) -> None:
        raw = item.stored.raw
        self.n.refs[_ext_key(raw.channel, raw.account, raw.external_id)] = complaint_id
        if item.message.ref:
            self.n.refs[item.message.ref] = complaint_id
        if len(self.n.refs) > 200_000:
            self.n.refs.clear()  # the store answers what memory forgot

    # writing --------------------------------------------------------------------------

    def _source(
        self,
        item: _Item,
        stored: StoredRaw,
        complaint_id: int,
        role: str,
        sim: float | None,
        reference: str | None,
    ) -> None:
        self.sources.append(
            {
                "complaint_id": complaint_id,
                "raw_message_id": stored.id,
                "role": role,
                "ref": item.message.ref if stored is item.stored else None,
                "reference": reference,
                "channel": stored.raw.channel,
                "received_at": stored.raw.received_at,
                "text": item.clean if role != "first" and stored is item.stored else None,
                "similarity": sim,
            }
        )
        self._mark(stored, "normalized", None, complaint_id)

    def _attachments(self, item: _Item, complaint_id: int) -> None:
        for att in item.message.attachments:
            sha = att.sha256
            stored = False
            if att.data is not None and self.n.data_dir is not None:
                sha = put_blob(self.n.data_dir, att.data)
                stored = True
            self.attachments.append(
                {
                    "complaint_id": complaint_id,
                    "raw_message_id": item.stored.id,
                    "filename": att.filename,
                    "content_type": att.content_type,
                    "size": att.size
                    if att.size is not None
                    else (len(att.data) if att.data is not None else None),
                    "sha256": sha,
                    "url": att.url,
                    "stored": stored,
                }
            )

    def _attach(self, item: _Item, complaint_id: int, role: str, sim: float | None) -> None:
        reference = item.stored.raw.meta.get("reference")
        self._source(item, item.stored, complaint_id, role, sim, reference)
        for extra in item.extra_raws:
            self._source(item, extra, complaint_id, "fragment", None, None)
        self._attachments(item, complaint_id)
        entry = self.n._entry(self.conn, complaint_id)
        update_row = self.complaint_updates.setdefault(complaint_id, {})
        if entry is not None:
            entry.source_count += 1 + len(item.extra_raws)
            update_row["source_count"] = entry.source_count
        update_row["updated_at"] = self.now
        self._remember_refs(item, complaint_id)
        self.stats.attached += 1

    def _edit(self, item: _Item, complaint_id: int) -> None:
        self.text_updates[complaint_id] = {
            "text": item.clean,
            "original_text": item.message.text,
            "match_text": item.match,
            "text_hash": _hash(item.match),
            "updated_at": self.now,
        }
        entry = self.n.entries.get(complaint_id)
        if entry is not None:
            entry.match = item.match
            entry.features = item.features
        self._source(item, item.stored, complaint_id, "edit", None, None)
        self.stats.edited += 1

    def _create(self, item: _Item, reporter: int | None, incident_of: int | None) -> None:
        n = self.n
        raw = item.stored.raw
        msg = item.message
        cid = n.complaint_ids.take()[0]
        decision = triage.decide(item.match, channel=raw.channel, hint=msg.subject)
        due = triage.due_at(raw.received_at)
        status = "new" if decision.needs_review else "triaged"
        self.stats.triaged_by_source[decision.source] += 1
        loc = msg.location
        incident_id = self._link_incident(incident_of, raw.received_at) if incident_of else None
        self.complaints.append(
            row := {
                "id": cid,
                "reference": raw.meta.get("reference"),
                "channel": raw.channel,
                "account": raw.account,
                "reporter_id": reporter,
                "text": item.clean,
                "original_text": msg.text,
                "match_text": item.match,
                "text_hash": _hash(item.match),
                "subject": msg.subject,
                "language": msg.language or "id",
                "lat": loc.lat if loc else None,
                "lon": loc.lon if loc else None,
                "address": loc.address if loc else None,
                "kelurahan": None,
                "kecamatan": None,
                "received_at": raw.received_at,
                "created_at": self.now,
                "updated_at": self.now,
                "category": decision.category,
                "agency": decision.agency,
                "priority": decision.priority,
                "track": decision.track,
                "due_at": due,
                "triage_source": decision.source,
                "status": status,
                "incident_id": incident_id,
                "source_count": 1 + len(item.extra_raws),
                "overdue": False,
                "extra": dict(msg.extra) if msg.extra else {},
            }
        )
        self.new_rows[cid] = row
        self.triage.append(
            {
                "complaint_id": cid,
                "at": self.now,
                "category": decision.category,
                "agency": decision.agency,
                "priority": decision.priority,
                "track": decision.track,
                "due_at": due,
                "source": decision.source,
                "score": decision.score,
                "rules": list(decision.rules),
                "actor": "normalizer",
                "changes": {},
            }
        )
        self._source(item, item.stored, cid, "first", None, None)
        for extra in item.extra_raws:
            self._source(item, extra, cid, "fragment", None, None)
        self._attachments(item, cid)
        entry = Entry(
            cid,
            reporter,
            raw.received_at,
            item.match,
            item.features,
            incident_id,
            1 + len(item.extra_raws),
        )
        n._register(entry, item.keys)
        self._remember_refs(item, cid)
        self.stats.created += 1

    def _link_incident(self, other_id: int, at: datetime) -> int:
        n = self.n
        other = n._entry(self.conn, other_id)
        assert other is not None
        if other.incident is not None and other.incident in n.incidents:
            state = n.incidents[other.incident]
            state.count += 1
            state.last = max(state.last, at)
            self.dirty_incidents.add(state.id)
            self.stats.linked += 1
            return state.id
        iid = n.incident_ids.take()[0]
        state = IncidentState(iid, 2, max(at, other.received_at), True)
        n.incidents[iid] = state
        self.new_incidents.append(
            {"id": iid, "first_received_at": other.received_at, "created_at": self.now}
        )
        other.incident = iid
        row = self.new_rows.get(other.id)
        if row is not None:
            row["incident_id"] = iid
        else:
            self.complaint_updates.setdefault(other.id, {})["incident_id"] = iid
        self.stats.incidents += 1
        self.stats.linked += 1
        return iid

    def _replayed(self, stored: StoredRaw) -> None:
        """A source already attached: refresh its complaint's derived fields if it is the first."""
        assert stored.complaint_id is not None
        self.n._advance(stored.raw.received_at)
        if stored.status != "normalized":
            self._mark(stored, "normalized", None, stored.complaint_id)
        role = self.conn.execute(
            select(complaint_sources.c.role).where(complaint_sources.c.raw_message_id == stored.id)
        ).scalar()
        entry = self.n._entry(self.conn, stored.complaint_id)
        if role != "first" or entry is None:
            self.stats.unchanged += 1
            return
        try:
            message = self.n.readers.read(stored.raw)
        except Exception:  # unreadable now (a reader changed): the complaint stays as it is
            self.stats.unchanged += 1
            return
        item = self._item(stored, message)
        current = self.conn.execute(
            select(
                complaints.c.match_text,
                complaints.c.category,
                complaints.c.agency,
                complaints.c.priority,
                complaints.c.track,
            ).where(complaints.c.id == stored.complaint_id)
        ).one()
        decision = triage.decide(item.match, channel=stored.raw.channel, hint=message.subject)
        edited = self.conn.execute(
            select(complaint_sources.c.id).where(
                complaint_sources.c.complaint_id == stored.complaint_id,
                complaint_sources.c.role == "edit",
            )
        ).first()
        changes: dict[str, Any] = {}
        if not edited and current.match_text != item.match:
            changes.update(
                text=item.clean,
                original_text=message.text,
                match_text=item.match,
                text_hash=_hash(item.match),
            )
        fields = ("category", "agency", "priority", "track")
        if tuple(getattr(current, f) for f in fields) != tuple(
            getattr(decision, f) for f in fields
        ):
            changes.update({f: getattr(decision, f) for f in fields})
        if changes:
            changes["updated_at"] = self.now
            self.text_updates.setdefault(stored.complaint_id, {}).update(changes)
            self.stats.refreshed += 1
        else:
            self.stats.unchanged += 1

    def _flush(self) -> None:
        conn = self.conn
        n = self.n
        n.reporters.flush()
        if self.new_incidents:
            years: dict[int, list[dict[str, Any]]] = {}
            for row in self.new_incidents:
                years.setdefault(row["first_received_at"].year, []).append(row)
            for year, rows in years.items():
                for row, ref in zip(
                    rows, allocate(conn, self.s.incident_prefix, year, len(rows)), strict=True
                ):
                    state = n.incidents[row["id"]]
                    row.update(
                        reference=ref,
                        complaint_count=state.count,
                        last_received_at=state.last,
                        category=None,
                        lat=None,
                        lon=None,
                        address=None,
                    )
            insert_rows(conn, incidents_table, self.new_incidents)
        missing = [c for c in self.complaints if not c["reference"]]
        by_year: dict[int, list[dict[str, Any]]] = {}
        for row in missing:
            by_year.setdefault(row["received_at"].year, []).append(row)
        for year, rows in by_year.items():
            for row, ref in zip(
                rows, allocate(conn, self.s.reference_prefix, year, len(rows)), strict=True
            ):
                row["reference"] = ref
        insert_rows(conn, complaints, self.complaints)
        insert_rows(conn, complaint_sources, self.sources)
        insert_rows(conn, attachments_table, self.attachments)
        insert_rows(conn, triage_table, self.triage)
        touched = [n.incidents[i] for i in sorted(self.dirty_incidents)]
        update_rows(
            conn,
            incidents_table,
            [
                {"id": state.id, "complaint_count": state.count, "last_received_at": state.last}
                for state in touched
                if not state.new
            ],
        )
        for iid in self.dirty_incidents:
            n.incidents[iid].new = False
        for row in self.new_incidents:
            n.incidents[row["id"]].new = False
        self._update_complaints()
        update_rows(conn, raws_table, self.raw_updates, increment=("attempts",))

    def _update_complaints(self) -> None:
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for cid, values in list(self.complaint_updates.items()) + list(self.text_updates.items()):
            keys = tuple(sorted(values))
            groups.setdefault(keys, []).append({**{k: values[k] for k in keys}, "id": cid})
        for rows in groups.values():
            update_rows(self.conn, complaints, rows)


def failure(stage: str, exc: BaseException) -> str:
    """``stage: ExceptionClass: first line of its message`` (short; the payload stays out)."""
    lines = str(exc).strip().splitlines()
    return f"{stage}: {type(exc).__name__}: {lines[0][:200] if lines else ''}".rstrip(": ")


def _hash(match: str) -> str:
    return hashlib.blake2b(match.encode(), digest_size=16).hexdigest()
