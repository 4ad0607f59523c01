"""The ``twilio`` gateway's rows of the sms payload table (see cases.py)."""

from __future__ import annotations

from aduan.core.messages import Disposition
from tests.channels.payloads import Dumped, Negative, PayloadCase, Row

CASES = [
    # bad signature: 403, nothing stored
    PayloadCase(
        "twilio/form_minimal_sm444.json",
        status=403,
        auth="wrong",
        covers=frozenset({Negative.BAD_AUTH}),
        rows=(),
        name="twilio-bad_signature",
    ),
    # duplicate: Twilio retries the same MessageSid; 2xx both times, one row
    PayloadCase(
        "twilio/form_text.json",
        deliveries=2,
        covers=frozenset({Negative.REPLAY}),
        rows=(
            Row(fields={"text": "Sampah menumpuk di pasar", "identities": ("tel:+6281200012346",)}),
        ),
        name="twilio-duplicate",
    ),
    # good: Indonesian complaint with one photo (URL recorded, not fetched)
    PayloadCase(
        "twilio/form_with_photo.json",
        answer={
            "body": '<?xml version="1.0" encoding="UTF-8"?><Response/>',
            "content_type": "text/xml",
        },
        rows=(
            Row(
                fields={
                    "text": "Lampu jalan mati di Jl. Kemang Raya no. 12, sudah 3 hari gelap",
                    "identities": ("tel:+6281200012345",),
                    "attachments.0.url": "https://api.twilio.com/2010-04-01/Accounts/AC00000000000000000000000000000000/Messages/SM0a1b2c3d4e5f60718293a4b5c6d7e8f9/Media/ME00000000000000000000000000000000",
                    "attachments.0.content_type": "image/jpeg",
                    "attachments.1": None,
                    "extra.to": "+628111272206",
                }
            ),
        ),
        name="twilio-good",
    ),
    # good: the number is configured for HTTP GET (everything in the signed URL)
    PayloadCase(
        "twilio/query_text.json",
        answer={"content_type": "text/xml"},
        rows=(
            Row(
                fields={
                    "text": "Pipa PAM bocor di Jl. Cipete Raya",
                    "identities": ("tel:+6281200012366",),
                }
            ),
        ),
        name="twilio-good_get",
    ),
    # malformed: no MessageSid -> 400 with the reason
    PayloadCase(
        "twilio/form_without_message_sid.json",
        status=400,
        answer={"body": "missing MessageSid"},
        rows=(),
        name="twilio-missing_id",
    ),
    # missing sender: stored (nothing dropped), read quarantines it
    PayloadCase(
        "twilio/form_without_from.json",
        rows=(Row(None, error="no sender"),),
        name="twilio-missing_sender",
    ),
    # malformed body (not UTF-8, so not a form): 400
    PayloadCase(
        "twilio/body_not_utf8.json",
        status=400,
        answer={"body": "body is not a form"},
        covers=frozenset({Negative.MALFORMED}),
        rows=(),
        name="twilio-not_a_form",
    ),
    # body over the instance's max_body_bytes: 413
    PayloadCase("twilio/form_padded_30kb.json", status=413, rows=(), name="twilio-oversize"),
    # unknown instance: 404
    PayloadCase(
        "twilio/form_short.json",
        status=404,
        options={"instance": "nope"},
        rows=(),
        name="twilio-unknown_instance",
    ),
    # sender that is not a phone number: kept as written and flagged
    PayloadCase(
        "twilio/form_from_alphanumeric.json",
        rows=(Row(fields={"identities": ("tel-raw:TELKOMSEL",), "extra.unparsable_phone": True}),),
        name="twilio-unparsable_sender",
    ),
    # no signature header: 403
    PayloadCase(
        "twilio/form_minimal_sm555.json", status=403, auth="none", rows=(), name="twilio-unsigned"
    ),
    # status callback (same URL, signed like inbound): a RECEIPT for the outbox
    PayloadCase(
        "twilio/status_delivered.json",
        answer={"content_type": "text/xml"},
        rows=(
            Row(
                Disposition.RECEIPT,
                fields={
                    "receipt": Dumped(
                        {
                            "provider_id": "SM5f0c1a2b3c4d5e6f708192a3b4c5d6e7",
                            "status": "delivered",
                            "error": None,
                        }
                    ),
                    "identities": (),
                },
                raw={"external_id": "dlr:SM5f0c1a2b3c4d5e6f708192a3b4c5d6e7:delivered"},
            ),
        ),
        name="twilio-status_delivered",
    ),
    # status callback, undelivered with Twilio's error code
    PayloadCase(
        "twilio/status_undelivered_30003.json",
        rows=(
            Row(
                Disposition.RECEIPT,
                fields={"receipt.status": "failed", "receipt.error": "30003"},
            ),
        ),
        name="twilio-status_undelivered",
    ),
    # an intermediate state changes nothing: kept raw, ignored
    PayloadCase(
        "twilio/status_queued.json",
        rows=(Row(Disposition.IGNORE, fields={"receipt": None}),),
        name="twilio-status_queued",
    ),
    # the same callback twice: one row
    PayloadCase(
        "twilio/status_sent.json",
        deliveries=2,
        rows=(Row(Disposition.RECEIPT, fields={"receipt.status": "sent"}),),
        name="twilio-status_duplicate",
    ),
    # a status callback with a bad signature: 403, nothing stored
    PayloadCase(
        "twilio/status_undelivered_30003.json",
        status=403,
        auth="wrong",
        rows=(),
        name="twilio-status_bad_signature",
    ),
    # a status callback without MessageSid: 400
    PayloadCase(
        "twilio/status_without_sid.json",
        status=400,
        answer={"body": "missing MessageSid"},
        rows=(),
        name="twilio-status_missing_id",
    ),
]
