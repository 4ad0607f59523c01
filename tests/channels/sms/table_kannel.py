"""The ``kannel`` gateway's rows of the sms payload table (see cases.py)."""

from __future__ import annotations

from datetime import datetime

from aduan.core.messages import Disposition
from tests.channels.payloads import Dumped, Negative, PayloadCase, Row

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
    # delivery report on <webhook>/dlr (the dlr-url aduan gives sendsms): delivered
    PayloadCase(
        "kannel/dlr_delivered.json",
        deliveries=2,
        rows=(
            Row(
                Disposition.RECEIPT,
                fields={
                    "receipt": Dumped(
                        {
                            "provider_id": "0f3a5c7e9b1d2f4a6c8e0b2d4f6a8c0e",
                            "status": "delivered",
                            "error": None,
                        }
                    )
                },
                raw={"external_id": "dlr:0f3a5c7e9b1d2f4a6c8e0b2d4f6a8c0e:1"},
            ),
        ),
        name="kannel-dlr_delivered_twice",
    ),
    # type 8: the SMSC took it
    PayloadCase(
        "kannel/dlr_smsc_accepted.json",
        rows=(Row(Disposition.RECEIPT, fields={"receipt.status": "sent", "receipt.error": None}),),
        name="kannel-dlr_smsc_accepted",
    ),
    # type 16: the SMSC refused it, %A as the error
    PayloadCase(
        "kannel/dlr_smsc_rejected.json",
        rows=(
            Row(
                Disposition.RECEIPT,
                fields={
                    "receipt.status": "failed",
                    "receipt.error": "NACK/0x0000000b/Invalid Destination Address",
                },
            ),
        ),
        name="kannel-dlr_smsc_rejected",
    ),
    # type 4: buffered, ignored
    PayloadCase(
        "kannel/dlr_buffered.json",
        rows=(Row(Disposition.IGNORE),),
        name="kannel-dlr_buffered",
    ),
    # a report with the wrong url secret: 403
    PayloadCase(
        "kannel/dlr_buffered.json",
        status=403,
        auth="wrong",
        rows=(),
        name="kannel-dlr_bad_secret",
    ),
    # malformed reports: no ref, or %d not replaced: 400
    PayloadCase(
        "kannel/dlr_without_ref.json",
        status=400,
        answer={"body": "delivery report without ref or numeric type"},
        rows=(),
        name="kannel-dlr_missing_ref",
    ),
    PayloadCase(
        "kannel/dlr_type_not_a_number.json",
        status=400,
        rows=(),
        name="kannel-dlr_type_not_a_number",
    ),
]
