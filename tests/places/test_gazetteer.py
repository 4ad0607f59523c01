"""The city gazetteer: the shipped file loads, a bad file names file, key and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from aduan.core.errors import ConfigError
from aduan.places import PlaceExtractor, load_gazetteer
from aduan.places.gazetteer import haversine_m

GOOD = """
[gazetteer]
city = "31.74"
needs_marker = ["Gunung"]
outside = ["Depok"]

[aliases]
"Menteng Dalem" = "Menteng Dalam"

[[place]]
name = "Balai Warga Contoh"
kind = "office"
aliases = ["Balwar"]
kelurahan = "Bangka"
lat = -6.25
lon = 106.82
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "gazetteer.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_gazetteer(path)
    assert all(line.startswith(f"{path}: ") for line in info.value.problems)
    return [line.removeprefix(f"{path}: ") for line in info.value.problems]


def test_shipped_gazetteer_loads() -> None:
    gazetteer = load_gazetteer()
    assert len(gazetteer.places) >= 60
    kinds = {p.kind for p in gazetteer.places}
    assert {"station", "park", "market", "hospital", "school", "mall", "road", "underpass"} <= kinds
    assert all(p.kelurahan is None or p.kecamatan is not None for p in gazetteer.places)


def test_a_city_extends_its_own(tmp_path: Path) -> None:
    extractor = PlaceExtractor(load_gazetteer(write(tmp_path, GOOD)))
    place = extractor.extract("atap bocor di balwar")
    assert (place.place_name, place.kecamatan, place.kelurahan) == (
        "Balai Warga Contoh",
        "Mampang Prapatan",
        None,
    )
    assert extractor.extract("warga menteng dalem").kelurahan == "Menteng Dalam"
    assert extractor.extract("Gunung Bromo indah").kelurahan is None


def test_every_problem_at_once(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """
[gazetteer]
needs_marker = ["Atlantis"]

[aliases]
"Kby Lma" = "Kebayoran Lawas"

[[place]]
kind = "volcano"
kelurahan = "Bangka"
kecamatan = "Tebet"
lat = "south"
lon = 200
colour = "red"
""",
    )
    assert found == [
        "gazetteer.needs_marker: 'Atlantis' is not an official kelurahan of "
        "Kota Administrasi Jakarta Selatan",
        "aliases.Kby Lma: 'Kebayoran Lawas' is not an official kelurahan or kecamatan",
        "place[0].colour: unknown key",
        "place[0].name: required, a non-empty string",
        "place[0].kind: 'volcano' is not one of area, bridge, campus, cemetery, flyover, "
        "hospital, mall, market, office, other, park, river, road, school, stadium, station, "
        "terminal, underpass, worship",
        "place[0].lat: required, a number of degrees",
        "place[0].lon: 200 is out of range",
        "place[0].kecamatan: Bangka is in Mampang Prapatan, not Tebet",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[gazetteer\n", "not valid TOML"),
        ('[gazetteer]\ncity = "32.76"\n', "gazetteer.city: '32.76' is not a DKI kota code"),
        ("place = 3\n", "place: must be an array of tables"),
        ("[extra]\n", "extra: unknown section"),
        ('[[place]]\nname = "X"\nkind = "park"\nlat = 1\nlon = 2\naliases = "X"\n', "aliases"),
    ],
)
def test_bad_files(tmp_path: Path, text: str, expected: str) -> None:
    assert any(expected in line for line in problems(tmp_path, text))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the gazetteer"):
        load_gazetteer(tmp_path / "nope.toml")


def test_haversine() -> None:
    assert haversine_m(-6.2, 106.8, -6.2, 106.8) == 0
    assert 1100 < haversine_m(-6.2, 106.8, -6.21, 106.8) < 1125  # 0.01° of latitude
