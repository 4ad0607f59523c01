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

Speed (this runs for every complaint): a matching form is scanned once by one
regular expression built as a trie of every plain phrase, reporting at each
word start the longest phrase found there (the shorter ones found there are its
prefixes, known in advance). The same scan tells which words begin the text
each regex needs (:func:`~aduan.triage.literals.word_starts`), so most regexes never
run. Text that is not a matching form (stray spaces or punctuation) takes
:func:`score_reference`, the plain reading of the rules, which the tests also
compare the fast path against.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from aduan.config.triage import TriageSettings
from aduan.core.text import matching_form
from aduan.triage import Decision
from aduan.triage.calendar import OfficeCalendar
from aduan.triage.gates import GATE_PREFIX, thanks
from aduan.triage.literals import Gated, word_starts
from aduan.triage.rules import Mask, RuleSet, Term, load_rules


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
    one :class:`_Scan` of the complaint (or, in :func:`score_reference`, by
    looking up its n-grams in a dict); only patterns, ``*`` terms and regex
    excludes run as regular expressions, and only when the scan found the words
    they need.
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
        regexes = [gate.regex for gate in rules.masks.regex_parts]
        regexes += [gate.regex for gate in self.exclude_regex.values()]
        regexes += [term.regex for _, term, _ in self.regex_terms]
        self.scan = _Scan(self.grams, [word_starts(regex) for regex in regexes])

    def _add(self, gram: str, entry: tuple[str, str, Term | None]) -> None:
        self.grams.setdefault(gram, []).append(entry)
        words = gram.split()
        for n in range(1, len(words)):
            self.prefixes.add(" ".join(words[:n]))


def _word_index(starts: list[int], offset: int) -> int:
    return bisect_right(starts, offset) - 1


Entry = tuple[str, str, Term | None]  # (kind, owner, term); kind: "term", "exclude", "marker"


@dataclass(frozen=True)
class _Found:
    """What it means that ``phrase`` is the longest phrase the scan finds at a word start."""

    grams: tuple[tuple[int, int, tuple[Entry, ...]], ...]  # (chars, words, entries), short first
    needs: frozenset[int]  # word_starts sets met (each a set of phrases, one found is enough)
    regexes: frozenset[int]  # regexes whose first set is met


@dataclass
class _Scanned:
    hits: list[tuple[str, Term, int, int, bool]] = field(default_factory=list)
    masked: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    markers: list[int] = field(default_factory=list)
    needs: set[int] = field(default_factory=set)
    regexes: set[int] = field(default_factory=set)


class _Scan:
    """One pass over a matching form finding every plain phrase and the words regexes need.

    Regexes are numbered in the order masks, exclude regexes, regex terms; a regex
    can match only if all of its ``word_starts`` sets were met (``needs[k] <= met``).
    """

    def __init__(self, grams: dict[str, list[Entry]], needs: list[tuple[frozenset[str], ...]]):
        ids: dict[frozenset[str], int] = {}
        for sets in needs:
            for alternatives in sets:
                ids.setdefault(alternatives, len(ids))
        self.needs = [frozenset(ids[p] for p in sets) for sets in needs]
        self.always = frozenset(k for k, sets in enumerate(needs) if not sets)
        first = {k: ids[sets[0]] for k, sets in enumerate(needs) if sets}
        meets: dict[str, set[int]] = {}
        for alternatives, i in ids.items():
            for phrase in alternatives:
                meets.setdefault(phrase, set()).add(i)
        phrases = set(grams) | set(meets)
        self.found: dict[str, _Found] = {}
        for phrase in phrases:
            shorter = [phrase[:n] for n in range(1, len(phrase) + 1) if phrase[:n] in phrases]
            met = frozenset(i for p in shorter for i in meets.get(p, ()))
            self.found[phrase] = _Found(
                tuple((len(p), len(p.split()), tuple(grams[p])) for p in shorter if p in grams),
                met,
                frozenset(k for k, i in first.items() if i in met),
            )
        self.pattern = re.compile(" (?=(" + _trie(phrases) + "))")

    def run(self, text: str) -> _Scanned:
        out = _Scanned(regexes=set(self.always))
        hits, masked, markers = out.hits, out.masked, out.markers
        end = len(text)
        word, last = 0, 0  # word index of the char offset ``last``
        for m in self.pattern.finditer(" " + text):
            found = self.found[m.group(1)]
            if found.needs:
                out.needs |= found.needs
                out.regexes |= found.regexes
            if not found.grams:
                continue
            at = m.start()
            word += text.count(" ", last, at)
            last = at
            for length, n, entries in found.grams:
                stop = at + length
                if stop != end and text[stop] != " ":
                    continue  # a longer word: "jalanan" is not the phrase "jalan"
                _file(entries, word, n, hits, masked, markers)
        return out


def _file(
    entries: Iterable[tuple[str, str, Term | None]],
    word: int,
    n: int,
    hits: list[tuple[str, Term, int, int, bool]],
    masked: dict[str, list[tuple[int, int]]],
    markers: list[int],
) -> None:
    """File the rule entries of a phrase found at ``word`` (``n`` words long): a term's
    hit, an exclusion's masked span, or a request marker."""
    for kind, owner, term in entries:
        if kind == "term":
            assert term is not None
            hits.append((owner, term, word, n, False))
        elif kind == "exclude":
            masked.setdefault(owner, []).append((word, word + n))
        else:
            markers.append(word)


def _trie(phrases: set[str]) -> str:
    """A regex matching the longest of ``phrases`` that the text continues with."""
    root: dict[str, Any] = {}
    for phrase in phrases:
        node = root
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        alternatives = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else f"(?:{'|'.join(alternatives)})"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


def is_matching_form(text: str) -> bool:
    """Words of letters and digits (``\\w`` without ``_``) joined by single spaces."""
    return (
        text[:1] != " "
        and text[-1:] != " "
        and "  " not in text
        and text.replace(" ", "").isalnum()
    )


def score(compiled: Compiled, text: str) -> Scores:
    """Per-category scores and matched rule names for one matching form."""
    if not is_matching_form(text):
        return score_reference(compiled, text)
    scan, rules = compiled.scan, compiled.rules
    found = scan.run(text)
    masked_text, changed = text, False
    for k, part in enumerate(rules.masks.regex_parts):
        if not changed and (k not in found.regexes or not scan.needs[k] <= found.needs):
            continue  # cannot match
        if part.may_match(masked_text):
            masked_text, n = part.regex.subn(" ", masked_text)
            changed = changed or n > 0
    if changed:
        masked_text = " ".join(masked_text.split())
        if not is_matching_form(masked_text):
            return score_reference(compiled, text)
        text, found = masked_text, scan.run(masked_text)
    hits, masked = found.hits, found.masked
    k = len(rules.masks.regex_parts)
    for owner, gated in compiled.exclude_regex.items():
        if k in found.regexes and scan.needs[k] <= found.needs:
            for m in gated.regex.finditer(text):
                a = text.count(" ", 0, m.start())
                b = text.count(" ", 0, max(m.end() - 1, m.start())) + 1
                masked.setdefault(owner, []).append((a, b))
        k += 1
    first = k
    for k in sorted(found.regexes):
        if k < first or not scan.needs[k] <= found.needs:
            continue
        owner, term, gate = compiled.regex_terms[k - first]
        if not gate.may_match(text):
            continue
        for m in term.regex.finditer(text):
            a = text.count(" ", 0, m.start())
            b = text.count(" ", 0, max(m.end() - 1, m.start())) + 1
            hits.append((owner, term, a, b - a, True))
    return _tally(rules, hits, masked, found.markers)


def score_reference(compiled: Compiled, text: str) -> Scores:
    """:func:`score` the plain way: every n-gram looked up, every gated regex run."""
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
            _file(grams.get(gram, ()), i, n, hits, masked, markers)
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
    return _tally(rules, hits, masked, markers)


def _tally(
    rules: RuleSet,
    hits: list[tuple[str, Term, int, int, bool]],
    masked: dict[str, list[tuple[int, int]]],
    markers: list[int],
) -> Scores:
    """Drop masked hits, count each term once (boosted inside a request), sum per category."""
    boosted_words: set[int] = set()  # the words inside a request
    if rules.request_boost != 1.0:
        for i in markers:
            boosted_words.update(range(i + 1, i + 1 + rules.request_window))
    seen: dict[tuple[str, str], bool] = {}  # (owner, term name) -> inside a request
    order: list[tuple[str, Term]] = []
    hidden_from: dict[str, set[int]] = {}  # owner -> masked words
    if masked:
        everyone = masked.get(EVERYONE, [])
        for owner, _, _, _, _ in hits:
            if owner not in hidden_from:
                spans = masked.get(owner, []) + everyone
                hidden_from[owner] = {w for a, b in spans for w in range(a, b)}
    for owner, term, i, n, by_regex in hits:
        hidden = hidden_from.get(owner)
        if hidden:
            if by_regex:  # a pattern may span a masked phrase, but not start in one
                if i in hidden:
                    continue
            elif not hidden.isdisjoint(range(i, i + n)):
                continue
        key = (owner, term.name)
        boosted = i in boosted_words
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

    def __init__(
        self,
        rules: RuleSet,
        calendar: OfficeCalendar,
        by_kecamatan: dict[str, dict[str, str]] | None = None,
    ) -> None:
        self.rules = rules
        self.compiled = Compiled(rules)
        self.calendar = calendar
        self.by_kecamatan = by_kecamatan or {}

    @classmethod
    def from_settings(
        cls, settings: TriageSettings, timezone: str, categories: tuple[str, ...]
    ) -> Triage:
        path = Path(settings.rules_file) if settings.rules_file else None
        calendar = OfficeCalendar(settings.calendar, timezone)
        return cls(load_rules(path, categories), calendar, settings.agency_by_kecamatan)

    def decide(
        self,
        match_text: str,
        *,
        channel: str | None,
        hint: str | None,
        kecamatan: str | None = None,
    ) -> Decision:
        """Route one matching form. ``channel`` is accepted for the interface; the
        rules do not depend on it (an SMS and a letter about one pothole route alike).
        ``kecamatan``: where it is, for the config's per-kecamatan agency overrides."""
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
        gated = thanks(text, rules.request_markers)
        if gated:  # nothing asked, nothing in danger now: the human queue, whatever the topic
            best, needs_review, names = rules.fallback, True, [f"{GATE_PREFIX}thanks"]
        category = rules.categories[best]
        priority, track = category.priority, category.track
        if scores.danger and not gated:
            priority, track = "high", "same_day"
            names.extend(scores.danger)
        local = self.by_kecamatan.get(kecamatan or "", {})
        return Decision(
            category=best,
            agency=local.get(best) or local.get("*") or category.agency,
            priority=priority,
            track=track,
            score=round(max(best_score, 0.0), 3),
            rules=tuple(names),
            source="rules",
            needs_review=needs_review,
        )

    def due_at(self, received_at: datetime) -> datetime:
        return self.calendar.due_at(received_at)
