"""Masking personal data in complaint text: a table of what citizens actually type."""

from __future__ import annotations

import pytest

from aduan.core.privacy import mask_text

CASES = [
    # (label, text, must be gone, must stay)
    (
        "phone local dashes",
        "Hubungi saya di 0812-0001-2345 ya pak",
        ["0812", "2345"],
        ["Hubungi saya di"],
    ),
    ("phone no separators", "wa 081200012345 segera", ["081200012345"], ["wa ", "segera"]),
    ("phone +62 spaces", "nomor +62 812 0001 2345.", ["812 0001", "2345"], ["nomor"]),
    ("phone 62 prefix", "sms ke 6281200012346 tolong", ["6281200012346"], ["tolong"]),
    ("phone landline", "telp kantor (021) 7654321 ext 5", ["7654321"], ["telp kantor"]),
    ("phone dots", "HP: 0812.0001.2347", ["0001", "2347"], ["HP:"]),
    (
        "email",
        "balas ke warga.kebayoran@example.com terima kasih",
        ["warga.kebayoran", "example.com"],
        ["balas ke"],
    ),
    ("NIK bare", "NIK 3174051203900001 atas laporan", ["3174051203900001"], ["atas laporan"]),
    ("NIK grouped", "No KTP: 3174 0512 0390 0002", ["3174 0512", "0390 0002"], ["KTP"]),
    (
        "Nama line",
        "Nama: Siti Aminah\nAlamat: Jl. Melati",
        ["Siti", "Aminah"],
        ["Alamat: Jl. Melati"],
    ),
    (
        "nama saya",
        "Selamat pagi, nama saya Budi Santoso dari RT 05 mau lapor",
        ["Budi", "Santoso"],
        ["dari RT 05 mau lapor"],
    ),
    (
        "Saya, Name,",
        "Saya, Rina Wulandari, warga Cilandak, melaporkan banjir",
        ["Rina", "Wulandari"],
        ["warga Cilandak", "banjir"],
    ),
    (
        "Saya Name,",
        "Saya Agus Salim, warga Pesanggrahan, minta bantuan",
        ["Agus", "Salim"],
        ["warga Pesanggrahan"],
    ),
    (
        "Nama lengkap lower case",
        "Nama lengkap: budi santoso\nmohon dibantu",
        ["budi"],
        ["mohon dibantu"],
    ),
    ("a.n.", "transfer a.n. Dewi Lestari sudah", ["Dewi", "Lestari"], ["transfer a.n.", "sudah"]),
    ("bernama", "anak saya bernama Putri Ayu sakit", ["Putri", "Ayu"], ["anak saya", "sakit"]),
    (
        "atas nama",
        "laporan atas nama Ahmad Fauzi, mohon ditindak",
        ["Ahmad", "Fauzi"],
        ["mohon ditindak"],
    ),
    (
        "signature terima kasih",
        "Got mampet sejak minggu lalu.\n\nTerima kasih,\nDewi Lestari",
        ["Dewi", "Lestari"],
        ["Got mampet sejak minggu lalu."],
    ),
    (
        "signature hormat saya",
        "Mohon segera diperbaiki.\nHormat saya,\nIr. Joko Widodo",
        ["Joko", "Widodo"],
        ["Mohon segera diperbaiki."],
    ),
]


@pytest.mark.parametrize(("label", "text", "gone", "stay"), CASES, ids=[c[0] for c in CASES])
def test_masks(label: str, text: str, gone: list[str], stay: list[str]) -> None:
    masked = mask_text(text)
    for fragment in gone:
        assert fragment not in masked, (label, masked)
    for fragment in stay:
        assert fragment in masked, (label, masked)
    assert "<" in masked


@pytest.mark.parametrize(
    "text",
    [
        "Lampu jalan mati sejak 12 November 2026 pukul 19.30 di RT 05/RW 03.",
        "Jalan berlubang di Jl. Fatmawati No. 15, kode pos 12430.",
        "Sudah lapor 3 kali, biaya Rp 150.000 diminta petugas.",
        "Terima kasih atas perhatiannya.",
        "Saya Warga RT 05, mohon dibantu.",
        "Saya mau lapor, lampu mati.",
    ],
)
def test_leaves_ordinary_text_alone(text: str) -> None:
    assert mask_text(text) == text


def test_placeholders_and_known_names() -> None:
    text = "Pak Hendra Gunawan melapor lagi. Hubungi 0812-0001-2345 atau hendra@example.org"
    masked = mask_text(text, known_names=["Hendra Gunawan"])
    assert masked == "Pak <name> melapor lagi. Hubungi <phone> atau <email>"


def test_empty_text() -> None:
    assert mask_text("") == ""
