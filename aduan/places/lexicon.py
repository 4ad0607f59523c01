"""Every way of writing a place, in one Aho-Corasick automaton.

Keys are lower-case phrases; each maps to the entries it can mean (a name
such as "pasar minggu" is both a kelurahan and a kecamatan). Built once per
gazetteer from the official names, their common abbreviations ("Kby Lama",
"Ps Minggu", "Lt. Agung", "Pd. Labu"), written together ("tebetbarat"), the
gazetteer's aliases and places, and the names outside the city. Matching is
:meth:`Lexicon.find`: all keys in one pass, word boundaries checked, the
longest leftmost match kept where matches overlap.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

import ahocorasick

from aduan.places.gazetteer import Gazetteer, Landmark
from aduan.places.regions import Region, fold

Kind = Literal["kelurahan", "kecamatan", "place", "outside", "city"]

# Abbreviations of words in place names, as written in SMS, tweets and forms.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "pondok": ("pd", "pd.", "pdk", "pdk."),
    "kebayoran": ("kby", "kby.", "keb", "keb.", "kebay"),
    "pasar": ("ps", "ps.", "psr", "psr."),
    "lenteng": ("lt", "lt."),
    "tanjung": ("tj", "tj.", "tg", "tg.", "tanjong"),
    "utara": ("utr", "utr.", "ut."),
    "selatan": ("sel", "sel.", "slt", "sltn"),
    "barat": ("brt", "bar.", "brt."),
    "timur": ("tmr", "tim."),
    "dalam": ("dalem", "dlm"),
    "tiga": ("3",),
    "lama": ("lm",),
    "petukangan": ("ptkgn", "ptk"),
    "jakarta": ("jkt", "jkt."),
}
DIRECTIONS = frozenset({"utara", "selatan", "barat", "timur", "tengah"})
CITY_NAMES = {"31.74": ("jakarta selatan", "jaksel", "jkt sel", "jakarta sel")}


@dataclass(frozen=True)
class Entry:
    kind: Kind
    region: Region | None = None
    place: Landmark | None = None
    name: str = ""


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    entries: tuple[Entry, ...]


def variants(name: str) -> set[str]:
    """The folded name, its abbreviated forms and the words written together."""
    words = fold(name).split()
    choices = [(w, *ABBREVIATIONS.get(w, ())) for w in words]
    out: set[str] = set()
    for combo in itertools.islice(itertools.product(*choices), 200):
        out.add(" ".join(combo))
    if len(words) > 1:
        out.add("".join(words))
    for v in list(out):
        if "." in v:
            out.add(v.replace(".", ""))
            out.add(v.replace(". ", "."))
    return {v for v in out if v}


class Lexicon:
    def __init__(self, gazetteer: Gazetteer) -> None:
        regions = gazetteer.regions
        table: dict[str, list[Entry]] = {}

        def add(key: str, entry: Entry) -> None:
            bucket = table.setdefault(key, [])
            if entry not in bucket:
                bucket.append(entry)

        for region in regions.outside:
            if len(region.name) >= 7 or " " in region.name:  # not "Tengah", "Kramat"
                add(fold(region.name), Entry("outside", region, name=region.name))
            words = fold(region.name).split()
            if len(words) > 2 and words[-1] in DIRECTIONS:
                # "Gunung Sahari" for Gunung Sahari Utara/Selatan (Jakarta Pusat)
                add(" ".join(words[:-1]), Entry("outside", region, name=region.name))
        for name in gazetteer.outside:
            for v in variants(name):
                add(v, Entry("outside", name=name))
        for region in (*regions.kecamatan.values(), *regions.kelurahan.values()):
            kind: Kind = "kelurahan" if region.level == 4 else "kecamatan"
            for v in variants(region.name):
                add(v, Entry(kind, region, name=region.name))
        for alias, region in gazetteer.aliases.items():
            kind = "kelurahan" if region.level == 4 else "kecamatan"
            for v in variants(alias):
                add(v, Entry(kind, region, name=region.name))
        for place in gazetteer.places:
            for written in (place.name, *place.aliases):
                for v in variants(written):
                    add(v, Entry("place", place=place, name=place.name))
        for v in CITY_NAMES.get(regions.city.code, ()):
            add(v, Entry("city", regions.city, name=regions.city.name))
        # An inside name shadows an outside one written the same way.
        self.automaton = ahocorasick.Automaton()
        for key, bucket in table.items():
            inside = [e for e in bucket if e.kind != "outside"]
            self.automaton.add_word(key, (len(key), tuple(inside or bucket)))
        self.automaton.make_automaton()

    def find(self, low: str) -> list[Match]:
        """Matches in ``low`` (lower-cased text), on word boundaries, longest leftmost."""
        found: list[tuple[int, int, tuple[Entry, ...]]] = []
        n = len(low)
        for end, (length, entries) in self.automaton.iter(low):
            start = end - length + 1
            before = low[start - 1] if start else " "
            after = low[end + 1] if end + 1 < n else " "
            if before.isalnum() or before in "_@" or after.isalnum() or after == "_":
                continue  # inside a word, or a handle ("@warga_tebet")
            found.append((start, end + 1, entries))
        if len(found) < 2:
            return [Match(*f) for f in found]
        found.sort(key=lambda f: (f[0], f[0] - f[1]))
        kept: list[Match] = []
        reach = -1
        for start, end, entries in found:
            if start >= reach:
                kept.append(Match(start, end, entries))
                reach = end
        return kept
