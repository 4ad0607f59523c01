"""The entry rules shared by the form and ``aduan intake``, as a table."""

from __future__ import annotations

import pytest

from aduan.config.desk import DeskSettings
from aduan.desk.entry import Upload, check_entry, sniff
from tests.desk.helpers import GOOD_FORM, PNG

SETTINGS = DeskSettings(max_files=2, max_file_bytes=1000)


def fields(**change: str) -> dict[str, str]:
    return {**GOOD_FORM, **change}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"nama": "  "}, "nama"),
        ({"isi": "pendek"}, "isi"),
        ({"nik": "317405120385000"}, "nik"),  # 15 digits
        ({"nik": "3174053203850001"}, "nik"),  # day 32
        ({"nik": "3174051213850001"}, "nik"),  # month 13
        ({"telepon": "nomor saya"}, "telepon"),
        ({"email": "budi@"}, "email"),
        ({"nik": "", "telepon": "", "email": ""}, "nik"),
        ({"kategori": "sihir"}, "kategori"),
        ({"alamat": "x" * 301}, "alamat"),
    ],
)
def test_bad_fields(change: dict[str, str], field: str) -> None:
    checked = check_entry(fields(**change), True, [], SETTINGS)
    assert field in checked.errors
    assert not checked.ok


def test_good_entry_and_cleanup() -> None:
    checked = check_entry(
        fields(nik="3174 0512 0385 0001", nama="  Budi   Santoso "), True, [], SETTINGS
    )
    assert checked.ok, checked.errors
    assert checked.values["nik"] == "3174051203850001"
    assert checked.values["nama"] == "Budi Santoso"


def test_consent_is_required() -> None:
    assert "persetujuan" in check_entry(fields(), False, [], SETTINGS).errors


def test_woman_nik_day_plus_40_is_valid() -> None:
    assert check_entry(fields(nik="3174055203850001"), True, [], SETTINGS).ok


def test_attachments_limits_and_types() -> None:
    png = Upload("../../etc/foto.png", "application/octet-stream", PNG)
    checked = check_entry(fields(), True, [png], SETTINGS)
    assert checked.ok
    assert checked.files[0].content_type == "image/png"
    assert checked.files[0].filename == "foto.png"
    too_many = check_entry(fields(), True, [png, png, png], SETTINGS)
    assert "Maksimal 2" in too_many.errors["lampiran"]
    big = Upload("besar.png", "image/png", PNG + b"\0" * 1000)
    assert "lebih dari" in check_entry(fields(), True, [big], SETTINGS).errors["lampiran"]
    html = Upload("x.png", "image/png", b"<html><script>")
    assert "hanya foto" in check_entry(fields(), True, [html], SETTINGS).errors["lampiran"]


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0rest", "image/jpeg"),
        (b"%PDF-1.7", "application/pdf"),
        (b"RIFF\0\0\0\0WEBPVP8 ", "image/webp"),
        (b"RIFF\0\0\0\0WAVEfmt ", None),
        (b"MZ\x90", None),
    ],
)
def test_sniff(data: bytes, kind: str | None) -> None:
    assert sniff(data) == kind
