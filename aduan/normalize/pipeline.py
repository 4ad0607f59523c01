"""The normalizer: a batch of stored raw messages -> complaints, in one transaction.

For each raw message, in time order: read it (:mod:`.reading`: unreadable
ones are quarantined, ignored ones marked, split SMS joined), find its
reporter (:mod:`.reporters`), decide where it belongs (:mod:`.matching`:
an edit, a reply, the same complaint, the same incident, or new) over the
window of recent complaints (:mod:`.window`), and gather the rows that
decision makes (:mod:`.rows`). New complaints are triaged through the
:class:`~aduan.normalize.triaging.TriageBatch` the normalizer was given,
their place read (:mod:`aduan.places`, :mod:`.where`), and only then, with
category and place known, linked to another reporter's incident.
All rows are written in bulk at the end of the batch; then each new
complaint's acknowledgement is queued (:func:`aduan.replies.events.on_created`)
in the same transaction; the caller commits.

A raw message that already fed a complaint (a replay) keeps its place: if it
is the complaint's first source, the complaint's clean text and triage are
refreshed (a human's triage is kept); either way the complaint re-enters
the window.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Connection, select

from aduan.config.normalize import NormalizeSettings
from aduan.config.places import PlacesSettings
from aduan.core.clock import utcnow
from aduan.core.identity import phones_in_text
from aduan.core.messages import Message
from aduan.normalize.ids import IdAllocator
from aduan.normalize.matching import Matcher, Placement
from aduan.normalize.readers import Readers
from aduan.normalize.reading import BatchReader, Item, StoredRaw, build_item
from aduan.normalize.reporters import ReporterBook
from aduan.normalize.rows import NewComplaint, Rows, Stats, text_hash
from aduan.normalize.triaging import NoTriage, TriageBatch, TriageFactory
from aduan.normalize.where import (
    hints_of,
    place_columns,
    place_text,
    region_code,
    where_of,
)
from aduan.normalize.window import Entry, IncidentState, Window, thread_of
from aduan.places import Place
from aduan.places.configured import extractor_for
from aduan.replies.events import Created, on_created
from aduan.store.models import complaint_sources, complaints


class Normalizer:
    """Keeps the dedup window between batches; :meth:`process` runs one batch.

    ``triage``: what triages new complaints and refreshes replayed ones
    (:class:`aduan.triage.writer.BatchTriage`); None leaves them to the triage job.
    ``places``: the gazetteer and distances (None: the defaults).
    """

    def __init__(
        self,
        settings: NormalizeSettings,
        readers: Readers,
        *,
        triage: TriageFactory | None = None,
        data_dir: Path | None = None,
        nik_key: bytes | None = None,
        places: PlacesSettings | None = None,
    ) -> None:
        self.settings = settings
        self.places = places or PlacesSettings()
        self.extractor = extractor_for(self.places)
        self.readers = readers
        self.triage: TriageFactory = triage or NoTriage
        self.data_dir = data_dir
        self.nik_key = nik_key
        self.forget()

    def process(
        self, conn: Connection, batch: Sequence[StoredRaw], *, until: float | None = None
    ) -> Stats:
        """Normalize ``batch`` inside the caller's transaction.

        ``until`` (a :func:`time.perf_counter` time): no message is placed after it; the
        rest of the batch is left as it was (pending) for the next batch, so that the
        transaction does not hold the store much longer. At least one is placed.
        """
        run = _Batch(self, conn)
        return run.run(sorted(batch, key=lambda r: (r.raw.received_at, r.id)), until)

    def forget(self) -> None:
        """Start with empty memory: the window, reporters, known refs, id blocks (and
        after a rollback, drop what it undid)."""
        self.reporters = ReporterBook()
        self.window = Window(self.settings, self.reporters, self.extractor)
        self.matcher = Matcher(self.settings, self.window, self.reporters, self.places)
        self.complaint_ids = IdAllocator("complaints")
        self.incident_ids = IdAllocator("incidents")
        self.waiting = True
        """Whether split messages may be waiting for their other parts in the store."""


class _Batch:
    """One batch: reads it, places each message, applies the placement to the rows."""

    def __init__(self, normalizer: Normalizer, conn: Connection) -> None:
        self.normalizer = normalizer
        self.conn = conn
        self.window = normalizer.window
        self.matcher = normalizer.matcher
        self.matcher.begin()
        self.reporters = normalizer.reporters
        self.stats = Stats()
        self.now = utcnow()
        self.rows = Rows(conn, normalizer.settings, self.now, normalizer.data_dir)
        self.triage: TriageBatch = normalizer.triage(conn, self.now)
        self.first_sources: set[int] = set()
        self.created: list[tuple[int, Item]] = []
        self.edited: set[int] = set()
        self.stored_match: dict[int, str] = {}
        self.stored_place: dict[int, str | None] = {}
        self.stored_kecamatan: dict[int, str | None] = {}
        self.reporters.begin(conn)
        normalizer.complaint_ids.begin(conn)
        normalizer.incident_ids.begin(conn)

    def run(self, batch: Sequence[StoredRaw], until: float | None = None) -> Stats:
        if not batch:
            return self.stats
        normalizer = self.normalizer
        newest = max(s.raw.received_at for s in batch)
        reader = BatchReader(
            self.conn, normalizer.readers, normalizer.settings, self.rows, self.stats
        )
        clock = max(newest, self.window.clock or newest)
        items = reader.read(batch, waiting=normalizer.waiting, clock=clock)
        normalizer.waiting = reader.still_waiting
        fresh = [i for i in items if isinstance(i, Item)]
        if fresh:
            for item, keys in zip(fresh, self.window.keys([i.match for i in fresh]), strict=True):
                item.keys = keys
        self.window.load(self.conn, min(s.raw.received_at for s in batch), newest)
        idents: set[str] = set()
        for item in fresh:
            item.identities = _identities(item)
            idents.update(item.identities)
        self.reporters.prefetch(idents)
        self._prepare_replayed([i for i in items if isinstance(i, StoredRaw)])
        for placed, entry in enumerate(items):
            if until is not None and placed and time.perf_counter() > until:
                normalizer.waiting = True  # parts of a joined SMS it leaves may be waiting
                break
            if isinstance(entry, Item):
                self.stats.by_channel[entry.stored.raw.channel] += 1
                self._handle(entry)
            else:
                self.stats.by_channel[entry.raw.channel] += 1
                self._replayed(entry)
        self.reporters.flush()
        self.rows.flush(self.window.incidents)
        self.triage.flush()
        self._acknowledge()
        return self.stats

    def _acknowledge(self) -> None:
        """Queue the ``received`` message of every complaint this batch created."""
        if not self.created:
            return
        on_created(
            self.conn,
            [
                Created(
                    self.rows.complaints[cid],
                    item.stored.raw.channel,
                    item.stored.raw.account,
                    item.message,
                )
                for cid, item in self.created
            ],
            self.now,
        )

    def _handle(self, item: Item) -> None:
        at = item.stored.raw.received_at
        self.window.advance(at)
        reporter = self.reporters.resolve(
            item.identities,
            display_name=item.message.display_name,
            raw_id=item.stored.id,
            at=at,
        )
        placement = self.matcher.place(self.conn, item, reporter)
        if placement.kind == "edit":
            assert placement.target is not None
            self._edit(item, placement.target)
        elif placement.kind == "attach":
            self._attach(item, placement)
        else:
            self._create(item, reporter)

    def _sources(
        self,
        item: Item,
        complaint_id: int,
        role: str,
        sim: float | None = None,
        reference: str | None = None,
    ) -> None:
        """The message (and the other parts of a split one) as sources of the complaint."""
        stored = item.stored
        self.rows.source(
            complaint_id,
            stored.id,
            stored.raw,
            role,
            similarity=sim,
            reference=reference,
            ref=item.message.ref,
            text=item.clean if role != "first" else None,
        )
        for extra in item.extra_raws:
            self.rows.source(complaint_id, extra.id, extra.raw, "fragment")

    def _attach(self, item: Item, placement: Placement) -> None:
        complaint_id = placement.target
        assert complaint_id is not None
        reference = item.stored.raw.meta.get("reference")
        self._sources(item, complaint_id, placement.role, placement.similarity, reference)
        self.rows.attach_files(complaint_id, item.stored.id, item.message.attachments)
        entry = self.window.entry(self.conn, complaint_id)
        if entry is not None:
            entry.source_count += 1 + len(item.extra_raws)
            self.rows.update_complaint(complaint_id, source_count=entry.source_count)
        self.rows.update_complaint(complaint_id, updated_at=self.now)
        self.matcher.remember(item, complaint_id)
        self.stats.attached += 1

    def _edit(self, item: Item, complaint_id: int) -> None:
        self.rows.new_text(
            complaint_id,
            {
                "text": item.clean,
                "original_text": item.message.text,
                "match_text": item.match,
                "text_hash": text_hash(item.match),
                "updated_at": self.now,
            },
        )
        entry = self.window.entries.get(complaint_id)
        if entry is not None:
            entry.match = item.match
            entry.features = item.features
        self.rows.source(
            complaint_id,
            item.stored.id,
            item.stored.raw,
            "edit",
            ref=item.message.ref,
            text=item.clean,
        )
        self.stats.edited += 1

    def _create(self, item: Item, reporter: int | None) -> None:
        raw = item.stored.raw
        cid = self.normalizer.complaint_ids.take()[0]
        place = self._place(raw.channel, item.message, item.clean)
        routed = self.triage.route(
            cid,
            item.match,
            channel=raw.channel,
            hint=item.message.hint or item.message.subject,
            received_at=raw.received_at,
            kecamatan=place.kecamatan,
        )
        if routed.get("triage_source"):
            self.stats.triaged_by_source[routed["triage_source"]] += 1
        where = where_of(place, self.normalizer.extractor)
        count = 1 + len(item.extra_raws)
        entry = Entry(
            cid,
            reporter,
            raw.received_at,
            item.match,
            item.features,
            None,
            count,
            where,
            routed["category"],
            thread_of(item.message.extra),
        )
        other = self.matcher.same_incident(item, reporter, where, routed["category"])
        if other is not None:
            entry.incident = self._link_incident(other, entry, place.region_code)
        self.rows.new_complaint(
            NewComplaint(
                cid, raw, item.message, item.clean, item.match, reporter, entry.incident, count
            ),
            routed,
            place_columns(place, item.message.location),
        )
        self._sources(item, cid, "first")
        self.rows.attach_files(cid, item.stored.id, item.message.attachments)
        self.window.register(entry, item.keys)
        self.matcher.remember(item, cid)
        self.created.append((cid, item))
        self.stats.created += 1

    def _place(self, channel: str, message: Message, clean: str) -> Place:
        hints = hints_of(message.location, message.extra, channel)
        return self.normalizer.extractor.extract(place_text(message.subject, clean, channel), hints)

    def _link_incident(self, other_id: int, entry: Entry, code: str | None) -> int:
        at = entry.received_at
        incidents = self.window.incidents
        other = self.window.entry(self.conn, other_id)
        assert other is not None
        self.stats.linked += 1
        if other.incident is not None and other.incident in incidents:
            state = incidents[other.incident]
            state.count += 1
            state.last = max(state.last, at)
            state.add(entry, code)
            self.rows.incident_grew(state.id)
            return state.id
        iid = self.normalizer.incident_ids.take()[0]
        state = IncidentState(iid, 2, max(at, other.received_at), True)
        state.add(other, region_code(self.normalizer.extractor, other.where))
        state.add(entry, code)
        incidents[iid] = state
        self.rows.new_incident(iid, other.received_at)
        other.incident = iid
        self.rows.update_complaint(other.id, incident_id=iid)
        self.stats.incidents += 1
        return iid

    def _prepare_replayed(self, replayed: list[StoredRaw]) -> None:
        """Read once for the batch what :meth:`_replayed` needs: which raws are their
        complaint's first source, which complaints were edited, and their triage."""
        if not replayed:
            return
        first = self.conn.execute(
            select(complaint_sources.c.raw_message_id).where(
                complaint_sources.c.raw_message_id.in_([s.id for s in replayed]),
                complaint_sources.c.role == "first",
            )
        ).scalars()
        self.first_sources = set(first)
        ids = [
            s.complaint_id
            for s in replayed
            if s.id in self.first_sources and s.complaint_id is not None
        ]
        if not ids:
            return
        self.edited = set(
            self.conn.execute(
                select(complaint_sources.c.complaint_id).where(
                    complaint_sources.c.complaint_id.in_(ids),
                    complaint_sources.c.role == "edit",
                )
            ).scalars()
        )
        rows = self.conn.execute(
            select(
                complaints.c.id,
                complaints.c.match_text,
                complaints.c.place_source,
                complaints.c.kecamatan,
            ).where(complaints.c.id.in_(ids))
        )
        self.stored_match = {}
        for r in rows:
            self.stored_match[r.id] = r.match_text
            self.stored_place[r.id] = r.place_source
            self.stored_kecamatan[r.id] = r.kecamatan
        self.triage.prepare(ids)

    def _replayed(self, stored: StoredRaw) -> None:
        """A source already attached: refresh its complaint's text and triage if it is
        the first source."""
        complaint_id = stored.complaint_id
        assert complaint_id is not None
        self.window.advance(stored.raw.received_at)
        if stored.status != "normalized":
            self.rows.mark(stored.id, "normalized", None, complaint_id)
        entry = self.window.entry(self.conn, complaint_id)
        if stored.id not in self.first_sources or entry is None:
            self.stats.unchanged += 1
            return
        try:
            message = self.normalizer.readers.read(stored.raw)
        except Exception:  # unreadable now (a reader changed): the complaint stays as it is
            self.stats.unchanged += 1
            return
        item = build_item(stored, message)
        current = self.stored_match.get(complaint_id)
        text_changed = complaint_id not in self.edited and current != item.match
        if text_changed:
            self.rows.new_text(
                complaint_id,
                {
                    "text": item.clean,
                    "original_text": message.text,
                    "match_text": item.match,
                    "text_hash": text_hash(item.match),
                    "updated_at": self.now,
                },
            )
        kecamatan = self._replace_place(complaint_id, stored.raw.channel, message, item.clean)
        outcome = self.triage.refresh(
            complaint_id,
            item.match,
            channel=stored.raw.channel,
            hint=message.hint or message.subject,
            kecamatan=kecamatan,
        )
        if outcome == "manual":
            self.stats.manual_kept += 1
        if text_changed or outcome == "changed":
            self.stats.refreshed += 1
        else:
            self.stats.unchanged += 1

    def _replace_place(
        self, complaint_id: int, channel: str, message: Message, clean: str
    ) -> str | None:
        """A replay reads the place again (a store from before places gets its columns);
        a clerk's correction of the place is kept. The complaint's kecamatan, for triage."""
        stored = self.stored_place.get(complaint_id)
        if stored is not None and '"clerk"' in stored:
            return self.stored_kecamatan.get(complaint_id)
        columns = place_columns(self._place(channel, message, clean), message.location)
        if columns["place_source"] != stored:
            self.rows.update_complaint(complaint_id, **columns)
        kecamatan: str | None = columns["kecamatan"]
        return kecamatan


def _identities(item: Item) -> list[str]:
    found = list(item.message.identities) + list(item.message.linked_identities)
    for phone in phones_in_text(item.message.text):
        if phone not in found:
            found.append(phone)
    return found
