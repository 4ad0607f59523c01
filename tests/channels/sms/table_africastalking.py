"""The ``africastalking`` gateway's rows of the sms payload table (see cases.py)."""

from __future__ import annotations

from datetime import datetime

from aduan.core.messages import Disposition
from tests.channels.payloads import Dumped, Negative, PayloadCase, Row

CASES = [
    # duplicate id
    PayloadCase(
        "africastalking/form_fallen_tree.json",
        deliveries=2,
        covers=frozenset({Negative.REPLAY}),
        name="africastalking-duplicate",
    ),
    # good: form POST to the secret path
    PayloadCase(
        "africastalking/form_with_date.json",
        rows=(
            Row(
                fields={
                    "text": "Pohon tumbang menutup jalan di Jl. Ampera",
                    "identities": ("tel:+6281200012349",),
                    "sent_at": datetime.fromisoformat("2026-11-29T03:10:00+00:00"),
                    "extra.link_id": "SampleLink01",
                }
            ),
        ),
        name="africastalking-good",
    ),
    # sender written locally (0812-...): becomes +62
    PayloadCase(
        "africastalking/form_local_sender.json",
        rows=(Row(fields={"identities": ("tel:+6281200012350",)}),),
        name="africastalking-local_number",
    ),
    # no id: 400
    PayloadCase(
        "africastalking/form_without_id.json",
        status=400,
        answer={"body": "missing id"},
        rows=(),
        name="africastalking-missing_id",
    ),
    # missing sender: stored, quarantined at read
    PayloadCase(
        "africastalking/form_without_from.json",
        rows=(Row(None, error="no sender"),),
        name="africastalking-missing_sender",
    ),
    # no secret path segment: 403
    PayloadCase(
        "africastalking/form_with_date.json",
        status=403,
        auth="none",
        rows=(),
        name="africastalking-no_path_secret",
    ),
    # oversize: 413
    PayloadCase(
        "africastalking/form_padded_30kb.json", status=413, rows=(), name="africastalking-oversize"
    ),
    # wrong secret path segment: 403
    PayloadCase(
        "africastalking/form_with_date.json",
        status=403,
        auth="wrong",
        covers=frozenset({Negative.BAD_AUTH}),
        rows=(),
        name="africastalking-wrong_path_secret",
    ),
    # delivery report (same callback URL): a RECEIPT
    PayloadCase(
        "africastalking/dlr_success.json",
        deliveries=2,
        rows=(
            Row(
                Disposition.RECEIPT,
                fields={
                    "receipt": Dumped(
                        {"provider_id": "ATXid_5f0c1a2b", "status": "delivered", "error": None}
                    )
                },
                raw={"external_id": "dlr:ATXid_5f0c1a2b:Success"},
            ),
        ),
        name="africastalking-dlr_success_twice",
    ),
    # failed, with the failureReason as the error
    PayloadCase(
        "africastalking/dlr_failed_blacklist.json",
        rows=(
            Row(
                Disposition.RECEIPT,
                fields={"receipt.status": "failed", "receipt.error": "UserInBlackList"},
            ),
        ),
        name="africastalking-dlr_failed",
    ),
    # Buffered: intermediate, ignored
    PayloadCase(
        "africastalking/dlr_buffered.json",
        rows=(Row(Disposition.IGNORE),),
        name="africastalking-dlr_buffered",
    ),
    # a report on a wrong path secret: 403
    PayloadCase(
        "africastalking/dlr_failed_blacklist.json",
        status=403,
        auth="wrong",
        rows=(),
        name="africastalking-dlr_bad_secret",
    ),
    # a report without id: 400
    PayloadCase(
        "africastalking/dlr_without_id.json",
        status=400,
        answer={"body": "missing id"},
        rows=(),
        name="africastalking-dlr_missing_id",
    ),
]
