"""Routing rules: load ``routing.toml``, check it, and score a complaint's matching form.

File format (see the packaged ``aduan/config/routing.toml``)::

    [routing]
    threshold = 2.0        # a category needs this score to claim a complaint
    margin = 1.0           # runner-up closer than this: decided, but flagged for review
    request_boost = 1.5    # terms right after "mohon/minta/tolong ..." weigh more
    request_markers = ["mohon", "minta", "tolong"]
    masks = ['(?:jalan|gang) (?:taman|pasar|kali) \\w+']   # removed before any matching

    [agencies]
    sudin-bina-marga = "Suku Dinas Bina Marga"

    [categories.roads]
    label = "Jalan dan trotoar"
    agency = "sudin-bina-marga"
    track = "coordination"        # or "same_day"
    priority = "normal"           # or "high"
    terms = { "jalan rusak" = 3, "aspal*" = 2, "paving" = 2 }
    patterns = { 'lubang\\w* (?:di )?jalan' = 3 }
    exclude = ["lampu merah"]     # masked before this category's terms are matched

    [danger]                      # any match raises the priority to "high"
    terms = ["kebakaran", "pohon tumbang"]
    patterns = ['air \\w+ masuk rumah']
    exclude = ["pencegahan kebakaran"]   # masked before the danger terms are matched
    cancel = ["sosialisasi"]             # anywhere in the complaint: no danger raise

Terms are words of the matching form (:func:`aduan.normalize.text.matching_form`:
lower case, slang expanded, punctuation gone), matched on word boundaries; a
word ending in ``*`` matches any ending (``perbaik*``). Patterns are Python
regular expressions on the same text. A negative weight counts against the
category. Each matched term counts once. Every problem in the file is
reported as one line ``file: key: reason`` in a :class:`ConfigError`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aduan.core.errors import ConfigError
from aduan.triage.literals import Gated

PRIORITIES = ("normal", "high")
MAX_NGRAM = 5
TRACKS = ("same_day", "coordination")
PACKAGED = Path(__file__).resolve().parent.parent / "config" / "routing.toml"


@dataclass(frozen=True)
class Term:
    name: str  # what the decision records, e.g. "roads:jalan rusak"
    regex: re.Pattern[str]
    weight: float
    key: str | None = None  # plain words: looked up among the text's n-grams, no regex


@dataclass(frozen=True)
class Mask:
    """Phrases (plain words, matched on word boundaries) and/or one joined regex."""

    phrases: tuple[str, ...] = ()
    regex: re.Pattern[str] | None = None
    parts: tuple[Gated, ...] = ()  # phrases and regexes, one by one
    regex_parts: tuple[Gated, ...] = ()  # the regexes only

    def __bool__(self) -> bool:
        return bool(self.parts)

    def sub(self, text: str, *, regex_only: bool = False) -> str:
        """``text`` with every match removed (a removed span becomes one space)."""
        changed = False
        for part in self.regex_parts if regex_only else self.parts:
            if part.may_match(text):
                text, n = part.regex.subn(" ", text)
                changed = changed or n > 0
        return " ".join(text.split()) if changed else text


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    agency: str | None
    track: str
    priority: str
    terms: tuple[Term, ...]
    exclude: Mask


@dataclass(frozen=True)
class RuleSet:
    source: str
    threshold: float
    margin: float
    request_boost: float
    request_window: int
    request_markers: frozenset[str]
    masks: Mask
    agencies: dict[str, str]
    categories: dict[str, Category]
    danger: tuple[Term, ...]
    danger_exclude: Mask
    danger_cancel: Mask
    fallback: str = "other"
    order: tuple[str, ...] = field(default_factory=tuple)


def term_regex(term: str) -> str:
    """``"perbaik* jalan"`` -> a regex matching those words on word boundaries.

    The pattern starts with the literal first word (the boundary check comes
    right after it, as a lookbehind) so that ``re`` can search for the literal.
    """
    words = term.split()
    parts = []
    for word in words:
        if word.endswith("*"):
            parts.append(re.escape(word[:-1]) + r"\w*")
        else:
            parts.append(re.escape(word))
    lead = re.escape(words[0].rstrip("*"))
    rest = " ".join(parts)[len(lead) :]
    return lead + r"(?<!\w" + lead + ")" + rest + r"(?!\w)"


class _Checker:
    """Collects one ``file: key: reason`` line per problem."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []

    def bad(self, key: str, reason: str) -> None:
        self.problems.append(f"{self.source}: {key}: {reason}")

    def number(self, table: dict[str, Any], key: str, where: str, default: float) -> float:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.bad(f"{where}.{key}", f"must be a number, got {value!r}")
            return default
        return float(value)

    def compile(self, pattern: Any, key: str) -> re.Pattern[str] | None:
        if not isinstance(pattern, str) or not pattern.strip():
            self.bad(key, f"must be a non-empty string, got {pattern!r}")
            return None
        try:
            return re.compile(pattern)
        except re.error as exc:
            self.bad(key, f"bad regular expression: {exc}")
            return None

    def strings(self, table: dict[str, Any], key: str, where: str) -> list[str]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.bad(f"{where}.{key}", "must be a list of strings")
            return []
        return list(value)

    def terms(self, table: dict[str, Any], where: str, prefix: str) -> list[Term]:
        out: list[Term] = []
        for kind in ("terms", "patterns"):
            value = table.get(kind, {})
            if not isinstance(value, dict):
                self.bad(f"{where}.{kind}", 'must be a table of "text" = weight')
                continue
            for text, weight in value.items():
                key = f'{where}.{kind}."{text}"'
                if isinstance(weight, bool) or not isinstance(weight, int | float) or weight == 0:
                    self.bad(key, f"weight must be a non-zero number, got {weight!r}")
                    continue
                regex = self.compile(term_regex(text) if kind == "terms" else text, key)
                if regex is not None:
                    plain = kind == "terms" and "*" not in text and len(text.split()) <= MAX_NGRAM
                    name = f"{prefix}:{text}"
                    key_ = " ".join(text.split()) if plain else None
                    out.append(Term(name, regex, float(weight), key_))
        return out

    def masks(self, table: dict[str, Any], key: str, where: str) -> Mask:
        """Plain phrases (matched like terms) and regular expressions."""
        phrases: list[str] = []
        regexes: list[re.Pattern[str]] = []
        for i, text in enumerate(self.strings(table, key, where)):
            if _looks_like_regex(text):
                regex = self.compile(text, f"{where}.{key}[{i}]")
                if regex is not None:
                    regexes.append(regex)
            elif "*" in text or len(text.split()) > MAX_NGRAM:
                regex = self.compile(term_regex(text), f"{where}.{key}[{i}]")
                if regex is not None:
                    regexes.append(regex)
            elif text.strip():
                phrases.append(" ".join(text.split()))
            else:
                self.bad(f"{where}.{key}[{i}]", "empty")
        joined = _join(regexes)
        regex_parts = tuple(Gated.of(r) for r in regexes)
        parts = regex_parts + tuple(Gated.of(re.compile(term_regex(p))) for p in phrases)
        return Mask(tuple(phrases), joined, parts, regex_parts)


def _join(patterns: list[re.Pattern[str]]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    if len(patterns) == 1:
        return patterns[0]
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns))


_CATEGORY_KEYS = {"label", "agency", "track", "priority", "terms", "patterns", "exclude"}


def _category(check: _Checker, code: str, table: Any, agencies: dict[str, str]) -> Category | None:
    where = f"categories.{code}"
    if not isinstance(table, dict):
        check.bad(where, "must be a table")
        return None
    for key in sorted(set(table) - _CATEGORY_KEYS):
        check.bad(f"{where}.{key}", f"unknown key (expected one of {sorted(_CATEGORY_KEYS)})")
    label = table.get("label")
    if not isinstance(label, str) or not label.strip():
        check.bad(f"{where}.label", "missing (an Indonesian label for people)")
        label = code
    agency = table.get("agency")
    if agency is not None and agency not in agencies:
        check.bad(f"{where}.agency", f"{agency!r} is not defined under [agencies]")
    track = table.get("track", "coordination")
    if track not in TRACKS:
        check.bad(f"{where}.track", f"must be one of {TRACKS}, got {track!r}")
    priority = table.get("priority", "normal")
    if priority not in PRIORITIES:
        check.bad(f"{where}.priority", f"must be one of {PRIORITIES}, got {priority!r}")
    terms = check.terms(table, where, code)
    exclude = check.masks(table, "exclude", where)
    return Category(
        code,
        label,
        agency if isinstance(agency, str) else None,
        str(track),
        str(priority),
        tuple(terms),
        exclude,
    )


def _looks_like_regex(text: str) -> bool:
    return any(ch in text for ch in "\\()[]?|+{}^$")


def parse_rules(data: dict[str, Any], source: str, categories: tuple[str, ...]) -> RuleSet:
    """Check and compile a parsed routing file; ConfigError lists every problem."""
    check = _Checker(source)
    for key in sorted(set(data) - {"routing", "agencies", "categories", "danger"}):
        check.bad(key, "unknown table (expected routing, agencies, categories, danger)")
    routing = data.get("routing", {})
    agencies_raw = data.get("agencies", {})
    agencies: dict[str, str] = {}
    if not isinstance(agencies_raw, dict):
        check.bad("agencies", "must be a table of code = name")
    else:
        for code, name in agencies_raw.items():
            if not isinstance(name, str) or not name.strip():
                check.bad(f"agencies.{code}", "must be the agency's name")
            elif len(code) > 64:
                check.bad(f"agencies.{code}", "code longer than 64 characters")
            else:
                agencies[code] = name
    cats: dict[str, Category] = {}
    raw_cats = data.get("categories", {})
    if not isinstance(raw_cats, dict):
        check.bad("categories", "must be a table of categories")
        raw_cats = {}
    for code, table in raw_cats.items():
        if code not in categories:
            check.bad(f"categories.{code}", f"unknown category (known: {', '.join(categories)})")
            continue
        cat = _category(check, code, table, agencies)
        if cat is not None:
            cats[code] = cat
    for code in categories:
        if code not in raw_cats:
            check.bad(f"categories.{code}", "missing")
    danger = data.get("danger", {})
    if not isinstance(danger, dict):
        check.bad("danger", "must be a table")
        danger = {}
    danger_terms: list[Term] = []
    for kind in ("terms", "patterns"):
        for i, text in enumerate(check.strings(danger, kind, "danger")):
            rx = term_regex(text) if kind == "terms" else text
            regex = check.compile(rx, f"danger.{kind}[{i}]")
            plain = kind == "terms" and "*" not in text and len(text.split()) <= MAX_NGRAM
            if regex is not None:
                gram = " ".join(text.split()) if plain else None
                danger_terms.append(Term(f"danger:{text}", regex, 1.0, gram))
    if not isinstance(routing, dict):
        check.bad("routing", "must be a table")
        routing = {}
    threshold = check.number(routing, "threshold", "routing", 2.0)
    margin = check.number(routing, "margin", "routing", 1.0)
    boost = check.number(routing, "request_boost", "routing", 1.0)
    window = int(check.number(routing, "request_window", "routing", 10))
    markers = check.strings(routing, "request_markers", "routing")
    masks = check.masks(routing, "masks", "routing")
    danger_exclude = check.masks(danger, "exclude", "danger")
    danger_cancel = check.masks(danger, "cancel", "danger")
    for key in sorted(set(danger) - {"terms", "patterns", "exclude", "cancel"}):
        check.bad(f"danger.{key}", "unknown key (expected terms, patterns, exclude, cancel)")
    if threshold <= 0:
        check.bad("routing.threshold", "must be above 0")
    if check.problems:
        raise ConfigError(check.problems)
    return RuleSet(
        source=source,
        threshold=threshold,
        margin=margin,
        request_boost=boost,
        request_window=window,
        request_markers=frozenset(" ".join(m.split()) for m in markers),
        masks=masks,
        agencies=agencies,
        categories=cats,
        danger=tuple(danger_terms),
        danger_exclude=danger_exclude,
        danger_cancel=danger_cancel,
        order=categories,
    )


def load_rules(path: Path | None, categories: tuple[str, ...]) -> RuleSet:
    """Read and check the routing file (``None``: the packaged default)."""
    path = path or PACKAGED
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([f"{path}: file not found (triage.rules_file)"]) from None
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read: {exc.strerror}"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: not valid TOML: {exc}"]) from None
    except UnicodeDecodeError:
        raise ConfigError([f"{path}: not UTF-8 text"]) from None
    return parse_rules(data, str(path), categories)
