"""What a complaint is about and where: the features dedup compares beyond raw wording.

Citizens describe one problem in very different words ("lubang" / "kubangan"
/ "bolong"; "lampu PJU padam" / "gelap, gak ada lampu"), so near-duplicate
text alone misses most same-incident reports, and near-identical text about
``RT 03`` and ``RT 09`` is two different problems. From the matching form
(:func:`aduan.core.text.matching_form`) this module extracts:

* **concepts** — the public-service problem named (street light, pothole,
  blocked drain, water outage, ...), from a lexicon of the vocabulary of
  Indonesian local government and its common slang;
* **places** — the words that name a place: after ``jalan``/``gang``/``di``/
  ``depan``/... and the kelurahan of South Jakarta (a gazetteer);
* **pinpoints** that make two places different although they share words:
  RT/RW numbers, house numbers, numbered streets (``Wijaya I`` vs
  ``Wijaya II``), the landmark next to the spot (``depan halte`` vs ``depan
  masjid``), and different kelurahan;
* **follow-up** and **resolved** markers ("gimana kelanjutannya", "sudah
  menyala lagi").

Everything is computed from the text alone and is cheap (sets of strings).
The word lists (concepts, gazetteer, place and landmark words) live in the
packaged ``lexicon.toml`` beside this module, read once at import.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any, TypeVar

from aduan.core.text import matching_form

_T = TypeVar("_T")

_LEXICON_FILE = "lexicon.toml"
"""The word lists, packaged beside this module (read once, at import)."""


def _load_lexicon() -> dict[str, Any]:
    text = resources.files("aduan.normalize").joinpath(_LEXICON_FILE).read_text(encoding="utf-8")
    return tomllib.loads(text)


_LEXICON = _load_lexicon()
# concept -> its words and phrases
CONCEPT_WORDS: dict[str, tuple[str, ...]] = {
    concept: tuple(words) for concept, words in _LEXICON["concepts"].items()
}
KELURAHAN: list[str] = list(_LEXICON["places"]["kelurahan"])
PLACE_TRIGGERS = frozenset(_LEXICON["places"]["triggers"])
"""Words after which the next few words name a place."""
COMMON = frozenset(_LEXICON["places"]["common"])
"""Common words that never name a place on their own."""
DIRECTIONS = frozenset(_LEXICON["places"]["directions"])
UNITS = frozenset(_LEXICON["places"]["units"])
_NUMBER_NAMES = frozenset(_LEXICON["places"]["number_names"])
LANDMARK_TRIGGERS = frozenset(_LEXICON["landmarks"]["triggers"])
_LANDMARK_SKIP = frozenset(_LEXICON["landmarks"]["skip"])
LANDMARK_NOUNS = frozenset(_LEXICON["landmarks"]["nouns"])
_LANDMARK_ALIASES: dict[str, str] = dict(_LEXICON["landmarks"]["aliases"])
_TRAFFIC_LIGHT_PLACE = frozenset(_LEXICON["special"]["traffic_light_place"])
_FIRE_STRONG = frozenset(_LEXICON["special"]["fire_strong"])

FOLLOWUP = re.compile(
    r"\b(bagaimana kelanjutan\w*|kelanjutan\w*|tindak lanjut|menindaklanjuti|menyusul|"
    r"menyambung|masih belum|belum ada (?:respon|jawaban|tindak|petugas|yang)|masih sama|"
    r"sudah lapor|sudah (?:saya )?(?:email|sms|mention|kirim|lapor)|"
    r"yang (?:kemarin|tadi) (?:saya )?(?:lapor|email|sms|mention)|"
    r"saya (?:yang|sudah) (?:lapor|sms|email|mention|menulis)|"
    r"datang kembali|menanyakan kembali|update|laporan saya|masih ada|masih|"
    r"belum \w+ juga)\b"
)
RESOLVED = re.compile(
    r"\b(sudah (?:menyala|nyala|diperbaiki|diangkut|dibersihkan|beres|selesai)|"
    r"menyala lagi|nyala lagi|terima ?kasih petugas|cepat tanggap|sudah normal)\b"
)
# Every match of FOLLOWUP has one of these words, or a word starting "kelanjutan"; every
# match of RESOLVED one of those. Most texts have none, and looking costs less than
# the search. Keep them in step with the patterns.
_FOLLOWUP_WORDS = frozenset(
    [
        "masih",
        "belum",
        "lanjut",
        "menindaklanjuti",
        "menyusul",
        "menyambung",
        "lapor",
        "email",
        "sms",
        "mention",
        "kirim",
        "menulis",
        "kembali",
        "update",
        "laporan",
    ]
)
_RESOLVED_WORDS = frozenset(
    [
        "menyala",
        "nyala",
        "diperbaiki",
        "diangkut",
        "dibersihkan",
        "beres",
        "selesai",
        "normal",
        "petugas",
        "tanggap",
    ]
)

_KEL_BY_FIRST: dict[str, list[tuple[str, ...]]] = {}
for _name in sorted(KELURAHAN, key=lambda n: -len(n.split())):
    _parts = tuple(_name.split())
    _KEL_BY_FIRST.setdefault(_parts[0], []).append(_parts)


def _build_lexicon() -> tuple[dict[str, set[str]], dict[tuple[str, ...], set[str]]]:
    single: dict[str, set[str]] = {}
    multi: dict[tuple[str, ...], set[str]] = {}
    for concept, patterns in CONCEPT_WORDS.items():
        for pattern in patterns:
            words = tuple(matching_form(pattern).split())
            if len(words) == 1:
                single.setdefault(words[0], set()).add(concept)
            elif words:
                multi.setdefault(words, set()).add(concept)
    return single, multi


_SINGLE, _MULTI = _build_lexicon()
# Phrases by their first two words, longest first ("lampu lalu lintas" before "lampu lalu").
_MULTI_BY_PAIR: dict[tuple[str, str], list[tuple[str, ...]]] = {}
for _phrase in sorted(_MULTI, key=lambda p: -len(p)):
    _MULTI_BY_PAIR.setdefault((_phrase[0], _phrase[1]), []).append(_phrase)
_CONCEPT_WORDS = frozenset(_SINGLE) | {w for p in _MULTI for w in p}
# Phrases whose words alone mean another thing ("lampu merah" is not a street light).
_SHADOWING = {("lampu", "merah"), ("lampu", "lalu", "lintas")}
# What a word can do in extract(), as bits: most words do none of it (they can only be a
# place), and the few that do are looked up once. No word of these lists is a number.
_STARTS_PHRASE, _CONCEPT, _STARTS_KELURAHAN, _LANDMARK_TRIGGER, _PLACE_TRIGGER = 1, 2, 4, 8, 16
_ROLES: dict[str, int] = {}
for _words, _role in (
    ({first for first, _ in _MULTI_BY_PAIR}, _STARTS_PHRASE),
    (_SINGLE, _CONCEPT),
    (_KEL_BY_FIRST, _STARTS_KELURAHAN),
    (LANDMARK_TRIGGERS, _LANDMARK_TRIGGER),
    (PLACE_TRIGGERS, _PLACE_TRIGGER),
):
    for _word in _words:
        _ROLES[_word] = _ROLES.get(_word, 0) | _role
_NOT_PLACE = COMMON | _CONCEPT_WORDS


@dataclass(frozen=True, slots=True)
class Features:
    """What and where, as sets of strings; see the module docstring."""

    concepts: frozenset[str]
    places: frozenset[str]
    kelurahan: frozenset[str]
    rt: frozenset[int]
    rw: frozenset[int]
    house: frozenset[int]
    numbered: tuple[tuple[str, int], ...]
    landmarks: frozenset[str]
    followup: bool
    resolved: bool


def _numbered_name(tokens: list[str], i: int) -> str | None:
    """The street name a number at ``i`` belongs to ("kemang selatan 8" -> "kemang")."""
    j = i - 1
    while j >= 0 and i - j <= 3 and tokens[j] in DIRECTIONS:
        j -= 1
    if j < 0 or i - j > 3:
        return None
    name = tokens[j]
    if name in COMMON or name in _NUMBER_NAMES or name in _CONCEPT_WORDS or len(name) <= 2:
        return None
    if name.isdigit():
        return None
    return name


def _add_number(
    tokens: list[str],
    i: int,
    number: int,
    rt: set[int],
    rw: set[int],
    house: set[int],
    numbered: dict[str, int],
    places: set[str],
) -> None:
    """What the number at ``i`` (not the first word) pinpoints: RT, RW, house or street."""
    prev = tokens[i - 1]
    unit = tokens[i + 1] if i + 1 < len(tokens) else ""
    if prev == "rt":
        rt.add(number)
        if unit.isdecimal() and len(unit) <= 3:
            rw.add(int(unit))
    elif prev == "rw":
        rw.add(number)
    elif prev in ("no", "nomor"):
        house.add(number)
    elif unit not in UNITS:
        name = _numbered_name(tokens, i)
        if name is not None:
            numbered.setdefault(name, number)
            places.add(name)


# The window holds the features of a week of complaints, and a frozenset takes 216 bytes
# however few its members: the sets that recur are shared.
_NONE: frozenset[Any] = frozenset()
"""The one empty set: ``frozenset(set())`` is an object of its own, and most texts name no
house number or landmark."""
_SHARED: dict[frozenset[Any], frozenset[Any]] = {}
"""One object per distinct set of concepts, kelurahan, RT or RW (small vocabularies: a few
hundred sets recur in every text)."""
_SHARED_LIMIT = 10_000
"""Distinct sets remembered before :data:`_SHARED` starts afresh."""


def _frozen(items: set[_T]) -> frozenset[_T]:
    return frozenset(items) if items else _NONE


def _shared(items: set[_T]) -> frozenset[_T]:
    """``items`` as the one frozenset of its value (:data:`_SHARED`)."""
    if not items:
        return _NONE
    value = frozenset(items)
    known = _SHARED.get(value)
    if known is None:
        if len(_SHARED) >= _SHARED_LIMIT:
            _SHARED.clear()
        known = _SHARED[value] = value
    return known


def extract(match_text: str) -> Features:
    """The features of one matching form."""
    tokens = match_text.split()
    if "nya" in match_text:  # "lampunya" -> "lampu"
        tokens = [t[:-3] if len(t) > 6 and t.endswith("nya") else t for t in tokens]
    concepts: set[str] = set()
    places: set[str] = set()
    kelurahan: set[str] = set()
    rt: set[int] = set()
    rw: set[int] = set()
    house: set[int] = set()
    numbered: dict[str, int] = {}
    landmarks: set[str] = set()
    place_budget = 0
    skip = 0
    for i, tok in enumerate(tokens):
        if skip:  # the rest of a shadowing phrase
            skip -= 1
            continue
        role = _ROLES.get(tok, 0)
        if role == _PLACE_TRIGGER:  # "di", "kelurahan", "gang": among the most common words
            place_budget = 3
            continue
        if not role:
            if tok.isdecimal():
                number = int(tok) if len(tok) <= 3 else None
                if number is not None and i:
                    _add_number(tokens, i, number, rt, rw, house, numbered, places)
            elif place_budget and tok not in _NOT_PLACE and len(tok) > 2:
                places.add(tok)
            if place_budget:
                place_budget -= 1
            continue
        matched = 0
        if role & _STARTS_PHRASE and i + 1 < len(tokens):
            for phrase in _MULTI_BY_PAIR.get((tok, tokens[i + 1]), ()):
                if tuple(tokens[i : i + len(phrase)]) == phrase:
                    if phrase in _SHADOWING:
                        matched = len(phrase)
                        # "di lampu merah X": a place, not the problem
                        if i and tokens[i - 1] in _TRAFFIC_LIGHT_PLACE:
                            places.add("lampu_merah")
                            break
                    concepts |= _MULTI[phrase]
                    break
        if not matched and role & _CONCEPT:
            concepts |= _SINGLE[tok]
        if role & _STARTS_KELURAHAN:
            for parts in _KEL_BY_FIRST[tok]:
                if tuple(tokens[i : i + len(parts)]) == parts:
                    kelurahan.add(" ".join(parts))
                    places.update(p for p in parts if p not in COMMON)
                    break
        if role & _LANDMARK_TRIGGER:
            taken = 0
            for follow in tokens[i + 1 : i + 5]:
                if follow in LANDMARK_TRIGGERS or taken == 2:
                    break
                if follow in _LANDMARK_SKIP:
                    continue
                follow = _LANDMARK_ALIASES.get(follow, follow)
                if follow in LANDMARK_NOUNS:
                    landmarks.add(follow)
                taken += 1
        if role & _PLACE_TRIGGER:
            place_budget = 3
        elif place_budget:
            place_budget -= 1
            if tok not in _NOT_PLACE and len(tok) > 2:
                places.add(tok)
        if matched:
            skip = matched - 1
    if "traffic_light" in concepts and not _has_street_light_words(tokens):
        concepts.discard("street_light")
    if "burning" in concepts and not _FIRE_STRONG.intersection(tokens):
        concepts.discard("fire")
    if "".join(tokens).isalnum():  # only words and spaces: a pattern's words are tokens
        followup = "kelanjutan" in match_text or not _FOLLOWUP_WORDS.isdisjoint(tokens)
        resolved = not _RESOLVED_WORDS.isdisjoint(tokens)
    else:
        followup = resolved = True
    return Features(
        concepts=_shared(concepts),
        places=_frozen(places),
        kelurahan=_shared(kelurahan),
        rt=_shared(rt),
        rw=_shared(rw),
        house=_frozen(house),
        numbered=tuple(sorted(numbered.items())),
        landmarks=_frozen(landmarks),
        followup=followup and FOLLOWUP.search(match_text) is not None,
        resolved=resolved and RESOLVED.search(match_text) is not None,
    )


def _has_street_light_words(tokens: list[str]) -> bool:
    joined = " ".join(tokens)
    return "pju" in tokens or "lampu jalan" in joined or "penerangan" in tokens
