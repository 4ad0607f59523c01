"""What the normalizer asks of triage, which lives above it: a port, filled in from outside.

Triage (:mod:`aduan.triage`) stands on the normalizer's output, so the
normalizer does not import it; whoever builds a
:class:`~aduan.normalize.pipeline.Normalizer` (the normalize job, ``aduan
replay``, the benchmarks) hands it a :data:`TriageFactory` — in the product
always :class:`aduan.triage.writer.BatchTriage`, the one writer of triage
results, which keeps every human decision. Without one, new complaints are
left ``new`` without a category for the triage job to route.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection


class TriageBatch(Protocol):
    """The triage of one normalizer batch, inside its transaction."""

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
        """A new complaint's triage columns (category, agency, priority, track, due_at,
        triage_source, status); its decision is recorded at :meth:`flush`."""
        ...

    def prepare(self, complaint_ids: Collection[int]) -> None:
        """Read, once for the batch, the triage of the complaints :meth:`refresh` will see."""
        ...

    def refresh(
        self,
        complaint_id: int,
        match_text: str,
        *,
        channel: str,
        hint: str | None,
        kecamatan: str | None = None,
    ) -> str:
        """Route a stored complaint again (a replay): ``changed``, ``same``, or ``manual``
        (a human decided it; nothing is changed)."""
        ...

    def flush(self) -> None:
        """Write the decisions and the refreshed complaints (after the complaint rows)."""
        ...


TriageFactory = Callable[[Connection, datetime], TriageBatch]
"""Makes the triage of one batch from the batch's connection and time."""


class NoTriage:
    """New complaints wait, untriaged, for the triage job; replays change no triage."""

    def __init__(self, conn: Connection, now: datetime) -> None:
        del conn, now

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
        return {
            "category": None,
            "agency": None,
            "priority": None,
            "track": None,
            "due_at": None,
            "triage_source": None,
            "status": "new",
        }

    def prepare(self, complaint_ids: Collection[int]) -> None:
        return None

    def refresh(
        self,
        complaint_id: int,
        match_text: str,
        *,
        channel: str,
        hint: str | None,
        kecamatan: str | None = None,
    ) -> str:
        return "same"

    def flush(self) -> None:
        return None
