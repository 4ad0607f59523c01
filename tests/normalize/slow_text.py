"""The straightforward text steps, as they were before the fast paths: the reference.

:mod:`aduan.core.text`, :mod:`aduan.normalize.features` and
:func:`aduan.core.identity.phones_in_text` skip work whose trigger
characters or words are absent; each function here does every step on every
text, over the same patterns and lexicons. ``test_text_fast`` checks the two
agree on every text of a large mixed corpus.
"""

from __future__ import annotations

import re
import unicodedata

from aduan.core import identity
from aduan.core import text as t
from aduan.normalize import features as f

_SPACES = re.compile(r"[^\S\n]+")
_ROMAN_SINGLE = re.compile(r"(?<=[a-z] )(i|v|x)\b")
_MULTI_FIRST: dict[str, list[tuple[str, ...]]] = {}
for _phrase in sorted(f._MULTI, key=lambda p: -len(p)):
    _MULTI_FIRST.setdefault(_phrase[0], []).append(_phrase)


def clean_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(t.INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = t._CONTROL.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return t._BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def matching_form(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(t.INVISIBLE).lower()
    text = t._URL.sub(" ", text)
    text = t._MENTION.sub(" ", text)
    text = t._REDUP.sub(r"\1 \1", text)
    text = t._ROMAN_WORD.sub(lambda m: t.ROMAN[m.group(0)], text)
    text = _ROMAN_SINGLE.sub(lambda m: t._SINGLE_ROMAN[m.group(1)], text)
    text = t._REPEATS.sub(r"\1", text)
    folded = t._WORD.findall(text)
    forms = [t.SLANG[word] if word in t.SLANG else t.betawi_nye(word) for word in folded]
    return " ".join(t.keep_acronyms(folded, forms))


def phones_in_text(text: str) -> list[str]:
    found: list[str] = []
    for match in identity._PHONE_IN_TEXT.finditer(text):
        phone = identity.phone_identity(match.group(0))
        if phone.valid and phone.identity not in found:
            found.append(phone.identity)
    return found


def extract(match_text: str) -> f.Features:
    tokens = [
        tok[:-3] if len(tok) > 6 and tok.endswith("nya") else tok for tok in match_text.split()
    ]
    n = len(tokens)
    concepts: set[str] = set()
    places: set[str] = set()
    kelurahan: set[str] = set()
    rt: set[int] = set()
    rw: set[int] = set()
    house: set[int] = set()
    numbered: dict[str, int] = {}
    landmarks: set[str] = set()
    place_budget = 0
    i = 0
    while i < n:
        tok = tokens[i]
        matched = 0
        for phrase in _MULTI_FIRST.get(tok, ()):
            if tuple(tokens[i : i + len(phrase)]) == phrase:
                if phrase in f._SHADOWING:
                    matched = len(phrase)
                    if i and tokens[i - 1] in f._TRAFFIC_LIGHT_PLACE:
                        places.add("lampu_merah")
                        break
                concepts |= f._MULTI[phrase]
                break
        if not matched and tok in f._SINGLE:
            concepts |= f._SINGLE[tok]
        for parts in f._KEL_BY_FIRST.get(tok, ()):
            if tuple(tokens[i : i + len(parts)]) == parts:
                kelurahan.add(" ".join(parts))
                places.update(p for p in parts if p not in f.COMMON)
                break
        number = int(tok) if tok.isdecimal() and len(tok) <= 3 else None
        if number is not None and i:
            prev = tokens[i - 1]
            unit = tokens[i + 1] if i + 1 < n else ""
            if prev == "rt":
                rt.add(number)
                if unit.isdecimal() and len(unit) <= 3:
                    rw.add(int(unit))
            elif prev == "rw":
                rw.add(number)
            elif prev in ("no", "nomor"):
                house.add(number)
            elif unit not in f.UNITS:
                name = f._numbered_name(tokens, i)
                if name is not None:
                    numbered.setdefault(name, number)
                    places.add(name)
        if tok in f.LANDMARK_TRIGGERS:
            taken = 0
            for follow in tokens[i + 1 : i + 5]:
                if follow in f.LANDMARK_TRIGGERS or taken == 2:
                    break
                if follow in f._LANDMARK_SKIP:
                    continue
                follow = f._LANDMARK_ALIASES.get(follow, follow)
                if follow in f.LANDMARK_NOUNS:
                    landmarks.add(follow)
                taken += 1
        if tok in f.PLACE_TRIGGERS:
            place_budget = 3
        elif place_budget:
            place_budget -= 1
            if (
                tok not in f.COMMON
                and tok not in f._CONCEPT_WORDS
                and len(tok) > 2
                and not tok.isdigit()
            ):
                places.add(tok)
        i += max(matched, 1)
    if "traffic_light" in concepts and not f._has_street_light_words(tokens):
        concepts.discard("street_light")
    if "burning" in concepts and not f._FIRE_STRONG.intersection(tokens):
        concepts.discard("fire")
    return f.Features(
        concepts=frozenset(concepts),
        places=frozenset(places),
        kelurahan=frozenset(kelurahan),
        rt=frozenset(rt),
        rw=frozenset(rw),
        house=frozenset(house),
        numbered=tuple(sorted(numbered.items())),
        landmarks=frozenset(landmarks),
        followup=f.FOLLOWUP.search(match_text) is not None,
        resolved=f.RESOLVED.search(match_text) is not None,
    )
