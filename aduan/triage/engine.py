"""Scoring a complaint against the routing rules, and the decision that follows.

For each category, the weights of its matched terms are summed (each term
once; a term inside the request — the words right after "mohon", "minta",
"tolong" ... — weighs ``request_boost`` times more, because long letters put
the actual request last). The best category claims the complaint when its
score reaches ``threshold``; otherwise the complaint goes to ``other`` and the
human queue. A runner-up within ``margin`` also flags it for review. Danger
terms raise the priority to ``high`` and the track to ``same_day``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from aduan.triage.calendar import OfficeCalendar
from aduan.triage.rules import RuleSet, load_rules
from aduan.triage.settings import TriageSettings

if TYPE_CHECKING:
    from aduan.triage import Decision


@dataclass(frozen=True)
class Scores:
    by_category: dict[str, float]
    matched: dict[str, tuple[str, ...]]
    danger: tuple[str, ...]

    def ranked(self) -> list[tuple[str, float]]:
        return sorted(self.by_category.items(), key=lambda item: -item[1])


def _mask(text: str, patterns: tuple[re.Pattern[str], ...]) -> str:
    """Remove what the patterns match (a masked span becomes one space)."""
    for pattern in patterns:
        text = pattern.sub(" ", text)
    return " ".join(text.split())


def _request_spans(rules: RuleSet, text: str) -> list[tuple[int, int]]:
    """Character spans of the words right after each request marker."""
    spans: list[tuple[int, int]] = []
    if rules.request_markers is None or rules.request_boost == 1.0:
        return spans
    for marker in rules.request_markers.finditer(text):
        tail = text[marker.end() :].split(" ", rules.request_window + 1)
        length = len(" ".join(tail[: rules.request_window + 1]))
        spans.append((marker.end(), marker.end() + length))
    return spans


def score(rules: RuleSet, text: str) -> Scores:
    """Per-category scores and matched rule names for one matching form."""
    text = _mask(text, rules.masks)
    base_request = _request_spans(rules, text)
    by_category: dict[str, float] = {}
    matched: dict[str, tuple[str, ...]] = {}
    for code, category in rules.categories.items():
        view, request = text, base_request
        if category.exclude:
            view = _mask(text, category.exclude)
            request = _request_spans(rules, view) if view != text else base_request
        total = 0.0
        names: list[str] = []
        for term in category.terms:
            starts = [m.start() for m in term.regex.finditer(view)]
            if not starts:
                continue
            weight = term.weight
            if weight > 0 and any(a <= s < b for s in starts for a, b in request):
                weight *= rules.request_boost
            total += weight
            names.append(term.name)
        if names:
            by_category[code] = total
            matched[code] = tuple(names)
    danger: tuple[str, ...] = ()
    if not any(p.search(text) for p in rules.danger_cancel):
        view = _mask(text, rules.danger_exclude)
        danger = tuple(term.name for term in rules.danger if term.regex.search(view))
    return Scores(by_category, matched, danger)


class Triage:
    """The rules and the calendar in force."""

    def __init__(self, rules: RuleSet, calendar: OfficeCalendar) -> None:
        self.rules = rules
        self.calendar = calendar

    @classmethod
    def from_settings(
        cls, settings: TriageSettings, timezone: str, categories: tuple[str, ...]
    ) -> Triage:
        path = Path(settings.rules_file) if settings.rules_file else None
        return cls(load_rules(path, categories), OfficeCalendar(settings.calendar, timezone))

    def decide(self, match_text: str, *, channel: str | None, hint: str | None) -> Decision:
        from aduan.triage import Decision

        rules = self.rules
        text = match_text
        bonus: str | None = None
        if hint:
            if hint in rules.categories:
                bonus = hint
            else:  # e.g. an e-mail subject: more text to match
                text = f"{hint} {match_text}"
        scores = score(rules, text)
        by_category = dict(scores.by_category)
        if bonus is not None:
            by_category[bonus] = by_category.get(bonus, 0.0) + rules.threshold
        ranked = sorted(by_category.items(), key=lambda item: -item[1])
        best, best_score = ranked[0] if ranked else (rules.fallback, 0.0)
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        names = list(scores.matched.get(best, ()))
        if bonus == best:
            names.append(f"hint:{bonus}")
        needs_review = False
        if best_score < rules.threshold:
            best, needs_review = rules.fallback, True
            names = [f"below_threshold:{ranked[0][0]}"] if ranked else ["no_rule"]
        elif best == rules.fallback:
            needs_review = True
        elif best_score - runner_up < rules.margin:
            needs_review = True
            names.append(f"close:{ranked[1][0]}")
        category = rules.categories[best]
        priority, track = category.priority, category.track
        if scores.danger:
            priority, track = "high", "same_day"
            names.extend(scores.danger)
        return Decision(
            category=best,
            agency=category.agency,
            priority=priority,
            track=track,
            score=round(max(best_score, 0.0), 3),
            rules=tuple(names),
            source="rules",
            needs_review=needs_review,
        )

    def due_at(self, received_at: datetime) -> datetime:
        return self.calendar.due_at(received_at)
