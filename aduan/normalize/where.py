"""Where a complaint is, for the incident rule: its place key, and how two places relate.

The place itself is read by :mod:`aduan.places` (kelurahan, kecamatan, RT/RW,
street, landmark, coordinates); here it becomes a small :class:`Where` kept
on the window's entry, the complaint's place columns, and:

* :func:`relation` — ``same`` (the same landmark, street or RT+RW of one
  kelurahan, one RT+RW, coordinates within ``incident_distance_m``), ``near``
  (one kelurahan, or a landmark in it, where no street, landmark or RT named
  on both sides differs), ``conflict``
  (two kelurahan, two kecamatan, two streets not near each other, or map
  pins farther apart than ``conflict_distance_m``) or None (unknown);
* :func:`place_keys` — block keys that make a same-place, same-category
  complaint a candidate even when its words share nothing (a landmark on one
  side and the street on the other meet in a coordinate cell).

A landmark's gazetteer coordinates stand in for a pin here (approximate, about
100 m) but are not written to the complaint's own ``lat``/``lon``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz.fuzz import partial_ratio

from aduan.config.places import PlacesSettings
from aduan.core.messages import Location
from aduan.places import Hints, Place, PlaceExtractor
from aduan.places.address import canonical_street
from aduan.places.gazetteer import haversine_m

_CELL = 0.0025
"""Degrees of a coordinate cell of the block index (about 280 m)."""


@dataclass(frozen=True, slots=True)
class Where:
    """A complaint's place as the incident rule compares it."""

    kelurahan: str | None = None
    kecamatan: str | None = None
    street: str | None = None  # its name words: "ampera", "lebak bulus 3" (see street_key)
    place_name: str | None = None
    rt: str | None = None
    rw: str | None = None
    lat: float | None = None  # stated, or the landmark's
    lon: float | None = None
    pinned: bool = False  # lat/lon stated by the message or its channel
    near_kelurahan: str | None = None  # the kelurahan, or the one its landmark lies in

    def __bool__(self) -> bool:
        return bool(
            self.kelurahan or self.kecamatan or self.street or self.place_name or self.rt
        ) or (self.lat is not None)


NOWHERE = Where()


_BROAD = frozenset(("area", "road"))
"""Landmark kinds too large to be one spot ("Kemang", a long road): not a place of their own."""


def where_of(place: Place, extractor: PlaceExtractor) -> Where:
    pinned = place.lat is not None and place.sources.get("lat") in ("channel", "text")
    name = place.place_name
    lat, lon = place.lat, place.lon
    if name is not None and name in _broad(extractor):
        name = None
        if not pinned:
            lat = lon = None
    return _where(place, name, lat, lon, pinned, extractor)


def _where(
    place: Any,
    name: str | None,
    lat: float | None,
    lon: float | None,
    pinned: bool,
    extractor: PlaceExtractor,
) -> Where:
    near = place.kelurahan or (_landmark_kelurahan(extractor).get(name) if name else None)
    return Where(
        place.kelurahan,
        place.kecamatan,
        street_key(place.street) if place.street else None,
        name,
        place.rt,
        place.rw,
        lat,
        lon,
        pinned,
        near,
    )


def where_of_row(row: Any, extractor: PlaceExtractor) -> Where:
    """The place of a stored complaint (its columns; a landmark's coordinates looked up)."""
    lat, lon, pinned = row.lat, row.lon, row.lat is not None and row.lon is not None
    name = None if row.place_name in _broad(extractor) else row.place_name
    if not pinned and name:
        mark = _landmarks(extractor).get(name)
        if mark is not None:
            lat, lon = mark
    return _where(row, name, lat, lon, pinned, extractor)


_LANDMARKS: dict[int, dict[str, tuple[float, float]]] = {}
_BROAD_NAMES: dict[int, frozenset[str]] = {}
_LANDMARK_KELURAHAN: dict[int, dict[str, str]] = {}


def _landmark_kelurahan(extractor: PlaceExtractor) -> dict[str, str]:
    found = _LANDMARK_KELURAHAN.get(id(extractor))
    if found is None:
        found = {p.name: p.kelurahan.name for p in extractor.gazetteer.places if p.kelurahan}
        _LANDMARK_KELURAHAN[id(extractor)] = found
    return found


def _broad(extractor: PlaceExtractor) -> frozenset[str]:
    found = _BROAD_NAMES.get(id(extractor))
    if found is None:
        found = frozenset(p.name for p in extractor.gazetteer.places if p.kind in _BROAD)
        _BROAD_NAMES[id(extractor)] = found
    return found


def _landmarks(extractor: PlaceExtractor) -> dict[str, tuple[float, float]]:
    found = _LANDMARKS.get(id(extractor))
    if found is None:
        found = {p.name: (p.lat, p.lon) for p in extractor.gazetteer.places}
        _LANDMARKS[id(extractor)] = found
    return found


def place_columns(place: Place, location: Location | None) -> dict[str, Any]:
    """The complaint's place columns; ``lat``/``lon`` only where stated, never a landmark's."""
    stated = place.sources.get("lat") in ("channel", "text")
    return {
        "kelurahan": place.kelurahan,
        "kecamatan": place.kecamatan,
        "region_code": place.region_code,
        "rt": place.rt,
        "rw": place.rw,
        "street": place.street,
        "place_name": place.place_name,
        "lat": place.lat if stated else (location.lat if location else None),
        "lon": place.lon if stated else (location.lon if location else None),
        "place_source": _sources_json(tuple(place.sources.items())) if place.sources else None,
    }


@lru_cache(maxsize=1024)
def _sources_json(sources: tuple[tuple[str, str], ...]) -> str:
    """``place_source``: a few fields and their sources, the same few again and again."""
    return json.dumps(dict(sorted(sources)))


def relation(a: Where, b: Where, settings: PlacesSettings) -> str | None:
    """``same``, ``near``, ``conflict`` or None (unknown): see the module docstring."""
    if a.kelurahan and b.kelurahan and a.kelurahan != b.kelurahan:
        return "conflict"
    if a.kecamatan and b.kecamatan and a.kecamatan != b.kecamatan:
        return "conflict"
    distance = None
    if a.lat is not None and b.lat is not None and a.lon is not None and b.lon is not None:
        distance = haversine_m(a.lat, a.lon, b.lat, b.lon)
        if a.pinned and b.pinned and distance > settings.conflict_distance_m:
            return "conflict"
    if a.place_name and a.place_name == b.place_name:
        return "same"
    if a.street and a.street == b.street:
        return "same"
    close = distance is not None and distance <= settings.incident_distance_m
    if _streets_apart(a.street, b.street) and not close:
        return "conflict"
    if a.rt and a.rw and a.rt == b.rt and a.rw == b.rw:
        return "same"
    if distance is not None and distance <= settings.incident_distance_m:
        return "same"
    if a.near_kelurahan and a.near_kelurahan == b.near_kelurahan and not _finer_apart(a, b):
        return "near"
    return None


_ROMAN = {
    r: str(n)
    for n, r in enumerate(("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"), 1)
}


@lru_cache(maxsize=8192)
def street_key(street: str) -> str:
    """A street as compared: no "Jl."/"Gg." head, no "raya", numbers in digits
    ("Jl. Lebak Bulus III" and "jl lebak bulus 3" are one street)."""
    words = canonical_street(street).split()[1:]
    return " ".join(_ROMAN.get(w, w) for w in words if w != "raya")


def _streets_apart(a: str | None, b: str | None) -> bool:
    """Two streets named, and not one: neither inside the other ("tirtayasa" and
    "tirtayasa nimpa mobil", a name that ran on) nor one typed with a slip
    ("kemang ray 5"); numbered streets are the judge's matter."""
    if a is None or b is None or a.startswith(b) or b.startswith(a):
        return False
    return partial_ratio(a, b) < _SAME_STREET


_SAME_STREET = 85.0
"""rapidfuzz partial ratio from which two street names are one street misspelt."""


def _finer_apart(a: Where, b: Where) -> bool:
    """Both name a street, a landmark or an RT, and not the same one."""
    return (
        (a.street is not None and b.street is not None and a.street != b.street)
        or (a.place_name is not None and b.place_name is not None)
        or (a.rt is not None and b.rt is not None and a.rt != b.rt)
    )


def place_keys(where: Where, category: str | None, *, asking: bool = False) -> tuple[str, ...]:
    """Block keys of a complaint's place and problem (none without a category)."""
    if category is None or not where:
        return ()
    keys = []
    if where.place_name:
        keys.append(f"pl:lm:{where.place_name}:{category}")
    if where.street:
        keys.append(f"pl:st:{where.street}:{category}")
    if where.near_kelurahan:
        keys.append(f"pl:kel:{where.near_kelurahan}:{category}")
    if where.rt and where.rw:
        keys.append(f"pl:rt:{where.rt}:{where.rw}:{category}")
    if where.lat is not None and where.lon is not None:
        y, x = math.floor(where.lat / _CELL), math.floor(where.lon / _CELL)
        cells = [(y + dy, x + dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)] if asking else [(y, x)]
        keys.extend(f"pl:geo:{cy}:{cx}:{category}" for cy, cx in cells)
    return tuple(keys)


def region_code(extractor: PlaceExtractor, where: Where) -> str | None:
    """The Kemendagri code of the most precise region of ``where``."""
    region = extractor.official(where.kelurahan, 4) or extractor.official(where.kecamatan, 3)
    return region.code if region else None


def place_text(subject: str | None, clean: str, channel: str) -> str:
    """The text a place is read from: an email's subject often names it; a walk-in
    subject is the clerk's category hint."""
    return clean if channel == "walkin" or not subject else f"{subject}\n{clean}"


def hints_of(location: Location | None, extra: dict[str, Any], channel: str) -> Hints:
    """What the channel knows of the place: its pin and place text, a form's fields.

    The walk-in's address line is the reporter's home, built from the same form
    fields: the fields are passed, not the line."""
    kel, kec = extra.get("kelurahan"), extra.get("kecamatan")
    return Hints(
        lat=location.lat if location else None,
        lon=location.lon if location else None,
        address=location.address if location and channel != "walkin" else None,
        kelurahan=kel if isinstance(kel, str) else None,
        kecamatan=kec if isinstance(kec, str) else None,
    )
