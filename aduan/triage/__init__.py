"""Triage: category, agency, priority, track and the three-working-day clock.

The interface the normalizer calls for every new complaint:

* :func:`decide` — a :class:`Decision` from the complaint's matching form
  (see :mod:`aduan.normalize.text`), recording the rules and score that made it;
* :func:`due_at` — received + 3 working days on the office calendar.

This module holds the baseline every complaint gets before routing rules are
configured: ``other``, to the human queue, due three calendar days later.
The triage part replaces both with rules from config and the office calendar.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

CATEGORIES = (
    "roads",
    "street_lighting",
    "drainage_flooding",
    "waste",
    "parks_trees",
    "traffic_parking",
    "public_order",
    "health",
    "civil_registry",
    "land_building",
    "social_welfare",
    "education",
    "water_utilities",
    "fire_disaster",
    "other",
)


@dataclass(frozen=True)
class Decision:
    category: str
    agency: str | None
    priority: str  # "normal" or "high"
    track: str  # "same_day" or "coordination"
    score: float
    rules: tuple[str, ...] = field(default_factory=tuple)
    source: str = "rules"  # "rules", "model" or "manual"
    needs_review: bool = False  # True: goes to the human queue


def decide(match_text: str, *, channel: str | None = None, hint: str | None = None) -> Decision:
    """Route one complaint from its matching form."""
    return Decision("other", None, "normal", "coordination", 0.0, (), "rules", needs_review=True)


def due_at(received_at: datetime) -> datetime:
    """When the complaint must be solved."""
    return received_at + timedelta(days=3)
