"""Scoring a complaint against the routing rules, and the decision that follows.

For each category, the weights of its matched terms are summed (each term
once; a term inside the request — the words right after "mohon", "minta",
"tolong" ... — weighs ``request_boost`` times more, because long letters put
the actual request last). The best category claims the complaint when its
score reaches ``threshold``; otherwise the complaint goes to ``other`` and the
human queue. A runner-up within ``margin`` also flags it for review. Danger
terms raise the priority to ``high`` and the track to ``same_day``.

Masks come first: street and place names that mention other topics ("Jl.
Taman ...", "Pasar Minggu") and idioms ("banjir komentar") hide their words
from every category; a category's ``exclude`` phrases hide words from that
category only ("lampu merah" from street lighting).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from aduan.normalize.text import matching_form
from aduan.triage.calendar import OfficeCalendar
from aduan.triage.rules import Gated, Mask, RuleSet, Term, load_rules
from aduan.triage.settings import TriageSettings

if TYPE_CHECKING:
    from aduan.triage import Decision


@dataclass(frozen=True)
class Scores:
    by_category: dict[str, float]
    matched: dict[str, tuple[str, ...]]
    danger: tuple[str, ...]


DANGER = "danger"
CANCEL = "cancel"
EVERYONE = "*"  # global mask phrases (place names, idioms) hide words from every owner


class Compiled:
    """The rules as one lookup table of word n-grams, plus the few regexes left.

    Plain terms, exclude phrases, danger terms and request markers are found by
    walking the complaint's words once and looking up n-grams in a dict (cost
    grows with the text, not with the number of rules); only patterns, ``*``
    terms and regex excludes run as regular expressions.
    """

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        # n-gram -> [(kind, owner, term)]; kind: "term", "exclude", "marker"
        self.grams: dict[str, list[tuple[str, str, Term | None]]] = {}
        self.prefixes: set[str] = set()
        self.regex_terms: list[tuple[str, Term, Gated]] = []
        self.exclude_regex: dict[str, Gated] = {}
        owners: list[tuple[str, tuple[Term, ...], Mask]] = [
            (code, cat.terms, cat.exclude) for code, cat in rules.categories.items()
        ]
        owners.append((DANGER, rules.danger, rules.danger_exclude))
        owners.append((CANCEL, (), rules.danger_cancel))
        owners.append((EVERYONE, (), Mask(rules.masks.phrases)))
        for owner, terms, exclude in owners:
            for term in terms:
                if term.key is not None:
                    self._add(term.key, ("term", owner, term))
                else:
                    self.regex_terms.append((owner, term, Gated.of(term.regex)))
            for phrase in exclude.phrases:
                self._add(phrase, ("exclude", owner, None))
            if exclude.regex is not None:
                self.exclude_regex[owner] = Gated(exclude.regex)
        for marker in rules.request_markers:
            self._add(marker, ("marker", "", None))
        self.triggers = tuple(
            sorted({t for _, _, gate in self.regex_terms for t in gate.triggers or ()})
        )

    def _add(self, gram: str, entry: tuple[str, str, Term | None]) -> None:
        self.grams.setdefault(gram, []).append(entry)
        words = gram.split()
        for n in range(1, len(words)):
            self.prefixes.add(" ".join(words[:n]))


def _word_index(starts: list[int], offset: int) -> int:
    return bisect_right(starts, offset) - 1


def score(compiled: Compiled, text: str) -> Scores:
    """Per-category scores and matched rule names for one matching form."""
    rules = compiled.rules
    text = rules.masks.sub(text, regex_only=True)
    words = text.split()
    offsets: list[int] = []
    at = 0
    for word in words:
        offsets.append(at)
        at += len(word) + 1
    # (owner, term, first word, words spanned, found by regex)
    hits: list[tuple[str, Term, int, int, bool]] = []
    masked: dict[str, list[tuple[int, int]]] = {}
    markers: list[int] = []
    grams, prefixes = compiled.grams, compiled.prefixes
    for i in range(len(words)):
        gram = words[i]
        n = 1
        while True:
            for kind, owner, term in grams.get(gram, ()):
                if kind == "term":
                    assert term is not None
                    hits.append((owner, term, i, n, False))
                elif kind == "exclude":
                    masked.setdefault(owner, []).append((i, i + n))
                else:
                    markers.append(i)
            if gram not in prefixes or i + n >= len(words):
                break
            gram = f"{gram} {words[i + n]}"
            n += 1
    for owner, gated in compiled.exclude_regex.items():
        for m in gated.regex.finditer(text):
            a = _word_index(offsets, m.start())
            b = _word_index(offsets, max(m.end() - 1, m.start())) + 1
            masked.setdefault(owner, []).append((a, b))
    present = frozenset(t for t in compiled.triggers if t in text)
    for owner, term, gate in compiled.regex_terms:
        if not gate.may_match(text, present):
            continue
        for m in term.regex.finditer(text):
            a = _word_index(offsets, m.start())
            b = _word_index(offsets, max(m.end() - 1, m.start())) + 1
            hits.append((owner, term, a, b - a, True))
    window = rules.request_window
    request = [(i + 1, i + 1 + window) for i in markers] if rules.request_boost != 1.0 else []
    seen: dict[tuple[str, str], bool] = {}  # (owner, term name) -> inside a request
    order: list[tuple[str, Term]] = []
    hidden = masked.get(EVERYONE, [])
    for owner, term, i, n, by_regex in hits:
        spans = masked.get(owner, []) + hidden
        if by_regex:  # a pattern may span a masked phrase, but not start in one
            if any(a <= i < b for a, b in spans):
                continue
        elif any(a < i + n and i < b for a, b in spans):
            continue
        key = (owner, term.name)
        boosted = any(a <= i < b for a, b in request)
        if key not in seen:
            order.append((owner, term))
            seen[key] = boosted
        elif boosted:
            seen[key] = True
    by_category: dict[str, float] = {}
    matched: dict[str, list[str]] = {}
    danger: list[str] = []
    for owner, term in order:
        if owner == DANGER:
            danger.append(term.name)
            continue
        weight = term.weight
        if weight > 0 and seen[(owner, term.name)]:
            weight *= rules.request_boost
        by_category[owner] = by_category.get(owner, 0.0) + weight
        matched.setdefault(owner, []).append(term.name)
    cancelled = CANCEL in masked
    return Scores(
        by_category,
        {k: tuple(v) for k, v in matched.items()},
        () if cancelled else tuple(danger),
    )


class Triage:
    """The rules and the calendar in force."""

    def __init__(self, rules: RuleSet, calendar: OfficeCalendar) -> None:
        self.rules = rules
        self.compiled = Compiled(rules)
        self.calendar = calendar

    @classmethod
    def from_settings(
        cls, settings: TriageSettings, timezone: str, categories: tuple[str, ...]
    ) -> Triage:
        path = Path(settings.rules_file) if settings.rules_file else None
        return cls(load_rules(path, categories), OfficeCalendar(settings.calendar, timezone))

    def decide(self, match_text: str, *, channel: str | None, hint: str | None) -> Decision:
        """Route one matching form. ``channel`` is accepted for the interface; the
        rules do not depend on it (an SMS and a letter about one pothole route alike)."""
        from aduan.triage import Decision

        rules = self.rules
        text = match_text
        bonus: str | None = None
        if hint:
            if hint in rules.categories:
                bonus = hint
            else:  # e.g. an e-mail subject: more text to match
                text = f"{matching_form(hint)} {match_text}"
        scores = score(self.compiled, text)
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
