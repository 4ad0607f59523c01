"""Place extraction: one table per trap named in issue 19, run by one runner."""

from __future__ import annotations

import pytest

from aduan.places import Hints, Place, extract
from aduan.places.regions import load_regions

# (text, kelurahan, kecamatan)
REGIONS = [
    # markers, case, abbreviations and typos
    ("banjir di Kel. Pondok Labu", "Pondok Labu", "Cilandak"),
    ("banjir di kel pondok labu", "Pondok Labu", "Cilandak"),
    ("KELURAHAN PONDOK LABU BANJIR", "Pondok Labu", "Cilandak"),
    ("kel.pondok labu banjir", "Pondok Labu", "Cilandak"),
    ("jalan rusak di kby lama utara", "Kebayoran Lama Utara", "Kebayoran Lama"),
    ("macet di Kby Lama", None, "Kebayoran Lama"),
    ("macet di Kby Baru", None, "Kebayoran Baru"),
    ("macet di Ps Minggu", None, "Pasar Minggu"),
    ("tiang miring di Lt. Agung", "Lenteng Agung", "Jagakarsa"),
    ("lampu mati di Mampang", None, "Mampang Prapatan"),
    ("warga menteng dalem kena banjir", "Menteng Dalam", "Tebet"),
    ("Kec. Cilandak, rt 02 rw 07", None, "Cilandak"),
    # a kelurahan sets its kecamatan by the official table
    ("Pelapor (Bpk. Joko, Kel. Cilandak Timur)", "Cilandak Timur", "Pasar Minggu"),
    ("warga Cipete Utara", "Cipete Utara", "Kebayoran Baru"),
    ("warga Kuningan Barat", "Kuningan Barat", "Mampang Prapatan"),
    # ambiguity refused
    ("Kebayoran macet total", None, None),
    ("Pelapor (Ibu Melawai) mengadukan tetangga", None, None),
    ("Bapak Guntur Saputra warga Depok", None, None),
    ("Macet dr Tebet sampe Pancoran", None, None),
    ("lampu merah Pasar Minggu-Kalibata mati", None, None),
    ("lampu merah Pasar Minggu, Kel. Kalibata", "Kalibata", "Pancoran"),
    ("Warga Kebon Baru, Tebet", "Kebon Baru", "Tebet"),
    ("Kuningan banjir", None, None),
    # kelurahan and kecamatan of one name
    ("RSUD Pasar Minggu antre lama", None, "Pasar Minggu"),
    ("pasar minggu becek", None, "Pasar Minggu"),
    ("warga Kel. Pasar Minggu RT 010", "Pasar Minggu", "Pasar Minggu"),
    ("kel. setiabudi rt 8 rw 2", "Setia Budi", "Setiabudi"),
    # names that need "Kel."
    ("naik gunung aja sekalian", None, None),
    ("jalan di Kel. Gunung amblas", "Gunung", "Kebayoran Baru"),
    ("GBK Senayan kotor", None, None),
    ("Bintaro sektor 9 banjir, tangsel", None, None),
    ("Yth. Lurah Bangka", "Bangka", "Mampang Prapatan"),
    # streets and rivers named after a kelurahan
    ("saluran di Jalan Bangka XI mampet", None, None),
    ("tiang roboh di Jln. Kalibata Utara II, kel rawajati", "Rawajati", "Pancoran"),
    ("Kali Pesanggrahan meluap", None, None),
    # outside the city
    ("warga Menteng, Jakarta Pusat", None, None),
    ("kali di kampung pulo mampet", None, None),
    ("Grogol banjir parah", None, None),
    ("Kel Gunung Sahari banjir", None, None),
    # landmarks
    ("jembatan dekat Stasiun Tebet", None, "Tebet"),
    ("Stasiun Tanjung Barat lift rusak", "Tanjung Barat", "Jagakarsa"),
    ("Terminal Lebak Bulus becek", "Lebak Bulus", "Cilandak"),
    ("macet depan Pondok Indah Mall", None, "Kebayoran Lama"),
    ("trotoar Jl. TB Simatupang rusak", None, None),
    ("lampu mati di Kemang", None, None),
    ("dahan patah di pertigaan Jl. Senopati", None, "Kebayoran Baru"),
    ("Pusk. Kel. Ptkgn Sltn tutup", "Petukangan Selatan", "Pesanggrahan"),
    # nothing stated
    ("Waspada penipuan mengatasnamakan petugas PLN", None, None),
    ("cc @warga_tebet @pasarminggu", None, None),
    ("#PasarMinggu banjir lagi", None, "Pasar Minggu"),
]


@pytest.mark.parametrize(("text", "kelurahan", "kecamatan"), REGIONS)
def test_regions(text: str, kelurahan: str | None, kecamatan: str | None) -> None:
    place = extract(text)
    assert (place.kelurahan, place.kecamatan) == (kelurahan, kecamatan)


def test_codes_and_sources() -> None:
    place = extract("lapor, got mampet di gg. h. saidi rt4 rw2 kel gandaria utara")
    assert place.region_code == "31.74.07.1009"
    assert (place.rt, place.rw, place.street) == ("004", "002", "Gg. h. saidi")
    assert place.sources == {
        "kelurahan": "text",
        "kecamatan": "text",
        "rt": "text",
        "rw": "text",
        "street": "text",
    }
    assert extract("macet di Tebet").region_code == "31.74.01"
    assert extract("Jakarta Selatan panas").region_code == "31.74"


def test_outside_is_named() -> None:
    assert extract("Depok banjir lagi").outside == "Depok"
    assert extract("warga Depok, banjir di Kel. Bangka").outside is None


def test_landmark_gives_name_and_coordinates() -> None:
    place = extract("pohon tumbang di Taman Langsat")
    assert (place.place_name, place.kecamatan, place.kelurahan) == (
        "Taman Langsat",
        "Kebayoran Baru",
        None,
    )
    assert place.lat is not None and place.sources["lat"] == "gazetteer"


def test_coordinates_placed_in_nearest_kelurahan() -> None:
    pinned = extract("trotoar rusak 📍 -6.2894, 106.7744")
    assert (pinned.lat, pinned.lon) == (-6.2894, 106.7744)
    assert pinned.kelurahan == "Lebak Bulus"
    assert pinned.sources["kelurahan"] == "coordinates"
    assert pinned.sources["lat"] == "text"
    channel = extract("pohon tumbang", Hints(lat=-6.3125, lon=106.8202))
    assert (channel.kelurahan, channel.sources["lat"]) == ("Ragunan", "channel")
    far = extract("pohon tumbang", Hints(lat=-6.40, lon=106.82))  # Depok
    assert (far.kelurahan, far.kecamatan, far.lat) == (None, None, -6.40)


def test_text_wins_over_coordinates() -> None:
    place = extract("banjir di Kel. Bangka", Hints(lat=-6.2894, lon=106.7744))
    assert place.kelurahan == "Bangka" and place.sources["kelurahan"] == "text"


def test_form_fields_validated_and_first() -> None:
    form = Hints(kelurahan="Kel. Bangka", kecamatan="Mampang Prapatan", rt="3", rw=5)
    place = extract("banjir di Kel. Pondok Labu rt 9", form)
    assert (place.kelurahan, place.kecamatan, place.rt, place.rw) == (
        "Bangka",
        "Mampang Prapatan",
        "003",
        "005",
    )
    assert place.sources["kelurahan"] == place.sources["rt"] == "form"
    bad = extract("banjir di Kel. Pondok Labu", Hints(kelurahan="Atlantis", rt="x"))
    assert (bad.kelurahan, bad.sources["kelurahan"], bad.rt) == ("Pondok Labu", "text", None)


def test_empty_text() -> None:
    assert extract("") == Place()


def test_official_table_of_south_jakarta() -> None:
    regions = load_regions()
    assert len(regions.kecamatan) == 10 and len(regions.kelurahan) == 65
    assert regions.lookup("setia budi", 4) is not None
    assert regions.lookup("Setia Budi", 3) == regions.lookup("Setiabudi", 3)


def test_channel_address_when_the_text_has_no_place() -> None:
    venue = extract("pohon tumbang nutup jalan", Hints(address="Stasiun Tebet, Jl. Tebet Raya"))
    assert (venue.kecamatan, venue.street, venue.place_name) == (
        "Tebet",
        "Jl. Tebet Raya",
        "Stasiun Tebet",
    )
    assert venue.sources == {
        "kecamatan": "channel",
        "street": "channel",
        "place_name": "channel",
        "lat": "gazetteer",
        "lon": "gazetteer",
    }
    stated = extract("banjir di Kel. Bangka", Hints(address="Kebayoran Baru, Indonesia"))
    assert (stated.kelurahan, stated.sources["kelurahan"]) == ("Bangka", "text")


@pytest.mark.parametrize(
    ("text", "street", "kelurahan", "kecamatan"),
    [
        ("di Jl. Siaga Raya Pejaten ada lubang", "Jl. Siaga Raya", None, "Pasar Minggu"),
        ("Jl. Wijaya I Petogogan banjir", "Jl. Wijaya I", "Petogogan", "Kebayoran Baru"),
        (
            "di gg langgar petukangan selatan rt 1",
            "Gg. langgar",
            "Petukangan Selatan",
            "Pesanggrahan",
        ),
        ("Jl. Raya Pasar Minggu macet", "Jl. Raya Pasar Minggu", None, None),
        ("lapor, ular di jl. raya ragunan no 12", "Jl. raya ragunan", None, None),
        ("Jl. Metro Pondok Indah rusak", "Jl. Metro Pondok Indah", None, None),
        ("Lampu jln Jl. Tanjung Barat Raya dkt SMPN mati", "Jl. Tanjung Barat Raya", None, None),
    ],
)
def test_street_ends_where_a_place_follows(
    text: str, street: str, kelurahan: str | None, kecamatan: str | None
) -> None:
    place = extract(text)
    assert (place.street, place.kelurahan, place.kecamatan) == (street, kelurahan, kecamatan)


def test_letters_that_grow_when_lowered() -> None:
    """A letter that lowers to two ("İ"): text and lower case must stay aligned."""
    place = extract("İzin bangunan di Jl. Kemang Raya, Kel. Bangka")
    assert (place.kelurahan, place.street) == ("Bangka", "Jl. kemang raya")
