"""Clean text keeps what people wrote; the matching form is what dedup and triage compare."""

from __future__ import annotations

import pytest

from aduan.core.text import clean_text, matching_form


def test_clean_text_removes_invisibles_and_folds_whitespace() -> None:
    raw = (
        "Lampu\u200b jalan  mati\u00a0di\tJl.\u200d Kemang 😩\r\n\r\n\r\n\r\nTolong   @aduan_jaksel"
    )
    assert clean_text(raw) == "Lampu jalan mati di Jl. Kemang 😩\n\nTolong @aduan_jaksel"


def test_clean_text_composes_to_nfc() -> None:
    assert clean_text("Cafe\u0301") == "Café"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Jln rusak yg dkt SD gak diperbaiki2",
            "jalan rusak yang dekat sd tidak diperbaiki diperbaiki",
        ),
        ("tlg min, lampu PJU udh mati 3 hari!!!", "tolong admin lampu pju sudah mati 3 hari"),
        (
            "Kagak ada yg angkut sampahhhh @dlh_jaksel https://t.co/x1",
            "tidak ada yang angkut sampah",
        ),
        (
            "Sy udah lapor dr kmrn blm ada tindakan",
            "saya sudah lapor dari kemarin belum ada tindakan",
        ),
    ],
)
def test_matching_form_expands_slang(text: str, expected: str) -> None:
    assert matching_form(text) == expected


def test_matching_form_ignores_urls_mentions_and_invisibles() -> None:
    a = matching_form("Banjir di Jl. Ampera @aduan_jaksel https://x.com/a/1")
    b = matching_form("banjir  di jl ampera\u200b")
    assert a == b == "banjir di jalan ampera"


def test_betawi_slang_and_the_nye_suffix_are_written_out() -> None:
    assert matching_form("aer ledeng kite keruh, rumputnye tinggi") == (
        "air ledeng kita keruh rumputnya tinggi"
    )
    assert matching_form("nye") == "nye"  # too short to be a suffix


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("smp skrg blm diperbaiki", "sampai sekarang belum diperbaiki"),
        ("nunggu smp 3 hari", "nunggu sampai 3 hari"),
        ("depan SMP Negeri 12", "depan smp negeri 12"),
        ("banjir smppp sekolah", "banjir sampai sekolah"),
        ("pagar smppp n 5 roboh", "pagar smp n 5 roboh"),
    ],
)
def test_smp_is_a_school_where_its_kind_follows(text: str, expected: str) -> None:
    assert matching_form(text) == expected
