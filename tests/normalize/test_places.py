"""Places in the normalizer: the columns of each complaint, and incidents by place and problem."""

from __future__ import annotations

import json

from sqlalchemy import Engine, select

from aduan.core.messages import Location
from aduan.normalize.window import incidents_table
from aduan.store.models import complaints
from tests.normalize.conftest import Run, raw


def _complaints(engine: Engine) -> list[dict[str, object]]:
    with engine.connect() as conn:
        rows = conn.execute(select(complaints).order_by(complaints.c.id)).all()
    return [dict(r._mapping) for r in rows]


def _incidents(engine: Engine) -> list[dict[str, object]]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(incidents_table))]


def test_text_fills_the_place_columns_without_house_number(engine: Engine, normalize: Run) -> None:
    normalize(
        raw(
            "p1",
            "Lampu jalan mati di Jl. Kemang Raya No. 10 RT 03/RW 05 Kel. Bangka, gelap total",
            "tel:+6281200000001",
        )
    )
    (row,) = _complaints(engine)
    assert (row["kelurahan"], row["kecamatan"]) == ("Bangka", "Mampang Prapatan")
    assert row["region_code"] == "31.74.03.1002"
    assert (row["rt"], row["rw"]) == ("003", "005")
    assert row["street"] == "Jl. Kemang Raya"
    assert json.loads(str(row["place_source"]))["kelurahan"] == "text"
    assert row["lat"] is None  # no pin stated


def test_walkin_form_fields_land_in_the_columns(engine: Engine, normalize: Run) -> None:
    normalize(
        raw(
            "w1",
            "Sampah tidak diangkut sudah seminggu di depan rumah.",
            "tel:+6281200000002",
            channel="walkin",
            extra={"kelurahan": "Kel. Bangka", "kecamatan": "Kec. Mampang Prapatan"},
            location=Location(address="Jl. Contoh 1, Kel. Bangka, Kec. Mampang Prapatan"),
        ),
        raw(
            "w2",
            "Jalan berlubang di depan sekolah.",
            "tel:+6281200000003",
            channel="walkin",
            minutes=5,
            extra={"kelurahan": "Atlantis"},
        ),
    )
    first, second = _complaints(engine)
    assert (first["kelurahan"], first["kecamatan"]) == ("Bangka", "Mampang Prapatan")
    assert json.loads(str(first["place_source"]))["kelurahan"] == "form"
    assert second["kelurahan"] is None  # not an official name: dropped


def test_a_pin_is_kept_and_placed(engine: Engine, normalize: Run) -> None:
    normalize(
        raw(
            "t1",
            "Pohon tumbang menutup jalan",
            "telegram:1001",
            channel="telegram",
            location=Location(lat=-6.2262, lon=106.8583),
        )
    )
    (row,) = _complaints(engine)
    assert (row["lat"], row["lon"]) == (-6.2262, 106.8583)
    assert row["kecamatan"] == "Tebet"


def test_one_problem_told_in_other_words_at_one_place_is_one_incident(
    engine: Engine, normalize: Run
) -> None:
    normalize(
        raw(
            "i1",
            "Pak, air naik di Jl. Kalibata Timur IV, sdh selutut, motor2 pd mogok. Kel. Kalibata.",
            "tel:+6281200000011",
        ),
        raw(
            "i2",
            "banjir lg nih jln kalibata timur 4, got mampet dr semalem",
            "twitter:warga_x",
            channel="twitter",
            minutes=50,
        ),
    )
    a, b = _complaints(engine)
    assert a["incident_id"] is not None and a["incident_id"] == b["incident_id"]
    (incident,) = _incidents(engine)
    assert incident["category"] is not None
    assert (incident["kelurahan"], incident["kecamatan"]) == ("Kalibata", "Pancoran")
    assert incident["complaint_count"] == 2


def test_one_problem_at_two_streets_stays_apart(engine: Engine, normalize: Run) -> None:
    normalize(
        raw("d1", "Pohon tumbang di Jl. Hang Lekir, nimpa pagar rumah", "tel:+6281200000021"),
        raw(
            "d2",
            "Pohon tumbang di Jl. Hang Tuah Raya, nimpa pagar rumah",
            "tel:+6281200000022",
            minutes=30,
        ),
    )
    assert all(r["incident_id"] is None for r in _complaints(engine))


def test_different_problems_at_one_place_stay_apart(engine: Engine, normalize: Run) -> None:
    normalize(
        raw("e1", "Jalan berlubang di Jl. Kalibata Timur IV Kel. Kalibata", "tel:+6281200000031"),
        raw(
            "e2", "Lampu jalan di Jl. Kalibata Timur IV mati semua", "tel:+6281200000032", minutes=9
        ),
    )
    assert all(r["incident_id"] is None for r in _complaints(engine))


def test_a_landmark_gives_the_incident_its_centroid(engine: Engine, normalize: Run) -> None:
    normalize(
        raw("l1", "Lampu PJU di depan Stasiun Tebet mati semua, gelap", "tel:+6281200000041"),
        raw(
            "l2",
            "Penerangan jalan di sekitar St. Tebet padam dua malam, lampu mati",
            "tel:+6281200000042",
            minutes=20,
        ),
    )
    a, b = _complaints(engine)
    assert a["incident_id"] == b["incident_id"] is not None
    assert a["place_name"] == "Stasiun Tebet" and a["lat"] is None  # not the complaint's pin
    (incident,) = _incidents(engine)
    assert incident["place_name"] == "Stasiun Tebet"
    assert incident["lat"] is not None and abs(float(incident["lat"]) + 6.2262) < 0.01
