"""What text a regular expression needs before it can match: its literal triggers.

Most of the routing file's regexes cannot match most complaints, and running
them all is the cost of triage. From each pattern this module reads the
literal text any match must contain, so the engine runs a regex only when its
literals are in the complaint:

* :func:`triggers` — the alternatives the pattern starts with (``(?:a|b) ...``);
* :func:`word_starts` — sets of literals that must begin words of a matching
  form, read off the stdlib's own parse of the pattern;
* :class:`Gated` — a regex with its triggers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

try:  # the stdlib's own regex parser: private, so a Python without it only runs slower
    import re._parser as _sre  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - CPython 3.11 to 3.14 have it
    _sre = None


@dataclass(frozen=True)
class Gated:
    """A regex with the literal words one of which must occur for it to match."""

    regex: re.Pattern[str]
    triggers: tuple[str, ...] | None = None  # None: always run

    @classmethod
    def of(cls, regex: re.Pattern[str]) -> Gated:
        return cls(regex, triggers(regex.pattern))

    def may_match(self, text: str, present: frozenset[str] | None = None) -> bool:
        """False when the regex cannot match (none of its triggers occurs in ``text``)."""
        if self.triggers is None:
            return True
        if present is not None:
            return not present.isdisjoint(self.triggers)
        return any(t in text for t in self.triggers)


_LEAD_GROUP = re.compile(r"^\(\?:([a-z0-9 |]+)\)")
_LEAD_LITERAL = re.compile(r"^[a-z0-9 ]+")


def triggers(pattern: str) -> tuple[str, ...] | None:
    """Literal text one of which every match contains, read off the pattern's start."""
    p = pattern.removeprefix(r"(?<!\w)")
    group = _LEAD_GROUP.match(p)
    if group:
        options = group.group(1).split("|")
        if "" in options or p[group.end() : group.end() + 1] in ("?", "*", "{"):
            return None  # the group may be left out ("(?:sangat )?bau"): nothing is required
        return tuple(options)
    literal = _LEAD_LITERAL.match(p)
    if literal:
        text = literal.group(0)
        if p[len(text) : len(text) + 1] in ("?", "*", "{"):
            text = text[:-1]
        if len(text.strip()) >= 2:
            return (text,)
    return None


_MAX_STRINGS = 4096  # word starts: give up on literal sets larger than this
_WORD_CLASS = [(_sre.IN, [(_sre.CATEGORY, _sre.CATEGORY_WORD)])] if _sre else []


def word_starts(regex: re.Pattern[str]) -> tuple[frozenset[str], ...]:
    r"""Sets of literal text that must each begin a word of a matching form for ``regex`` to match.

    A matching form (:func:`aduan.normalize.text.matching_form`) is words of letters and
    digits joined by single spaces, so a position right after a space, after ``(?<!\w)`` or
    at ``^`` is the start of a word. Reading the parsed pattern left to right, every
    literal (or small set of literal alternatives) that must occur at such a position gives
    one set: ``'kabel\w* (?:\w+ ){0,4}(?:putus|menjuntai)'`` needs a word starting with
    "putus" or "menjuntai"; ``term_regex("aspal*")`` needs one starting with "aspal". No
    set (``()``): nothing is known and the regex has to run. Only sound for matching forms.
    """
    if _sre is None or regex.flags & (re.IGNORECASE | re.ASCII | re.LOCALE):
        return ()
    items = list(_sre.parse(regex.pattern, regex.flags))
    found: list[frozenset[str]] = []
    at_start = False  # the position reached is the start of a word
    run: set[str] | None = None  # literal text required from the last word start on
    lead: str | None = ""  # the pattern so far, when it is one literal string

    def flush() -> None:
        nonlocal run, at_start
        if run is not None:
            if "" not in run:
                found.append(frozenset(run))
            at_start = all(s == "" or s.endswith(" ") for s in run)
            run = None

    for op, av in items:
        strings = _literals([(op, av)])
        if strings is not None:
            lead = lead + next(iter(strings)) if lead is not None and len(strings) == 1 else None
            if run is not None and len(run) * len(strings) <= _MAX_STRINGS:
                run = {a + b for a in run for b in strings}
                continue
            flush()
            if at_start:
                run = set(strings)
            else:
                at_start = all(s.endswith(" ") for s in strings)
            continue
        if op is _sre.ASSERT_NOT and av[0] == -1 and av[1].data[:1] == _WORD_CLASS:
            rest = _literals(av[1].data[1:])
            if not av[1].data[1:]:  # (?<!\w): a word starts here
                flush()
                at_start, lead = True, None
                continue
            if lead and rest == {lead} and run is None and not found:  # term_regex's lookbehind
                run, lead = {lead}, None
                continue
        if op is _sre.AT and av in (_sre.AT_BEGINNING, _sre.AT_BEGINNING_STRING) and not found:
            flush()
            at_start, lead = True, None
            continue
        lead = None
        heads = _literal_heads([(op, av)])
        if "" not in heads and (run is not None or at_start):  # e.g. (?:mati|kedip\w*)
            base = run if run is not None else {""}
            if len(base) * len(heads) <= _MAX_STRINGS:
                run = {a + b for a in base for b in heads}
            flush()
            at_start = False
            continue
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
            low, _, body = av
            ends_in_space = body.data[-1:] == [(_sre.LITERAL, ord(" "))]
            flush()
            at_start = ends_in_space and (at_start or low > 0)
            continue
        flush()
        at_start = False
    flush()
    return tuple(found)


def _literal_heads(items: Iterable[tuple[Any, Any]]) -> set[str]:
    """Literal text every match of a parsed sequence starts with (one of; ``""``: unknown)."""
    out = {""}
    for op, av in items:
        strings = _literals([(op, av)])
        if strings is None and op is _sre.BRANCH:
            strings = set()
            for alternative in av[1]:
                strings |= _literal_heads(alternative)
            if len(out) * len(strings) <= _MAX_STRINGS:
                out = {a + b for a in out for b in strings}
            return out
        if strings is None or len(out) * len(strings) > _MAX_STRINGS:
            return out
        out = {a + b for a in out for b in strings}
    return out


def _literals(items: Iterable[tuple[Any, Any]]) -> set[str] | None:
    """Every text a parsed sequence can match, if it is a small set of literals."""
    out = {""}
    for op, av in items:
        if op is _sre.LITERAL:
            options = {chr(av)}
        elif op is _sre.BRANCH:
            options = set()
            for alternative in av[1]:
                strings = _literals(alternative)
                if strings is None:
                    return None
                options |= strings
        elif op is _sre.SUBPATTERN and not av[1] and not av[2]:
            strings = _literals(av[3])
            if strings is None:
                return None
            options = strings
        elif op is _sre.MAX_REPEAT and av[1] <= 1:
            strings = _literals(av[2])
            if strings is None:
                return None
            options = strings | {""} if av[0] == 0 else strings
        else:
            return None
        if len(out) * len(options) > _MAX_STRINGS:
            return None
        out = {a + b for a in out for b in options}
    return out
