"""``read`` over a table of recorded .eml cases (tests/channels/fixtures/email/)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from aduan.channels.base import ChannelContext
from aduan.channels.email import EmailChannel
from aduan.channels.email.config import EmailConfig
from aduan.channels.email.keys import external_id
from aduan.core.errors import BadPayload
from aduan.core.messages import Disposition, RawMessage

FIXTURES = Path(__file__).parents[1] / "fixtures" / "email"


def channel(tmp_path: Path, **settings: Any) -> EmailChannel:
    config = EmailConfig(host="127.0.0.1", username="pengaduan", tls="none", **settings)
    return EmailChannel("city", config, ChannelContext(tmp_path))


def raw_of(name: str) -> RawMessage:
    payload = (FIXTURES / name).read_bytes()
    return RawMessage(
        "email", "city", external_id(payload), payload, "message/rfc822", datetime.now(UTC)
    )


# file -> expected fields; "text" is matched exactly, "has"/"lacks" are substrings of the text.
CASES: dict[str, dict[str, Any]] = {
    "plain.eml": {
        "identities": ("mailto:budi.santoso@example.com",),
        "display_name": "Budi Santoso",
        "subject": "Lampu jalan mati di Jl. Kemang Raya",
        "ref": "plain-001@mail.example.com",
        "has": ["Kemang Raya No. 12 mati", "rawan kejahatan"],
        "sent_at": datetime(2026, 11, 30, 1, 15, tzinfo=UTC),
    },
    "reply_to.eml": {
        "identities": ("mailto:siti.aminah@example.com",),
        "display_name": "Siti Aminah",
    },
    "html_only.eml": {
        "text": "Jalan di Jl. Pangeran Antasari berlubang besar & berbahaya.\n\n"
        "Sudah ada dua pengendara motor jatuh.\nMohon ditindaklanjuti.",
    },
    "quoted_reply_id.eml": {
        "text": "Air masih menggenang sampai sekarang, belum ada petugas yang datang.",
        "refs": ("quoted-001@example.com",),
    },
    "outlook_original.eml": {"text": "Pohonnya masih menutup separuh jalan."},
    "signature.eml": {
        "text": "Banyak parkir liar di trotoar Jl. Fatmawati dekat stasiun MRT.",
    },
    "mobile_footer.eml": {"text": "Banjir setinggi lutut di Jl. Kalibata Timur."},
    "attachment.eml": {
        "text": "Terlampir foto trotoar rusak di Jl. Wolter Monginsidi.",
        "attachments": [("trotoar.png", "image/png", 70)],
    },
    "rfc2047_subject.eml": {
        "subject": "Pohon tumbang – Jl. Cipete Raya",
        "display_name": "Warga Cipete",
    },
    "lying_charset.eml": {"text": "Suara bising dari kafé sampai jam 2 pagi – tolong ditertibkan."},
    "unknown_charset.eml": {"has": ["Masih bising di kaf"], "subject": "Kebisingan lagi"},
    "auto_reply.eml": {"disposition": Disposition.IGNORE, "reason": "auto-submitted"},
    "out_of_office.eml": {"disposition": Disposition.IGNORE, "reason": "auto-reply"},
    "bounce.eml": {"disposition": Disposition.IGNORE, "reason": "delivery report"},
    "forwarded_attached.eml": {
        "text": "Trotoar di depan SD Negeri 05 amblas sedalam 30 cm.",
        "identities": ("mailto:rw07@example.org",),
        "attachments": [(None, "message/rfc822", None)],
    },
    "follow_up.eml": {
        "text": "Lampunya masih mati sampai hari ini.",
        "ref": "plain-002@mail.example.com",
        "refs": ("plain-001@mail.example.com", "root-000@example.go.id"),
        "disposition": Disposition.COMPLAINT,
    },
}


def test_every_fixture_has_a_row() -> None:
    files = {p.name for p in FIXTURES.glob("*.eml")}
    assert files == set(CASES) | {"no_sender.eml"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_read(name: str, tmp_path: Path) -> None:
    expected = CASES[name]
    message = channel(tmp_path).read(raw_of(name))
    assert message.disposition == expected.get("disposition", Disposition.COMPLAINT)
    if "reason" in expected:
        assert expected["reason"] in (message.ignore_reason or "")
    else:
        assert message.ignore_reason is None
    if "text" in expected:
        assert message.text == expected["text"]
    for part in expected.get("has", []):
        assert part in message.text
    for key in ("identities", "display_name", "subject", "ref", "refs", "sent_at"):
        if key in expected:
            assert getattr(message, key) == expected[key], key
    assert "\ufffd" not in message.text or name == "unknown_charset.eml"
    if "attachments" in expected:
        pairs = zip(expected["attachments"], message.attachments, strict=True)
        for (filename, content_type, size), attachment in pairs:
            assert (attachment.filename, attachment.content_type) == (filename, content_type)
            assert size is None or attachment.size == size
        for attachment in message.attachments:
            assert attachment.data is not None
            assert hashlib.sha256(attachment.data).hexdigest() == attachment.sha256


def test_attachment_over_the_limit_is_recorded_without_its_bytes(tmp_path: Path) -> None:
    message = channel(tmp_path, max_attachment_bytes=10).read(raw_of("attachment.eml"))
    (attachment,) = message.attachments
    assert attachment.size == 70 and attachment.sha256 and attachment.data is None


def test_no_sender_is_bad_payload(tmp_path: Path) -> None:
    with pytest.raises(BadPayload, match="no sender"):
        channel(tmp_path).read(raw_of("no_sender.eml"))


def test_raw_keeps_what_read_strips() -> None:
    raw = raw_of("quoted_reply_id.eml")
    assert b"menulis:" in raw.payload


def test_key_is_message_id_plus_hash_and_line_ending_blind() -> None:
    payload = (FIXTURES / "plain.eml").read_bytes()
    key = external_id(payload)
    assert key.startswith("<plain-001@mail.example.com>#sha256:")
    assert external_id(payload.replace(b"\r\n", b"\n")) == key
    assert external_id((FIXTURES / "no_sender.eml").read_bytes()).startswith("sha256:")
