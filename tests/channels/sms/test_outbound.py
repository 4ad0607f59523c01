"""The shared sending helpers: GSM-7 or UCS-2, Retry-After, recipients, provider words."""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime

import pytest

from aduan.channels.replies import SendFailed
from aduan.channels.sms.outbound import detail, is_gsm7, phone_number, retry_after
from aduan.core.clock import utcnow


@pytest.mark.parametrize(
    ("text", "gsm"),
    [
        ("Laporan ADU-2026-00042 diterima. Cek: aduan.example.org/lacak?k=42", True),
        ("Harga €5 [promo] {ok} ~ | ^ \\ é à ü Ñ", True),  # the extension table counts
        ("Terima kasih 🙏", False),
        ("“lampu” mati", False),  # typographic quotes are not GSM-7
        ("Jalan rusak — tolong", False),  # nor is the em dash
        ("ş ğ ı", False),
    ],
)
def test_gsm7_or_ucs2(text: str, gsm: bool) -> None:
    assert is_gsm7(text) is gsm


def test_retry_after_takes_seconds_or_an_http_date() -> None:
    assert retry_after({"retry-after": "12"}) == 12.0
    when = format_datetime(utcnow() + timedelta(seconds=30), usegmt=True)
    after = retry_after({"retry-after": when})
    assert after is not None and 25 <= after <= 31
    assert retry_after({"retry-after": "soon"}) is None
    assert retry_after({}) is None


@pytest.mark.parametrize(
    "recipient", ["tel-raw:TELKOMSEL", "mailto:warga@example.org", "tel:081200012345", "tel:"]
)
def test_only_e164_phone_identities_are_sent_to(recipient: str) -> None:
    with pytest.raises(SendFailed) as caught:
        phone_number("kannel", recipient)
    assert not caught.value.transient
    assert "@" not in caught.value.reason and "0812" not in caught.value.reason


def test_provider_words_are_masked_and_cut() -> None:
    said = detail("Nomor +6281200012345 tidak valid;\n" + "x" * 500)
    assert "+6281200012345" not in said and "<phone>" in said
    assert len(said) == 200 and "\n" not in said
