"""Text and channel hints -> :class:`Place`: only what the message states.

Rules, in the order they apply to each name found by the lexicon:

* a name right after a title ("Ibu Melawai", "Bpk. Guntur") is a person: skipped;
* a name inside a street ("Jl. Bangka XI", "Jln. Kalibata Utara II") or
  after "kali"/"sungai" names the street or the river, not the region;
* a name that is both a kelurahan and a kecamatan ("Pasar Minggu") is the
  kelurahan only after "Kel."/"Kelurahan"/"Lurah", else the kecamatan;
* a kelurahan listed in the gazetteer's ``needs_marker`` ("Gunung", "Senayan")
  counts only after such a marker;
* a landmark sets its kecamatan, and its kelurahan only when its name
  contains that kelurahan ("Stasiun Tanjung Barat"); a landmark through
  several kecamatan sets neither;
* a name outside the city sets nothing (``Place.outside`` says which).

Two different kelurahan (or kecamatan, when no kelurahan) with nothing to
choose between them give none, and so does a kelurahan written without
"Kel." beside another kecamatan ("perempatan Pasar Minggu-Kalibata"): an
invented place is worse than no place. A street ends where a place name
follows it ("Jl. Siaga Raya Pejaten").
A kelurahan always sets its kecamatan from the official table. Form fields
(a walk-in clerk's) win over the text, the text over coordinates; a map
pin is placed in the kelurahan of the nearest gazetteer place within
``max_distance_m``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from aduan.places.address import Street, coordinates, rt_rw, streets
from aduan.places.gazetteer import Gazetteer, Landmark, load_gazetteer
from aduan.places.lexicon import Lexicon, Match
from aduan.places.regions import Region, fold

FORM, TEXT, CHANNEL, COORDINATES, GAZETTEER = "form", "text", "channel", "coordinates", "gazetteer"
_FORM_PREFIX = re.compile(r"^(?:kel(?:urahan)?|kec(?:amatan)?)\b[.:]?\s*", re.I)
_ROLES = {
    **dict.fromkeys(("kel", "kelurahan", "lurah"), "kel"),
    **dict.fromkeys(("kec", "kecamatan", "camat"), "kec"),
    **dict.fromkeys(("kali", "sungai"), "river"),
    **dict.fromkeys(
        (
            *("ibu", "bu", "bapak", "pak", "bpk", "bp", "sdr", "sdri", "saudara", "saudari"),
            *("mas", "mbak", "mba", "bang", "abang", "kak", "om", "tante", "haji", "hj", "h"),
            *("nama", "namanya"),
        ),
        "person",
    ),
}


def _role(low: str, start: int) -> str | None:
    """What the word right before ``start`` makes of a name: kel, kec, person, river."""
    before = low[max(0, start - 16) : start]
    glued = before[-1:] not in (" ", "")  # "kel.pondok labu"
    words = before.split()
    if not words or words[-1].endswith(","):
        return None
    role = _ROLES.get(words[-1].lstrip("(").rstrip(".:"))
    if glued and role not in ("kel", "kec"):
        return None
    return role


@dataclass(frozen=True)
class Hints:
    """What the channel knows besides the text: a map pin, a walk-in form's fields."""

    lat: float | None = None
    lon: float | None = None
    kelurahan: str | None = None
    kecamatan: str | None = None
    rt: str | int | None = None
    rw: str | int | None = None
    street: str | None = None
    address: str | None = None  # the channel's own place text (a Telegram venue, a tweet's place)


@dataclass(frozen=True)
class Place:
    kelurahan: str | None = None
    kecamatan: str | None = None
    region_code: str | None = None  # the most precise Kemendagri code known
    rt: str | None = None  # "005"
    rw: str | None = None
    street: str | None = None  # "Jl. Ampera Raya", no house number
    place_name: str | None = None  # the gazetteer's name of a landmark named
    lat: float | None = None
    lon: float | None = None
    outside: str | None = None  # a place outside the city named instead
    sources: Mapping[str, str] = field(default_factory=dict)  # field -> form/text/channel/...


@dataclass
class _Found:
    kelurahan: list[tuple[Region, bool]] = field(default_factory=list)  # (region, marked)
    kecamatan: list[tuple[Region, bool]] = field(default_factory=list)
    landmark: Landmark | None = None
    outside: str | None = None
    city: bool = False


def _forms(text: str) -> tuple[str, str]:
    """The text squeezed, and lower-cased at the same positions."""
    norm = _squeeze(text)
    low = norm.lower()
    return (low, low) if len(low) != len(norm) else (norm, low)  # "İ" lowers to two letters


def _squeeze(text: str) -> str:
    """Runs of spaces as one space, lines kept apart (a street name never runs on past a line)."""
    if "\n" not in text:
        return " ".join(text.split())
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


_ROMAN = frozenset(("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"))


def _trim(street: Street, norm: str, matches: list[Match]) -> Street:
    """A street whose name runs on into a region name ends before it.

    "Jl. Siaga Raya Pejaten", "Jl. Wijaya I Petogogan", "gg langgar petukangan
    selatan" are a street and a place; "Jl. Raya Pasar Minggu", "Jl. Tebet
    Barat IV" and "Jl. Metro Pondok Indah" are street names.
    """
    for match in matches:
        if not street.name_start < match.start < street.end:
            continue
        if all(e.place and e.place.kind != "area" for e in match.entries):
            continue  # a landmark's name inside a street's is part of it
        before = norm[street.name_start : match.start].split()
        last = before[-1].lower().rstrip(".,") if before else ""
        named = any(w.lower() != "raya" for w in before)  # "jl. raya ragunan" is one name
        lower = named and norm[street.name_start : street.end].islower()
        if (len(before) > 1 and last == "raya") or last in _ROMAN or last.isdigit() or lower:
            return street.cut(norm, match.start)
    return street


def _pick(hits: list[tuple[Region, bool]]) -> Region | None:
    distinct = {r for r, _ in hits}
    if len(distinct) == 1:
        return hits[0][0]
    marked = {r for r, m in hits if m}
    return marked.pop() if len(marked) == 1 else None


def _number(value: str | int | None) -> str | None:
    text = str(value).strip() if value is not None else ""
    return f"{int(text):03d}" if text.isdigit() and 0 < int(text) < 1000 else None


class PlaceExtractor:
    def __init__(self, gazetteer: Gazetteer, max_distance_m: float = 300.0) -> None:
        self.gazetteer = gazetteer
        self.regions = gazetteer.regions
        self.lexicon = Lexicon(gazetteer)
        self.max_distance_m = max_distance_m
        both = set(self.regions.kelurahan) & set(self.regions.kecamatan)
        both |= {
            k
            for k in self.regions.kelurahan
            if k.replace(" ", "") in {c.replace(" ", "") for c in self.regions.kecamatan}
        }
        self._both = frozenset(both)  # kelurahan named like a kecamatan
        self._aliases = {fold(k): r for k, r in gazetteer.aliases.items()}

    def official(self, value: str | None, level: int) -> Region | None:
        """A form field's kelurahan (level 4) or kecamatan (3), validated; None if not official."""
        if not value or not value.strip():
            return None
        name = _FORM_PREFIX.sub("", value.strip())
        found = self.regions.lookup(name, level)
        if found is None:
            alias = self._aliases.get(fold(name))
            found = alias if alias is not None and alias.level == level else None
        return found

    def _from_address(
        self, address: str, street: str | None, sources: dict[str, str], text: _Found
    ) -> tuple[Region | None, Region | None, str | None]:
        """Region, street and landmark from the channel's place text, when the text has none."""
        found, its_street = self._read(*_forms(address))
        if text.landmark is None and found.landmark is not None:
            text.landmark, sources["place_name"] = found.landmark, CHANNEL
        kel, kec = self._choose(found)
        if kel or kec:
            sources["kelurahan" if kel else "kecamatan"] = CHANNEL
        if street is None and its_street is not None:
            sources["street"] = CHANNEL
            return kel, kec, its_street
        return kel, kec, street

    def _choose(self, found: _Found) -> tuple[Region | None, Region | None]:
        """One kelurahan, else one kecamatan, else nothing; a kelurahan named without
        "Kel." beside another kecamatan ("lampu merah Pasar Minggu-Kalibata") is refused."""
        kel = _pick(found.kelurahan)
        if kel is None:
            return None, _pick(found.kecamatan)
        own = self.regions.kecamatan_of(kel)
        marked = any(m for r, m in found.kelurahan if r == kel)
        if not marked and any(r != own for r, _ in found.kecamatan):
            return None, None
        return kel, None

    def _read(self, norm: str, low: str) -> tuple[_Found, str | None]:
        found = _Found()
        spans = list(streets(norm, low))
        matches = self.lexicon.find(low)
        if spans and matches:
            spans = [_trim(s, norm, matches) for s in spans]
        for match in matches:
            self._one(match, low, spans, found)
        return found, spans[0].display if spans else None

    def _one(self, match: Match, low: str, spans: list[Street], found: _Found) -> None:
        role = _role(low, match.start)
        if role in ("person", "river"):
            return
        in_street = any(s.start <= match.start and match.end <= s.end for s in spans)
        kinds = {e.kind: e for e in match.entries}
        if "place" in kinds:
            place = kinds["place"].place
            assert place is not None
            if in_street and place.kind != "road":
                return
            found.landmark = found.landmark or place
            written = low[match.start : match.end]
            kel = place.kelurahan
            if kel and fold(kel.name) in written and fold(kel.name) not in self._both:
                found.kelurahan.append((kel, False))
            elif place.kecamatan:
                found.kecamatan.append((place.kecamatan, False))
            return
        if in_street:
            return
        if "outside" in kinds:
            found.outside = found.outside or kinds["outside"].name
            return
        if "city" in kinds:
            found.city = True
            return
        kel_entry, kec_entry = kinds.get("kelurahan"), kinds.get("kecamatan")
        if kel_entry and kel_entry.region and (role == "kel" or kec_entry is None):
            name = fold(kel_entry.region.name)
            if role == "kel" or name not in self.gazetteer.needs_marker:
                found.kelurahan.append((kel_entry.region, role == "kel"))
            return
        if kec_entry and kec_entry.region:
            found.kecamatan.append((kec_entry.region, role == "kec"))

    def extract(self, text: str, hints: Hints | None = None) -> Place:
        hints = hints or _NO_HINTS
        norm, low = _forms(text)
        found, street = self._read(norm, low)
        sources: dict[str, str] = {}
        kel, kec = self._choose(found)
        if kel or kec:
            sources["kelurahan" if kel else "kecamatan"] = TEXT
        elif hints.address:
            kel, kec, street = self._from_address(hints.address, street, sources, found)
        if hints.kelurahan or hints.kecamatan:
            kel, kec = self._form_region(hints, kel, kec, sources)
        lat, lon, where = hints.lat, hints.lon, CHANNEL
        if lat is None or lon is None:
            pin = coordinates(norm)
            lat, lon, where = (pin[0], pin[1], TEXT) if pin else (None, None, "")
        if lat is not None and lon is not None:
            sources["lat"] = sources["lon"] = where
            if kel is None:
                kel, kec = self._placed(lat, lon, kec, sources)
        landmark = found.landmark
        if landmark is not None:
            sources.setdefault("place_name", TEXT)
            if lat is None:
                lat, lon = landmark.lat, landmark.lon
                sources["lat"] = sources["lon"] = GAZETTEER
        if kel is not None:
            kec = self.regions.kecamatan_of(kel)
            sources.setdefault("kecamatan", sources["kelurahan"])
        rt, rw = rt_rw(norm, low)
        given = _form_fields(hints) if hints is not _NO_HINTS else _NO_FIELDS
        for name, mine in (("rt", rt), ("rw", rw), ("street", street)):
            if given[name] is not None:
                sources[name] = FORM
            elif mine is not None:
                sources.setdefault(name, TEXT)
        code = (
            kel.code if kel else kec.code if kec else self.regions.city.code if found.city else None
        )
        return Place(
            kelurahan=kel.name if kel else None,
            kecamatan=kec.name if kec else None,
            region_code=code,
            rt=given["rt"] or rt,
            rw=given["rw"] or rw,
            street=given["street"] or street,
            place_name=landmark.name if landmark else None,
            lat=lat,
            lon=lon,
            outside=None if (kel or kec or found.city) else found.outside,
            sources=sources,
        )

    def _form_region(
        self, hints: Hints, kel: Region | None, kec: Region | None, sources: dict[str, str]
    ) -> tuple[Region | None, Region | None]:
        """The form's kelurahan or kecamatan, when official, over what the text said."""
        form_kel = self.official(hints.kelurahan, 4)
        form_kec = self.official(hints.kecamatan, 3)
        if form_kel:
            sources["kelurahan"] = FORM
            return form_kel, None
        if form_kec and (kel is None or self.regions.kecamatan_of(kel) != form_kec):
            sources.pop("kelurahan", None)
            sources["kecamatan"] = FORM
            return None, form_kec
        return kel, kec

    def _placed(
        self, lat: float, lon: float, kec: Region | None, sources: dict[str, str]
    ) -> tuple[Region | None, Region | None]:
        """A pin in the kelurahan (or kecamatan) of the nearest gazetteer place, if near."""
        near = self.gazetteer.nearest(lat, lon, self.max_distance_m)
        if near is None or (kec is not None and near[0].kecamatan != kec):
            return None, kec
        if near[0].kelurahan:
            sources["kelurahan"] = COORDINATES
            return near[0].kelurahan, None
        if kec is None:
            sources["kecamatan"] = COORDINATES
            return None, near[0].kecamatan
        return None, kec


def _form_fields(hints: Hints) -> dict[str, str | None]:
    street = hints.street.strip() if hints.street and hints.street.strip() else None
    return {"rt": _number(hints.rt), "rw": _number(hints.rw), "street": street}


_NO_HINTS = Hints()
_NO_FIELDS: dict[str, str | None] = {"rt": None, "rw": None, "street": None}


@cache
def default_extractor() -> PlaceExtractor:
    """The extractor over the shipped South Jakarta gazetteer, built once per process."""
    return PlaceExtractor(load_gazetteer())


def extract(text: str, hints: Hints | None = None) -> Place:
    """Extract the place of one complaint with the shipped gazetteer."""
    return default_extractor().extract(text, hints)
