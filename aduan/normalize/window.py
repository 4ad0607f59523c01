"""The dedup window: the recent complaints a new message may join, kept in memory.

A complaint enters the window when it is created or loaded from the store,
and leaves it when the clock (the newest message seen) has moved more than
``max(window_days, incident_window_days)`` past it, so the cost per message
does not grow with the store. Three indexes point into it:

* ``by_reporter`` — each reporter's complaints, oldest first (same complaint);
* MinHash LSH over word shingles (:mod:`aduan.normalize.sketch`);
* the block index on (concept, place word), refined by RT and RW
  (:func:`block_keys`), and on (place, category) (:func:`~aduan.normalize.where.place_keys`)
  — all three for the same incident.

The window also tracks the incidents its complaints belong to (their count
and last report), so a link adds to an incident without reading it again.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from aduan.config.normalize import NormalizeSettings
from aduan.normalize.features import Features, extract
from aduan.normalize.reporters import ReporterBook
from aduan.normalize.sketch import BandKeys, MinHasher, WindowLSH
from aduan.normalize.where import NOWHERE, Where, place_keys, where_of_row
from aduan.places import PlaceExtractor
from aduan.store.models import Incident, complaints

_PLACE_CANDIDATES = 6
"""Most recent complaints of the same place and category checked per message."""

_BLOCK_SWEEP = 50_000
"""Evictions from the window between two sweeps of the block index."""

incidents_table = Incident.__table__  # type: ignore[attr-defined]

_INCIDENT_PLACE = (
    "category",
    "kelurahan",
    "kecamatan",
    "region_code",
    "place_name",
    "lat",
    "lon",
)

_ENTRY_COLUMNS = (
    complaints.c.id,
    complaints.c.reporter_id,
    complaints.c.received_at,
    complaints.c.match_text,
    complaints.c.incident_id,
    complaints.c.source_count,
    complaints.c.category,
    complaints.c.kelurahan,
    complaints.c.kecamatan,
    complaints.c.street,
    complaints.c.place_name,
    complaints.c.rt,
    complaints.c.rw,
    complaints.c.lat,
    complaints.c.lon,
    complaints.c.extra,
)


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
    where: Where = NOWHERE
    category: str | None = None
    thread: str | None = None
    """The public thread the message was posted in (``extra["thread"]``: comments under
    one Instagram post): one thread is one place, for the same-incident rules."""


def thread_of(extra: Any) -> str | None:
    """The ``thread`` a message's (or a complaint's) ``extra`` names, if any."""
    thread = extra.get("thread") if isinstance(extra, dict) else None
    return thread if isinstance(thread, str) and thread else None


@dataclass(slots=True)
class IncidentState:
    """An incident of the window: ``new`` until its row is written.

    Its place: the first complaint's category and regions (what is still unknown is
    filled by later ones), and the centroid of its members' coordinates."""

    id: int
    count: int
    last: datetime
    new: bool
    category: str | None = None
    kelurahan: str | None = None
    kecamatan: str | None = None
    region_code: str | None = None
    place_name: str | None = None
    lat: float | None = None
    lon: float | None = None
    located: int = 0
    """How many members' coordinates the centroid is the mean of."""

    def add(self, entry: Entry, region_code: str | None) -> None:
        """A member's place: fills what is unknown, moves the centroid."""
        where = entry.where
        if self.category is None:
            self.category = entry.category
        if self.kelurahan is None and self.kecamatan in (None, where.kecamatan):
            self.kelurahan = where.kelurahan
            if where.kelurahan:
                self.region_code = region_code
        if self.kecamatan is None:
            self.kecamatan = where.kecamatan
            self.region_code = self.region_code or region_code
        if self.place_name is None:
            self.place_name = where.place_name
        if where.lat is not None and where.lon is not None:
            n = self.located
            self.lat = where.lat if self.lat is None else (self.lat * n + where.lat) / (n + 1)
            self.lon = where.lon if self.lon is None else (self.lon * n + where.lon) / (n + 1)
            self.located = n + 1

    def place_row(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "kelurahan": self.kelurahan,
            "kecamatan": self.kecamatan,
            "region_code": self.region_code,
            "place_name": self.place_name,
            "lat": self.lat,
            "lon": self.lon,
        }


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


class Window:
    """Recent complaints in memory, their indexes and incidents; slides with :meth:`advance`."""

    def __init__(
        self, settings: NormalizeSettings, reporters: ReporterBook, extractor: PlaceExtractor
    ) -> None:
        self.settings = settings
        self.reporters = reporters
        self.extractor = extractor
        self.hasher = MinHasher(settings.num_perm, settings.shingle_words, settings.lsh_threshold)
        self.lsh = WindowLSH(self.hasher.bands)
        self.span = timedelta(days=max(settings.window_days, settings.incident_window_days))
        self.entries: dict[int, Entry] = {}
        self.by_reporter: dict[int, list[int]] = {}
        self.blocks: dict[str, list[int]] = {}
        """Each key's most recent ids, oldest first, at most ``max_candidates``. Lists, not
        ``deque(maxlen=...)``: most blocks hold one to three ids, and a deque takes 760
        bytes however few it holds (~45 MB of a week's window)."""
        self.incidents: dict[int, IncidentState] = {}
        self.clock: datetime | None = None
        """The newest message seen: what is older than it by ``span`` has left."""
        self._evicted = 0
        self._loaded_until: datetime | None = None
        self._max_seen_id = 0

    def keys(self, texts: Sequence[str]) -> list[BandKeys]:
        """The LSH band keys of matching forms, in one go."""
        return self.hasher.keys(list(texts))

    def register(self, entry: Entry, keys: BandKeys | None) -> None:
        """Put a complaint in the window (again: its entry is replaced)."""
        if entry.id in self.entries:
            self.entries[entry.id] = entry
            return
        self.entries[entry.id] = entry
        if entry.reporter is not None:
            self.by_reporter.setdefault(entry.reporter, []).append(entry.id)
        if keys is None:
            keys = self.hasher.keys([entry.match])[0]
        self.lsh.insert(entry.id, keys, entry.received_at)
        threads = (f"thread:{entry.thread}",) if entry.thread else ()
        limit = self.settings.max_candidates
        for key in (
            *block_keys(entry.features),
            *place_keys(entry.where, entry.category),
            *threads,
        ):
            block = self.blocks.get(key)
            if block is None:
                self.blocks[key] = [entry.id]
            else:
                block.append(entry.id)
                if len(block) > limit:
                    del block[0]
        self._max_seen_id = max(self._max_seen_id, entry.id)

    def advance(self, now: datetime) -> None:
        """Move the clock to ``now`` (never back); what falls out of the span leaves."""
        if self.clock is None or now > self.clock:
            self.clock = now
            evicted = self.lsh.evict_before(now - self.span)
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
            cutoff = self.clock - self.span
            old = [
                i for i, state in self.incidents.items() if state.last < cutoff and not state.new
            ]
            for iid in old:
                del self.incidents[iid]
        self._evicted = 0

    def own(self, reporter: int) -> list[int]:
        """The reporter's complaints in the window, newest first."""
        return list(reversed(self.by_reporter.get(reporter, ())))

    def neighbours(
        self,
        keys: BandKeys | None,
        features: Features,
        where: Where = NOWHERE,
        category: str | None = None,
        thread: str | None = None,
    ) -> tuple[int, ...]:
        """Candidates for the same incident: LSH neighbours, the word blocks' most recent
        (at most ``max_candidates`` of each), and the few most recent of the same place
        and category, or of the same thread (:data:`_PLACE_CANDIDATES` each)."""
        limit = self.settings.max_candidates
        near: set[int] = set()
        if keys is not None:
            near = self.lsh.query(keys)
        blocked: set[int] = set()
        for key in block_keys(features, asking=True):
            block = self.blocks.get(key)
            if block:
                blocked.update(block)
        if len(near) > limit:
            near = set(heapq.nlargest(limit, near))
        blocked -= near
        if len(blocked) > limit:
            blocked = set(heapq.nlargest(limit, blocked))  # the most recent
        placed: set[int] = set()
        for key in place_keys(where, category, asking=True):
            block = self.blocks.get(key)
            if block:
                placed.update(itertools.islice(reversed(block), _PLACE_CANDIDATES))
        placed -= near | blocked
        if len(placed) > _PLACE_CANDIDATES:
            placed = set(heapq.nlargest(_PLACE_CANDIDATES, placed))
        threaded: set[int] = set()
        block = self.blocks.get(f"thread:{thread}") if thread else None
        if block:
            threaded.update(itertools.islice(reversed(block), _PLACE_CANDIDATES))
            threaded -= near | blocked | placed
        return (*near, *blocked, *placed, *threaded)

    def load(self, conn: Connection, start: datetime, end: datetime) -> None:
        """Stored complaints the batch's messages (received ``start``..``end``) may join.

        Only the slice of time not loaded yet is read, never what lies after ``end``
        (a replay meets later complaints through their own sources); complaints other
        workers added since the last batch come in by id.
        """
        since = start - self.span
        loaded = self._loaded_until
        low = since if loaded is None else max(since, loaded)
        in_time = and_(complaints.c.received_at >= low, complaints.c.received_at <= end)
        cond = in_time
        if loaded is not None:
            cond = or_(
                in_time,
                and_(
                    complaints.c.id > self._max_seen_id,
                    complaints.c.received_at >= since,
                    complaints.c.received_at <= end,
                ),
            )
        self._loaded_until = end if loaded is None else max(loaded, end)
        rows = conn.execute(
            select(*_ENTRY_COLUMNS).where(cond).order_by(complaints.c.received_at, complaints.c.id)
        ).all()
        self._add_rows(conn, rows)

    def entry(self, conn: Connection, complaint_id: int) -> Entry | None:
        """The complaint's entry, read from the store into the window if it is not there."""
        entry = self.entries.get(complaint_id)
        if entry is None:
            rows = conn.execute(
                select(*_ENTRY_COLUMNS).where(complaints.c.id == complaint_id)
            ).all()
            self._add_rows(conn, rows)
            entry = self.entries.get(complaint_id)
        return entry

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
                where_of_row(r, self.extractor),
                r.category,
                thread_of(r.extra),
            )
            self.register(entry, keys)
        wanted = {r.incident_id for r in fresh if r.incident_id} - set(self.incidents)
        if wanted:
            for inc in conn.execute(
                select(
                    incidents_table.c.id,
                    incidents_table.c.complaint_count,
                    incidents_table.c.last_received_at,
                    *(incidents_table.c[k] for k in _INCIDENT_PLACE),
                ).where(incidents_table.c.id.in_(list(wanted)))
            ):
                place = {k: inc._mapping[k] for k in _INCIDENT_PLACE}
                located = inc.complaint_count if place["lat"] is not None else 0
                self.incidents[inc.id] = IncidentState(
                    inc.id, inc.complaint_count, inc[2], False, **place, located=located
                )
