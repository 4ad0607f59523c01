"""The city gazetteer: landmarks, areas and spelling variants a city's complaints use.

aduan ships South Jakarta's as ``data/gazetteer_jaksel.toml``; a city copies
it and extends it (more landmarks, its own aliases). Format::

    [gazetteer]
    city = "31.74"                     # Kemendagri kota code: whose names are "inside"
    needs_marker = ["Gunung", "Pulo"]  # kelurahan read only after "Kel."/"Kelurahan"/"Lurah"
    outside = ["Depok", "Tangsel"]     # names outside the city, recognised to be refused

    [aliases]                          # variant or typo -> official kelurahan/kecamatan name
    "Menteng Dalem" = "Menteng Dalam"

    [[place]]
    name = "Stasiun Tebet"
    kind = "station"                   # one of KINDS
    aliases = ["St. Tebet"]            # optional; matched like the name, any case
    kelurahan = "Tebet Timur"          # optional official name; sets the kecamatan
    kecamatan = "Tebet"                # optional; must agree with the kelurahan
    lat = -6.2262                      # WGS84 degrees, approximate is fine
    lon = 106.8583

A place without kelurahan and kecamatan (a road through several kecamatan,
"Kemang") gives a place name and coordinates, never a region. Every problem
of a bad file is reported at once as ``ConfigError`` lines naming the file,
the key and the reason.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from aduan.core.errors import ConfigError
from aduan.places.regions import DEFAULT_CITY, Region, Regions, load_regions


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


KINDS = _words(
    """
    station terminal park market hospital school campus mall road underpass flyover
    bridge area office cemetery stadium worship river other
    """
)
_PLACE_KEYS = frozenset({"name", "kind", "aliases", "kelurahan", "kecamatan", "lat", "lon"})
EARTH_RADIUS_M = 6_371_000.0


@dataclass(frozen=True)
class Landmark:
    name: str
    kind: str
    aliases: tuple[str, ...]
    kelurahan: Region | None
    kecamatan: Region | None
    lat: float
    lon: float


@dataclass(frozen=True)
class Gazetteer:
    source: str
    regions: Regions
    places: tuple[Landmark, ...]
    aliases: dict[str, Region]  # variant as written -> official kelurahan or kecamatan
    needs_marker: frozenset[str]  # folded kelurahan names
    outside: tuple[str, ...]

    def nearest(self, lat: float, lon: float, within_m: float) -> tuple[Landmark, float] | None:
        """The closest place that names a region, if it lies within ``within_m`` metres."""
        best: tuple[Landmark, float] | None = None
        for place in self.places:
            if place.kecamatan is None:
                continue
            d = haversine_m(lat, lon, place.lat, place.lon)
            if d <= within_m and (best is None or d < best[1]):
                best = (place, d)
        return best


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def default_path() -> Path:
    return Path(str(resources.files("aduan.places").joinpath("data/gazetteer_jaksel.toml")))


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


class _Checker:
    """Collects every problem of one file before raising."""

    def __init__(self, source: str, regions: Regions) -> None:
        self.source = source
        self.regions = regions
        self.problems: list[str] = []

    def fail(self, key: str, reason: str) -> None:
        self.problems.append(f"{self.source}: {key}: {reason}")

    def region(self, key: str, value: Any, level: int) -> Region | None:
        if value is None:
            return None
        found = self.regions.lookup(value, level) if isinstance(value, str) else None
        if found is None:
            what = "kelurahan" if level == 4 else "kecamatan"
            self.fail(key, f"{value!r} is not an official {what} of {self.regions.city.name}")
        return found

    def place(self, n: int, raw: Any) -> Landmark | None:
        key = f"place[{n}]"
        if not isinstance(raw, dict):
            self.fail(key, "must be a table")
            return None
        for extra in sorted(set(raw) - _PLACE_KEYS):
            self.fail(f"{key}.{extra}", "unknown key")
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            self.fail(f"{key}.name", "required, a non-empty string")
            name = "?"
        kind = raw.get("kind")
        if kind not in KINDS:
            self.fail(f"{key}.kind", f"{kind!r} is not one of {', '.join(sorted(KINDS))}")
        aliases = raw.get("aliases", [])
        if not _strings(aliases):
            self.fail(f"{key}.aliases", "must be a list of non-empty strings")
            aliases = []
        coords = []
        for axis, limit in (("lat", 90.0), ("lon", 180.0)):
            value = raw.get(axis)
            if isinstance(value, bool) or not isinstance(value, int | float):
                self.fail(f"{key}.{axis}", "required, a number of degrees")
            elif not -limit <= value <= limit:
                self.fail(f"{key}.{axis}", f"{value} is out of range")
            else:
                coords.append(float(value))
        kel = self.region(f"{key}.kelurahan", raw.get("kelurahan"), 4)
        kec = self.region(f"{key}.kecamatan", raw.get("kecamatan"), 3)
        if kel is not None:
            own = self.regions.kecamatan_of(kel)
            if kec is not None and kec != own:
                self.fail(f"{key}.kecamatan", f"{kel.name} is in {own.name}, not {kec.name}")
            kec = own
        if len(coords) != 2 or kind not in KINDS or name == "?":
            return None
        return Landmark(name, str(kind), tuple(aliases), kel, kec, coords[0], coords[1])


def parse_gazetteer(text: str, source: str) -> Gazetteer:
    """Parse and check a gazetteer; ``ConfigError`` lists every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{source}: not valid TOML: {exc}"]) from None
    head = data.get("gazetteer", {})
    city = head.get("city", DEFAULT_CITY) if isinstance(head, dict) else DEFAULT_CITY
    try:
        regions = load_regions(str(city))
    except ValueError as exc:
        raise ConfigError([f"{source}: gazetteer.city: {exc}"]) from None
    check = _Checker(source, regions)
    for extra in sorted(set(data) - {"gazetteer", "aliases", "place"}):
        check.fail(extra, "unknown section")
    marker: list[str] = head.get("needs_marker", []) if isinstance(head, dict) else []
    if not _strings(marker):
        check.fail("gazetteer.needs_marker", "must be a list of kelurahan names")
        marker = []
    for name in marker:
        check.region("gazetteer.needs_marker", name, 4)
    outside: list[str] = head.get("outside", []) if isinstance(head, dict) else []
    if not _strings(outside):
        check.fail("gazetteer.outside", "must be a list of names")
        outside = []
    aliases: dict[str, Region] = {}
    raw_aliases = data.get("aliases", {})
    if not isinstance(raw_aliases, dict):
        check.fail("aliases", "must be a table of variant = official name")
        raw_aliases = {}
    for variant, official in raw_aliases.items():
        found = None
        if isinstance(official, str):
            found = regions.lookup(official, 4) or regions.lookup(official, 3)
        if found is None:
            check.fail(
                f"aliases.{variant}", f"{official!r} is not an official kelurahan or kecamatan"
            )
        else:
            aliases[variant] = found
    raw_places = data.get("place", [])
    if not isinstance(raw_places, list):
        check.fail("place", "must be an array of tables ([[place]])")
        raw_places = []
    places = [check.place(n, raw) for n, raw in enumerate(raw_places)]
    if check.problems:
        raise ConfigError(check.problems)
    return Gazetteer(
        source,
        regions,
        tuple(p for p in places if p is not None),
        aliases,
        frozenset(" ".join(m.lower().split()) for m in marker),
        tuple(outside),
    )


def load_gazetteer(path: Path | None = None) -> Gazetteer:
    """Read a gazetteer file (the shipped South Jakarta one by default)."""
    path = path or default_path()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read the gazetteer: {exc.strerror}"]) from None
    return parse_gazetteer(text, str(path))
