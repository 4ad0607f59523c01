"""The ``vonage`` gateway's rows of the sms payload table (see cases.py)."""

from __future__ import annotations

from datetime import datetime

from aduan.core.messages import Disposition
from tests.channels.payloads import Dumped, Negative, PayloadCase, Row

CASES = [
    # bad JSON: 400
    PayloadCase(
        "vonage/json_truncated.json",
        status=400,
        auth="none",
        covers=frozenset({Negative.MALFORMED}),
        rows=(),
        name="vonage-bad_json",
    ),
    # bad sig: 403
    PayloadCase(
        "vonage/query_minimal_0e1.json",
        status=403,
        auth="wrong",
        covers=frozenset({Negative.BAD_AUTH}),
        rows=(),
        name="vonage-bad_signature",
    ),
    # concat: part 1 of 2 is its own raw row, read as a fragment
    PayloadCase(
        "vonage/query_concat_part1.json",
        rows=(
            Row(
                fields={
                    "text": "Banjir setinggi 50 cm di Jl. Pangeran Antasari sejak pagi, ",
                    "fragment": Dumped({"group": "108:6281200012347", "index": 1, "total": 2}),
                }
            ),
        ),
        name="vonage-concat_part1",
    ),
    # concat: part 2 of 2 is its own raw row, read as a fragment
    PayloadCase(
        "vonage/query_concat_part2.json",
        rows=(
            Row(
                fields={
                    "text": "mobil tidak bisa lewat, mohon segera ditangani.",
                    "fragment": Dumped({"group": "108:6281200012347", "index": 2, "total": 2}),
                }
            ),
        ),
        name="vonage-concat_part2",
    ),
    # duplicate: Vonage re-sends the same messageId
    PayloadCase(
        "vonage/query_parking.json",
        deliveries=2,
        covers=frozenset({Negative.REPLAY}),
        name="vonage-duplicate",
    ),
    # good: GET with md5hash sig
    PayloadCase(
        "vonage/query_text.json",
        rows=(
            Row(
                fields={
                    "text": "Jalan berlubang di depan SDN 05 Cilandak",
                    "identities": ("tel:+6281200012345",),
                    "sent_at": datetime.fromisoformat("2026-11-29T03:00:00+00:00"),
                }
            ),
        ),
        name="vonage-good_get",
    ),
    # good: POST-JSON with md5hash sig
    PayloadCase(
        "vonage/json_text.json",
        rows=(Row(fields={"text": "Jalan berlubang di depan SDN 05 Cilandak"}),),
        name="vonage-good_json",
    ),
    # good: POST form with md5hash sig
    PayloadCase(
        "vonage/form_text.json",
        rows=(Row(fields={"identities": ("tel:+6281200012345",)}),),
        name="vonage-good_post",
    ),
    # no messageId: 400
    PayloadCase(
        "vonage/query_without_message_id.json",
        status=400,
        answer={"body": "missing messageId"},
        rows=(),
        name="vonage-missing_id",
    ),
    # missing sender: stored, quarantined at read
    PayloadCase(
        "vonage/query_without_msisdn.json",
        rows=(Row(None, error="no sender"),),
        name="vonage-missing_sender",
    ),
    # no sig on a signed instance: 403
    PayloadCase(
        "vonage/query_minimal_0e2.json", status=403, auth="none", rows=(), name="vonage-unsigned"
    ),
    # delivery receipt by GET, signed like inbound: a RECEIPT
    PayloadCase(
        "vonage/dlr_delivered_query.json",
        rows=(
            Row(
                Disposition.RECEIPT,
                fields={
                    "receipt": Dumped(
                        {"provider_id": "0C0000000000000A", "status": "delivered", "error": None}
                    )
                },
                raw={"external_id": "dlr:0C0000000000000A:delivered"},
            ),
        ),
        name="vonage-dlr_delivered",
    ),
    # delivery receipt as JSON, failed with Vonage's err-code
    PayloadCase(
        "vonage/dlr_failed_json.json",
        deliveries=2,
        rows=(Row(Disposition.RECEIPT, fields={"receipt.status": "failed", "receipt.error": "6"}),),
        name="vonage-dlr_failed_twice",
    ),
    # buffered: an intermediate state, kept and ignored
    PayloadCase(
        "vonage/dlr_buffered_query.json",
        rows=(Row(Disposition.IGNORE, fields={"extra.provider_status": "buffered"}),),
        name="vonage-dlr_buffered",
    ),
    # a receipt with a bad signature: 403
    PayloadCase(
        "vonage/dlr_buffered_query.json",
        status=403,
        auth="wrong",
        rows=(),
        name="vonage-dlr_bad_signature",
    ),
]
