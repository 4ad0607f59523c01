"""What the normalizer asks of triage, the layer above it: a decision and a due time.

Whoever builds a :class:`~aduan.normalize.pipeline.Normalizer` passes the triage in
force; :mod:`aduan.triage` itself fits (its module-level ``decide`` and ``due_at``),
and that is what the daemon, the CLI, the demo and the tests pass. Normalize never
imports triage: the layer contract forbids it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class TriageDecision(Protocol):
    """The fields of a decision the normalizer writes to a complaint and its history."""

    @property
    def category(self) -> str: ...
    @property
    def agency(self) -> str | None: ...
    @property
    def priority(self) -> str: ...
    @property
    def track(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def rules(self) -> tuple[str, ...]: ...
    @property
    def source(self) -> str: ...
    @property
    def needs_review(self) -> bool: ...


class Triager(Protocol):
    def decide(
        self, match_text: str, *, channel: str | None = None, hint: str | None = None
    ) -> TriageDecision:
        """Route one complaint from its matching form."""
        ...

    def due_at(self, received_at: datetime) -> datetime:
        """When the complaint received at ``received_at`` must be solved."""
        ...
