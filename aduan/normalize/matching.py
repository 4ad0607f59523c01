"""Where a message belongs: an edit, a reply, the same complaint, the same incident, or new.

:meth:`Matcher.place` decides, in this order:

1. an ``EDIT`` of a known message -> replaces the text of its complaint;
2. a reply to a known message (``refs``) -> a follow-up source of its complaint;
3. the same reporter with the same problem within ``window_days`` (an explicit
   "gimana kelanjutannya?" within ``followup_days``) -> one more source
   (``resend`` when nearly the same text, else ``followup``);
4. otherwise a new complaint; :meth:`Matcher.same_incident` then looks, once
   its place and triage category are known, for another reporter's complaint
   about the same problem at the same place within ``incident_window_days``:
   the new complaint joins that one's incident.

Same incident: a place conflict (:func:`aduan.normalize.where.relation`, or
the texts' own RT/house/kelurahan conflict) vetoes; the same place and the
same problem (triage category or concept) link; at one place another
problem joins only as a near-duplicate text; where either place is unknown
the judge's word rules decide. Messages of one public thread (the channel's
``extra["thread"]``: comments under one Instagram post) count as one place
where their own places do not say otherwise.

Candidates come from the :class:`~aduan.normalize.window.Window`; each is
confirmed by :func:`aduan.normalize.judge.judge`. Known message ids and
references are remembered for one batch (:meth:`Matcher.begin`), whose rows
are not yet written; an earlier batch's are asked of the store, which is the
word once committed: a clerk may have split a source into its own case since
(:func:`aduan.store.casework.split_source`), and a reply to it then goes
where the clerk put it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, select

from aduan.config.normalize import NormalizeSettings
from aduan.config.places import PlacesSettings
from aduan.core.messages import Disposition, RawMessage
from aduan.normalize.judge import Verdict, conflict, judge
from aduan.normalize.reading import Item
from aduan.normalize.reporters import ReporterBook
from aduan.normalize.where import Where, relation
from aduan.normalize.window import Entry, Window, thread_of
from aduan.store.models import complaint_sources, complaints
from aduan.store.models import raw_messages as raws_table

_REFS_KEPT = 200_000
"""Known message ids remembered at most; past that memory starts afresh."""


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a message goes: ``kind`` is ``edit``, ``attach`` or ``new``."""

    kind: str
    target: int | None = None
    """The complaint edited or joined; for ``new``, the complaint of another reporter
    whose incident the new one joins (None: no incident)."""
    role: str = "first"
    similarity: float | None = None


def _ext_key(channel: str, account: str, external_id: str) -> str:
    return f"{channel}\x1f{account}\x1f{external_id}"


class Matcher:
    """The matching decisions, over the window and what the store remembers."""

    def __init__(
        self,
        settings: NormalizeSettings,
        window: Window,
        reporters: ReporterBook,
        places: PlacesSettings,
    ) -> None:
        self.settings = settings
        self.places = places
        self.window = window
        self.reporters = reporters
        self._refs: dict[str, int] = {}

    def begin(self) -> None:
        """A new batch: forget the message ids of earlier ones (the store has them,
        as they are now, after any split a clerk made)."""
        self._refs.clear()

    def place(self, conn: Connection, item: Item, reporter: int | None) -> Placement:
        """Decide where ``item`` (from ``reporter``) belongs; see the module docstring."""
        raw = item.stored.raw
        msg = item.message
        if msg.disposition == Disposition.EDIT and msg.edit_of:
            target = self.by_ref(conn, raw, [msg.edit_of])
            if target is not None:
                return Placement("edit", target, "edit")
        if msg.refs:
            target = self.by_ref(conn, raw, list(msg.refs))
            if target is not None:
                return Placement("attach", target, "followup")
        match = self._same_complaint(conn, item, reporter)
        if match is not None:
            target, sim = match
            role = "resend" if sim >= self.settings.near_duplicate else "followup"
            return Placement("attach", target, role, sim)
        return Placement("new")

    def by_ref(self, conn: Connection, raw: RawMessage, refs: list[str]) -> int | None:
        """The complaint of a message ``raw`` refers to (by provider id or reference)."""
        for ref in refs:
            for key in (ref, _ext_key(raw.channel, raw.account, ref)):
                if key in self._refs:
                    return self._refs[key]
        found = conn.execute(
            select(raws_table.c.complaint_id).where(
                raws_table.c.channel == raw.channel,
                raws_table.c.account == raw.account,
                raws_table.c.external_id.in_(refs),
                raws_table.c.complaint_id.is_not(None),
            )
        ).scalar()
        if found is None:
            found = conn.execute(
                select(complaint_sources.c.complaint_id).where(complaint_sources.c.ref.in_(refs))
            ).scalar()
        return int(found) if found is not None else None

    def remember(self, item: Item, complaint_id: int) -> None:
        """Later replies and edits to ``item`` find ``complaint_id`` without the store."""
        raw = item.stored.raw
        self._refs[_ext_key(raw.channel, raw.account, raw.external_id)] = complaint_id
        if item.message.ref:
            self._refs[item.message.ref] = complaint_id
        if len(self._refs) > _REFS_KEPT:
            self._refs.clear()  # the store answers what memory forgot (once written)

    def _same_complaint(
        self, conn: Connection, item: Item, reporter: int | None
    ) -> tuple[int, float] | None:
        if reporter is None:
            return None
        at = item.stored.raw.received_at
        horizon = at - timedelta(days=self.settings.window_days)
        own = self.window.own(reporter)
        best = self._best(item, own, horizon, reporter, same_reporter=True)
        if best is not None:
            return best
        if item.features.followup:
            return self._followup(conn, item, reporter)
        return None

    def _followup(self, conn: Connection, item: Item, reporter: int) -> tuple[int, float] | None:
        """An explicit follow-up older than the window: ask the store."""
        at = item.stored.raw.received_at
        since = at - timedelta(days=self.settings.followup_days)
        merged = [r for r, k in self.reporters.merged_into.items() if k == reporter]
        rows = conn.execute(
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
            entry = self.window.entry(conn, cid)
            if entry is None:
                continue
            if bare:
                return (cid, 0.0)  # "gimana kelanjutannya?" alone: the latest complaint
            verdict = self._judge(entry, item, same_reporter=True)
            if verdict.same:
                return (cid, verdict.similarity)
        return None

    def same_incident(
        self, item: Item, reporter: int | None, where: Where, category: str | None
    ) -> int | None:
        """Another reporter's complaint about the same problem at the same place, if any."""
        at = item.stored.raw.received_at
        span = timedelta(days=self.settings.incident_window_days)
        thread = thread_of(item.message.extra)
        candidates = self.window.neighbours(item.keys, item.features, where, category, thread)
        problem = category if category and category != "other" else None
        known = bool(where)
        best: tuple[float, int] | None = None
        entries = self.window.entries
        for cid in candidates:
            entry = entries.get(cid)
            if entry is None or abs(entry.received_at - at) > span:
                continue
            if reporter is not None and entry.reporter == reporter:
                continue
            rel = relation(entry.where, where, self.places) if known and entry.where else None
            if rel == "conflict" or conflict(entry.features, item.features) is not None:
                continue
            if rel is None and thread is not None and entry.thread == thread:
                rel = "same"  # one public thread (comments under one post): one place
            if rel in ("same", "near") and _same_problem(entry, item, problem):
                sim = 0.0  # linked by place and problem: the newest such wins
            else:
                same, sim, why = self._judge(entry, item, same_reporter=False)
                if not same or (rel is not None and why != "near_duplicate"):
                    continue  # one place, another problem: only one text told twice joins
            if best is None or (sim, cid) > best:
                best = (sim, cid)
        return best[1] if best else None

    def _judge(self, entry: Entry, item: Item, *, same_reporter: bool) -> Verdict:
        return judge(
            entry.features,
            item.features,
            entry.match,
            item.match,
            same_reporter=same_reporter,
            near_duplicate=self.settings.near_duplicate,
        )

    def _best(
        self,
        item: Item,
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
        entries = self.window.entries
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


def _same_problem(entry: Entry, item: Item, category: str | None) -> bool:
    """One problem: the same triage category or a shared concept, and no two
    different problems named ("ayunan patah" and "pohon tumbang" are both parks);
    where the rules gave two categories, two concepts in common."""
    a, b = entry.features, item.features
    if b.resolved:
        return False
    shared = a.concepts & b.concepts
    if a.concepts and b.concepts and not shared:
        return False
    if category is not None and entry.category not in (None, "other", category):
        return len(shared) >= 2  # the rules disagree: more than a "trotoar" in common
    return bool(shared) or (category is not None and entry.category == category)
