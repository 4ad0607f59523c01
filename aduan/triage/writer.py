"""The one writer of triage results: every rule-made decision reaches the store here.

What is decided comes from :class:`aduan.triage.router.Router`: the rules,
the danger detector and, when switched on, the learned model, blended; the
recorded rules name both sources (``model:roads:0.83``, ``why:rules: ...``).

Two doors, one rule — *a human's decision stands*: a complaint whose
``triage_source`` is ``manual`` is never updated by rules, and every change
is recorded as a ``triage_decisions`` row (what changed, from what to what,
by which rules, by whom: ``normalizer``, ``replay``, or the triage job).

* :func:`write_one` — one complaint, guarded in the ``UPDATE`` itself
  (:mod:`aduan.triage.apply`: the triage job, re-triage);
* :class:`BatchTriage` — a normalizer batch (first triage of new complaints,
  and a replay's refresh of stored ones), written in bulk
  (:mod:`aduan.store.bulk`). The complaints a replay refreshes are read once
  per batch, locked (``FOR UPDATE`` on PostgreSQL; SQLite's batch already
  holds the write lock), so the manual ones are known for certain and left
  out of the bulk update.

The normalizer is given :class:`BatchTriage` by whoever builds it (see
:mod:`aduan.normalize.triaging`), so it never imports triage.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from aduan.core.clock import utcnow
from aduan.store.bulk import insert_rows, update_rows
from aduan.store.models import TriageDecision, complaints
from aduan.triage import Decision
from aduan.triage.router import Router

triage_decisions = TriageDecision.__table__  # type: ignore[attr-defined]
FIELDS = ("category", "agency", "priority", "track", "due_at")
NOT_MANUAL = or_(complaints.c.triage_source.is_(None), complaints.c.triage_source != "manual")


def values_of(decision: Decision, due: datetime) -> dict[str, Any]:
    """The complaint columns a decision sets."""
    return {
        "category": decision.category,
        "agency": decision.agency,
        "priority": decision.priority,
        "track": decision.track,
        "due_at": due,
    }


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, datetime) and isinstance(new, datetime):
        return abs((old - new).total_seconds()) < 1
    return bool(old == new)


def diff(row: Any, values: dict[str, Any]) -> dict[str, Any]:
    """``{"category": {"from": "other", "to": "roads"}, ...}`` for what ``values`` change."""
    out: dict[str, Any] = {}
    for name, new in values.items():
        old = getattr(row, name)
        if not _same(old, new):
            plain = [v.isoformat() if isinstance(v, datetime) else v for v in (old, new)]
            out[name] = {"from": plain[0], "to": plain[1]}
    return out


def recorded_rules(decision: Decision) -> list[str]:
    """The rules that made the decision, and ``needs_review`` last when it goes to a human."""
    rules = list(decision.rules)
    if decision.needs_review:
        rules.append("needs_review")
    return rules


def decision_row(
    complaint_id: int,
    decision: Decision,
    due: datetime,
    *,
    at: datetime,
    actor: str | None,
    changes: dict[str, Any],
) -> dict[str, Any]:
    """The ``triage_decisions`` row recording a rule-made decision."""
    return {
        "complaint_id": complaint_id,
        "at": at,
        **values_of(decision, due),
        "source": decision.source,
        "score": decision.score,
        "rules": recorded_rules(decision),
        "actor": actor,
        "changes": changes,
    }


def write_one(
    conn: Connection,
    row: Any,
    decision: Decision,
    due: datetime,
    changes: dict[str, Any],
    *,
    first: bool = False,
) -> bool:
    """Update the complaint unless a human (or, for ``first``, anyone) decided it meanwhile."""
    now = utcnow()
    extra = dict(row.extra or {})
    extra["needs_review"] = decision.needs_review
    guard = and_(complaints.c.id == row.id, NOT_MANUAL)
    if first:
        guard = and_(guard, complaints.c.category.is_(None))
    result = conn.execute(
        complaints.update()
        .where(guard)
        .values(
            **values_of(decision, due), triage_source=decision.source, extra=extra, updated_at=now
        )
    )
    if result.rowcount != 1:
        return False
    row_values = decision_row(row.id, decision, due, at=now, actor=None, changes=changes)
    conn.execute(triage_decisions.insert().values(**row_values))
    return True


_CURRENT = (
    complaints.c.id,
    complaints.c.received_at,
    complaints.c.extra,
    complaints.c.triage_source,
    *(complaints.c[name] for name in FIELDS),
)


class BatchTriage:
    """The triage of one normalizer batch, written in bulk at :meth:`flush`.

    Fits :class:`aduan.normalize.triaging.TriageBatch`: ``BatchTriage`` itself is
    the factory a :class:`~aduan.normalize.pipeline.Normalizer` is given.
    """

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn = conn
        self.now = now
        self.router = Router()
        self.triage = self.router.triage
        self.decisions: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.current: dict[int, Any] = {}

    def route(
        self,
        complaint_id: int,
        match_text: str,
        *,
        channel: str,
        hint: str | None,
        received_at: datetime,
        kecamatan: str | None = None,
    ) -> dict[str, Any]:
        """A new complaint's triage columns; its decision is recorded (actor ``normalizer``)."""
        decision = self.router.recorded(
            self.router.decide(match_text, channel=channel, hint=hint, kecamatan=kecamatan)
        )
        due = self.triage.due_at(received_at)
        self.decisions.append(
            decision_row(complaint_id, decision, due, at=self.now, actor="normalizer", changes={})
        )
        return {
            **values_of(decision, due),
            "triage_source": decision.source,
            "status": "new" if decision.needs_review else "triaged",
        }

    def prepare(self, complaint_ids: Collection[int]) -> None:
        """Read (and on PostgreSQL lock) the triage of the complaints a replay refreshes."""
        if not complaint_ids:
            return
        query = select(*_CURRENT).where(complaints.c.id.in_(list(complaint_ids)))
        if self.conn.dialect.name == "postgresql":
            query = query.with_for_update()
        self.current.update((row.id, row) for row in self.conn.execute(query))

    def refresh(
        self,
        complaint_id: int,
        match_text: str,
        *,
        channel: str,
        hint: str | None,
        kecamatan: str | None = None,
    ) -> str:
        """Route a stored complaint again: ``manual`` (kept), ``same``, or ``changed``
        (recorded with what changed, actor ``replay``)."""
        row = self.current.get(complaint_id)
        if row is None:
            return "same"
        if row.triage_source == "manual":
            return "manual"
        decision = self.router.recorded(
            self.router.decide(match_text, channel=channel, hint=hint, kecamatan=kecamatan)
        )
        due = self.triage.due_at(row.received_at)
        values = values_of(decision, due)
        changes = diff(row, values)
        if not changes:
            return "same"
        extra = dict(row.extra or {})
        extra["needs_review"] = decision.needs_review
        self.updates.append(
            {
                "id": complaint_id,
                **values,
                "triage_source": decision.source,
                "extra": extra,
                "updated_at": self.now,
            }
        )
        self.decisions.append(
            decision_row(complaint_id, decision, due, at=self.now, actor="replay", changes=changes)
        )
        return "changed"

    def flush(self) -> None:
        """Write the refreshed complaints and every decision, one ``executemany`` each."""
        update_rows(self.conn, complaints, self.updates)
        insert_rows(self.conn, triage_decisions, self.decisions)
