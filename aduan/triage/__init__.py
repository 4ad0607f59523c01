"""Triage: category, agency, priority, track and the three-working-day clock.

The interface every decision starts from (the normalizer reaches it through
:class:`aduan.triage.writer.BatchTriage`, which it is handed):

* :func:`decide` — a :class:`Decision` from the complaint's matching form
  (see :mod:`aduan.core.text`), recording the rules and score that made it;
* :func:`due_at` — received + 3 working days on the office calendar.

Both use the rules and calendar in force: those from :func:`configure`
(``Runtime.create`` calls it with the ``[triage]`` settings), else the
packaged ``aduan/config/routing.toml`` and the default Jakarta calendar.

Inside: :mod:`.rules` (the rule file), :mod:`.literals` (what a regex needs
before it can match), :mod:`.engine` (scoring), :mod:`.calendar` (office
hours, holidays, cuti bersama), :mod:`.writer` (the one writer of rule-made
decisions, guarded against overwriting a human's), :mod:`.apply` (first
triage, re-triage, manual decisions),
:mod:`.router` (rules, danger detector and learned model blended: what the
writer records), :mod:`.labels` (the humans' decisions as training labels),
:mod:`.evaluate` (quality).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from aduan.config.triage import TriageSettings
from aduan.core.disclosure import DEFAULT_PUBLIC_CATEGORIES

if TYPE_CHECKING:
    from aduan.triage.engine import Triage

# The public-space codes come first: the privacy rule's default public categories.
CATEGORIES = (
    *DEFAULT_PUBLIC_CATEGORIES,
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


_lock = threading.RLock()
_active: Triage | None = None
_settings: tuple[TriageSettings, Path] = (TriageSettings(), Path("data"))


def configure(
    settings: TriageSettings | None = None,
    timezone: str = "Asia/Jakarta",
    data_dir: Path | None = None,
) -> Triage:
    """Load the rules and calendar from settings and put them in force (ConfigError if bad);
    ``data_dir`` is where the learned model lives (:mod:`.router`)."""
    from aduan.triage.engine import Triage

    global _active, _settings
    settings = settings or TriageSettings()
    triage = Triage.from_settings(settings, timezone, CATEGORIES)
    with _lock:
        _active = triage
        _settings = (settings, data_dir or _settings[1])
    return triage


def settings_in_force() -> tuple[TriageSettings, Path]:
    """The ``[triage]`` settings last configured, and the data directory."""
    return _settings


def active() -> Triage:
    """The rules and calendar in force (the packaged defaults until :func:`configure`)."""
    if _active is None:
        with _lock:
            if _active is None:
                return configure()
    assert _active is not None
    return _active


def decide(match_text: str, *, channel: str | None = None, hint: str | None = None) -> Decision:
    """Route one complaint from its matching form.

    ``hint``: a category code suggested by the channel (a form's drop-down)
    adds weight to that category; any other text (an e-mail subject) is
    matched together with the complaint.
    """
    return active().decide(match_text, channel=channel, hint=hint)


def due_at(received_at: datetime) -> datetime:
    """When the complaint must be solved: received + N working days (UTC, aware)."""
    return active().due_at(received_at)
