"""The ``email`` payload table: recorded .eml files delivered to a Dovecot mailbox, then polled.

Each case gets a fresh mailbox on the session's Dovecot holding ``deliveries``
copies of the fixture (a resent message); a wrong-password case gets a server of
its own, since Dovecot penalises failed logins per client address.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from pydantic import SecretStr

from aduan.channels.base import ChannelContext, PullChannel
from aduan.channels.email import EmailChannel
from aduan.core.errors import FatalChannelError
from aduan.core.messages import Disposition
from tests.channels.email.conftest import email_config
from tests.channels.payloads import Contains, Negative, PayloadCase, PullHarness, Row
from tests.helpers import dovecot as dovecot_helper
from tests.helpers.databases import skip_or_fail

WRONG_PASSWORD = "salah-sandi"
CLEAN = Contains("", lacks="\ufffd")
"""Every text read without replacement characters."""


@contextmanager
def mailbox(case: PayloadCase, body: bytes, tmp_path: Path) -> Iterator[PullChannel]:
    if not dovecot_helper.available():
        skip_or_fail("dovecot is not installed (apt-get install dovecot-imapd)")
    own = case.auth == "wrong"
    server = dovecot_helper.Dovecot().start() if own else dovecot_helper.shared()
    try:
        user = server.new_user()
        server.deliver(user, [body] * case.deliveries)
        settings = dict(case.options)
        if own:
            settings["password"] = SecretStr(WRONG_PASSWORD)
        channel = EmailChannel(
            "city", email_config(server, user, **settings), ChannelContext(tmp_path)
        )
        try:
            yield channel
        finally:
            channel.close()
    finally:
        if own:
            server.cleanup()


HARNESS = PullHarness("email", mailbox, secrets=lambda: [WRONG_PASSWORD, dovecot_helper.PASSWORD])


def read(name: str, **fields: object) -> PayloadCase:
    """A message that reads as a complaint with these fields."""
    wanted = {"ignore_reason": None, "text": CLEAN, **fields}
    return PayloadCase(name, rows=(Row(fields=wanted),))


def ignored(name: str, reason: str) -> PayloadCase:
    return PayloadCase(
        name, rows=(Row(Disposition.IGNORE, fields={"ignore_reason": Contains(reason)}),)
    )


CASES = [
    read(
        "plain.eml",
        identities=("mailto:budi.santoso@example.com",),
        display_name="Budi Santoso",
        subject="Lampu jalan mati di Jl. Kemang Raya",
        ref="plain-001@mail.example.com",
        sent_at=datetime(2026, 11, 30, 1, 15, tzinfo=UTC),
        text=Contains("Kemang Raya No. 12 mati", lacks="\ufffd"),
    ),
    read(
        "reply_to.eml", identities=("mailto:siti.aminah@example.com",), display_name="Siti Aminah"
    ),
    read(
        "html_only.eml",
        text="Jalan di Jl. Pangeran Antasari berlubang besar & berbahaya.\n\n"
        "Sudah ada dua pengendara motor jatuh.\nMohon ditindaklanjuti.",
    ),
    read(
        "quoted_reply_id.eml",
        text="Air masih menggenang sampai sekarang, belum ada petugas yang datang.",
        refs=("quoted-001@example.com",),
    ),
    read("outlook_original.eml", text="Pohonnya masih menutup separuh jalan."),
    read("signature.eml", text="Banyak parkir liar di trotoar Jl. Fatmawati dekat stasiun MRT."),
    read("mobile_footer.eml", text="Banjir setinggi lutut di Jl. Kalibata Timur."),
    read(
        "attachment.eml",
        text="Terlampir foto trotoar rusak di Jl. Wolter Monginsidi.",
        **{
            "attachments.0.filename": "trotoar.png",
            "attachments.0.content_type": "image/png",
            "attachments.0.size": 70,
            "attachments.1": None,
        },
    ),
    read(
        "rfc2047_subject.eml",
        subject="Pohon tumbang – Jl. Cipete Raya",
        display_name="Warga Cipete",
    ),
    read(
        "lying_charset.eml",
        text="Suara bising dari kafé sampai jam 2 pagi – tolong ditertibkan.",
    ),
    read("unknown_charset.eml", text=Contains("Masih bising di kaf"), subject="Kebisingan lagi"),
    ignored("auto_reply.eml", "auto-submitted"),
    ignored("out_of_office.eml", "auto-reply"),
    ignored("bounce.eml", "delivery report"),
    read(
        "forwarded_attached.eml",
        text="Trotoar di depan SD Negeri 05 amblas sedalam 30 cm.",
        identities=("mailto:rw07@example.org",),
        **{
            "attachments.0.filename": None,
            "attachments.0.content_type": "message/rfc822",
            "attachments.1": None,
        },
    ),
    read(
        "follow_up.eml",
        text="Lampunya masih mati sampai hari ini.",
        ref="plain-002@mail.example.com",
        refs=("plain-001@mail.example.com", "root-000@example.go.id"),
    ),
    PayloadCase(
        "no_sender.eml",
        rows=(Row(None, error="no sender"),),
        covers=frozenset({Negative.MALFORMED}),
    ),
    PayloadCase(
        "signature.eml",
        deliveries=2,
        covers=frozenset({Negative.REPLAY}),
        name="signature-resent",
    ),
    PayloadCase(
        "plain.eml",
        auth="wrong",
        rows=(),
        error=FatalChannelError,
        covers=frozenset({Negative.BAD_AUTH}),
    ),
]
