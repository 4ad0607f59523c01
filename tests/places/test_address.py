"""RT/RW, streets and coordinates in every written form."""

from __future__ import annotations

import pytest

from aduan.places.address import canonical_street, coordinates, rt_rw, streets

RT_RW = [
    ("RT 03/RW 05", ("003", "005")),
    ("rt3 rw5", ("003", "005")),
    ("RT 02/09", ("002", "009")),
    ("RT.003 RW.005", ("003", "005")),
    ("rt.09/rw.03 Kel. Lenteng Agung", ("009", "003")),
    ("RT/RW 003/005", ("003", "005")),
    ("RT 007/RW 003 Kelurahan", ("007", "003")),
    ("rt 05 rw 03", ("005", "003")),
    ("pengurus RW 06", (None, "006")),
    ("udh lapor rt tp blm ada", (None, None)),
    ("RT 000", (None, None)),
    ("Jakarta Selatan", (None, None)),
    ("dpt 2 kartu", (None, None)),
]


@pytest.mark.parametrize(("text", "expected"), RT_RW)
def test_rt_rw(text: str, expected: tuple[str | None, str | None]) -> None:
    assert rt_rw(text) == expected


STREETS = [
    ("di Gg. Langgar kel Pondok Labu", "Gg. Langgar"),
    ("gg swadaya 2 rt1 rw9", "Gg. swadaya 2"),
    ("jl. raya ragunan no 12, tolong", "Jl. raya ragunan"),
    ("Jalan Bangka XI belum dinormalisasi", "Jl. Bangka XI"),
    ("Jln. Kalibata Utara II, kel rawajati", "Jl. Kalibata Utara II"),
    ("Jl. Gatot Subroto No. 5", "Jl. Gatot Subroto"),
    ("Jl.Kemang Raya 12", "Jl. Kemang Raya"),
    ("gang H. Naim rt 12", "Gg. H. Naim"),
    ("di Gg. Sawo.", "Gg. Sawo"),
    ("Jl. Tebet Timur Dalam VI tersumbat", "Jl. Tebet Timur Dalam VI"),
    ("jl TB Simatupang dipake parkir", "Jl. TB Simatupang"),
    ("jalan di karet kuningan dkt jl karet pedurenan ambles", "Jl. karet pedurenan"),
    ("di gang aye, Gg. Kober RT 03", "Gg. Kober"),
    ("danau di Jl. Mangga Bolong ini", "Jl. Mangga Bolong"),
    ("jl mangga bolong", "Jl. mangga"),
    ("lampu di Jl. Cipete VIII. Sepanjang jalan gelap", "Jl. Cipete VIII"),
    ("Jl. Moh. Kahfi I arah Cipedak", "Jl. Moh. Kahfi I"),
    ("Perihal: Parkir di Jl. Raya Ciganjur\n\nYth. Suku Dinas", "Jl. Raya Ciganjur"),
    ("Lampu Penerangan Jalan Umum Padam - Jl. Pesanggrahan Raya", "Jl. Pesanggrahan Raya"),
    ("jalan berlubang di Lenteng Agung", None),
    ("parkiran sampe ke jalan raya", None),
    ("depan gg rumah sy", None),
    ("jalanan bolong", None),
]


@pytest.mark.parametrize(("text", "expected"), STREETS)
def test_streets(text: str, expected: str | None) -> None:
    found = next(streets(text), None)
    assert (found.display if found else None) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Jalan Ampera Raya", "Jl. Ampera Raya"),
        ("Gang h. saidi", "Gg. H. Saidi"),
        ("Jln. X", "jl x"),
    ],
)
def test_canonical_street(a: str, b: str) -> None:
    assert canonical_street(a) == canonical_street(b)


COORDS = [
    ("📍 -6.23, 106.80", (-6.23, 106.80)),
    ("https://maps.google.com/?q=-6.2,106.8", (-6.2, 106.8)),
    ("https://www.google.com/maps/@-6.2615,106.8106,17z", (-6.2615, 106.8106)),
    ("harga 1.5, 2.5 ribu", None),
    ("jam 06.00, 50 cm", None),
    ("-95.123, 106.80", None),
]


@pytest.mark.parametrize(("text", "expected"), COORDS)
def test_coordinates(text: str, expected: tuple[float, float] | None) -> None:
    assert coordinates(text) == expected
