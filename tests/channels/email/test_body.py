"""Body text helpers: charsets that lie, HTML, quoted replies and signatures."""

from __future__ import annotations

import pytest

from aduan.channels.email.body import decode_bytes, html_to_text, strip_quotes_and_signature

CUTS = [
    ("plain", "Lampu mati.\nSudah tiga hari.", "Lampu mati.\nSudah tiga hari."),
    (
        "english reply header wrapped",
        "Masih mati.\n\nOn Mon, 30 Nov 2026 at 08:15, Budi <budi@example.com>\nwrote:\n> lama",
        "Masih mati.",
    ),
    (
        "indonesian reply header",
        "Belum diperbaiki.\nPada Sen, 30 Nov 2026, Pengaduan menulis:\n> tiket diterima",
        "Belum diperbaiki.",
    ),
    (
        "outlook block",
        "Tolong dicek.\n\nFrom: Pengaduan Jaksel\nSent: Monday\nTo: Warga\nSubject: x\nisi lama",
        "Tolong dicek.",
    ),
    ("quoted lines inline", "> kutipan\nJawaban saya.\n> kutipan lagi", "Jawaban saya."),
    ("rfc 3676 signature", "Isi keluhan.\n-- \nNama\nAlamat", "Isi keluhan."),
    ("mobile footer", "Isi keluhan.\n\nSent from my Android phone", "Isi keluhan."),
    (
        "not a signature or a reply header",
        "Pada hari Senin saya menulis surat ke kelurahan.\nDikirim dari rumah pukul 9.",
        "Pada hari Senin saya menulis surat ke kelurahan.\nDikirim dari rumah pukul 9.",
    ),
]


@pytest.mark.parametrize(("label", "text", "expected"), CUTS, ids=[c[0] for c in CUTS])
def test_strip_quotes_and_signature(label: str, text: str, expected: str) -> None:
    assert strip_quotes_and_signature(text) == expected


@pytest.mark.parametrize(
    ("data", "charset", "expected"),
    [
        ("kafé".encode(), "us-ascii", "kafé"),  # says ASCII, is UTF-8
        ("kafé".encode("latin-1"), "utf-8", "kafé"),  # says UTF-8, is Latin-1
        ("kafé".encode("latin-1"), "x-tidak-ada", "kafé"),  # unknown charset
        (b"abc", "base64", "abc"),  # a bytes codec, not a text charset
        ("jalan".encode("utf-16"), "utf-16", "jalan"),
        (b"\x81\x8d\x8f", "utf-8", "\ufffd\ufffd\ufffd"),  # bytes no charset explains
    ],
)
def test_decode_never_raises(data: bytes, charset: str, expected: str) -> None:
    assert decode_bytes(data, charset) == expected


def test_html_to_text_blocks_entities_and_quotes() -> None:
    html = (
        "<div>Jalan&nbsp;rusak &amp; berlubang</div><ul><li>satu</li><li>dua</li></ul>"
        "<blockquote>kutipan</blockquote><script>x()</script>"
    )
    assert html_to_text(html) == "Jalan rusak & berlubang\n\nsatu\n\ndua"
    assert html_to_text("<p>unclosed <b>tag") == "unclosed tag"
