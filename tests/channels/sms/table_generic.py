"""The ``generic`` gateway's rows of the sms payload table (see cases.py)."""

from __future__ import annotations

from datetime import datetime

from tests.channels.payloads import Negative, PayloadCase, Row

CASES = [
    # bad JSON (signed): 400
    PayloadCase(
        "generic/json_truncated.json",
        status=400,
        answer={"body": "invalid JSON"},
        covers=frozenset({Negative.MALFORMED}),
        rows=(),
        name="generic-bad_json",
    ),
    # bad signature: 403
    PayloadCase(
        "generic/json_complaint_gw6.json",
        status=403,
        auth="wrong",
        covers=frozenset({Negative.BAD_AUTH}),
        rows=(),
        name="generic-bad_signature",
    ),
    # duplicate id
    PayloadCase(
        "generic/json_complaint_gw2.json",
        deliveries=2,
        covers=frozenset({Negative.REPLAY}),
        name="generic-duplicate",
    ),
    # timestamp 6 minutes ahead: 403
    PayloadCase(
        "generic/json_complaint_gw8.json",
        status=403,
        options={"timestamp_offset": 360},
        rows=(),
        name="generic-future",
    ),
    # garbage sender: kept as tel-raw and flagged
    PayloadCase(
        "generic/json_from_garbage.json",
        rows=(
            Row(fields={"identities": ("tel-raw:nomor saya 12",), "extra.unparsable_phone": True}),
        ),
        name="generic-garbage_sender",
    ),
    # good: signed JSON
    PayloadCase(
        "generic/json_complaint.json",
        rows=(
            Row(
                fields={
                    "text": "Saluran air tersumbat di RT 05/RW 02 Pondok Labu",
                    "identities": ("tel:+6281200012357",),
                    "sent_at": datetime.fromisoformat("2026-11-29T03:15:00+00:00"),
                    "extra.to": "0811-1272-206",
                }
            ),
        ),
        name="generic-good",
    ),
    # no id: 400
    PayloadCase(
        "generic/json_without_id.json",
        status=400,
        answer={"body": "missing id"},
        rows=(),
        name="generic-missing_id",
    ),
    # missing sender: stored, quarantined at read
    PayloadCase(
        "generic/json_without_from.json",
        rows=(Row(None, error="no sender"),),
        name="generic-missing_sender",
    ),
    # oversize: 413
    PayloadCase("generic/json_padded_30kb.json", status=413, rows=(), name="generic-oversize"),
    # replay: timestamp 6 minutes old (validly signed): 403
    PayloadCase(
        "generic/json_complaint_gw7.json",
        status=403,
        options={"timestamp_offset": -360},
        covers=frozenset({Negative.REPLAY}),
        rows=(),
        name="generic-stale",
    ),
]
