"""The ``kannel`` gateway's rows of the sms payload table (see cases.py)."""

from __future__ import annotations

from datetime import datetime

from tests.channels.payloads import Negative, PayloadCase, Row

CASES = [
    # wrong url secret: 403
    PayloadCase(
        "kannel/post_minimal_id9.json",
        status=403,
        auth="wrong",
        covers=frozenset({Negative.BAD_AUTH}),
        rows=(),
        name="kannel-bad_secret",
    ),
    # odd-length UTF-16BE body: stored, quarantined at read
    PayloadCase(
        "kannel/post_odd_length_ucs2.json",
        rows=(Row(None, error="not valid UTF-16BE"),),
        name="kannel-bad_ucs2",
    ),
    # Kannel retry (http-request-retry) with the same %I: one row
    PayloadCase(
        "kannel/post_text_id5.json",
        deliveries=2,
        covers=frozenset({Negative.REPLAY}),
        name="kannel-duplicate",
    ),
    # get-url, UCS-2: percent-encoded UTF-16BE bytes, charset=%C
    PayloadCase(
        "kannel/get_ucs2.json",
        rows=(
            Row(
                fields={
                    "text": "Got mampet di Gg. Haji Naim 😡🙏 — tolong segera",
                    "identities": ("tel:+6281200012353",),
                }
            ),
        ),
        name="kannel-get_ucs2",
    ),
    # get-url, 7-bit text arriving as UTF-8
    PayloadCase(
        "kannel/get_utf8.json",
        rows=(Row(fields={"text": "Café déjà vu", "identities": ("tel:+6281200012354",)}),),
        name="kannel-get_utf8",
    ),
    # no %I: 400
    PayloadCase("kannel/post_without_id.json", status=400, rows=(), name="kannel-missing_id"),
    # no %p and no send-sender: stored, quarantined at read
    PayloadCase(
        "kannel/post_without_from.json",
        rows=(Row(None, error="no sender"),),
        name="kannel-missing_sender",
    ),
    # post-url, 7-bit text, X-Kannel headers as captured from Kannel 1.4.5
    PayloadCase(
        "kannel/post_plain.json",
        rows=(
            Row(
                fields={
                    "text": "Lampu PJU mati di Jl. Fatmawati",
                    "identities": ("tel:+6281200012351",),
                    "sent_at": datetime.fromisoformat("2026-11-29T03:00:00+00:00"),
                    "extra.smsc": "FAKE",
                    "extra.coding": "0",
                }
            ),
        ),
        name="kannel-post_plain",
    ),
    # post-url, UCS-2 SMS (Indonesian with emoji): body is UTF-16BE bytes
    PayloadCase(
        "kannel/post_ucs2.json",
        rows=(
            Row(
                fields={
                    "text": "Got mampet di Gg. Haji Naim 😡🙏 — tolong segera",
                    "identities": ("tel:+6281200012352",),
                    "extra.charset": "UTF-16BE",
                    "extra.coding": "2",
                }
            ),
        ),
        name="kannel-post_ucs2",
    ),
    # unknown charset: 400
    PayloadCase(
        "kannel/post_charset_x_nope.json",
        status=400,
        answer={"body": "unknown charset X-NOPE"},
        rows=(),
        name="kannel-unknown_charset",
    ),
]
