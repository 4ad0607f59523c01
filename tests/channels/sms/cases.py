"""The ``sms`` payload table: each gateway's inbound requests through the real ASGI app.

A fixture under ``fixtures/sms/<gateway>/`` describes the request without its
signature (form, JSON, query, raw bytes); :func:`deliver` signs it as the gateway
does, wrongly or not at all, as the case says. Every case runs on SQLite and
PostgreSQL; one instance per gateway, named after it.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from tests.channels.payloads import Delivery, Dumped, Negative, PayloadCase, PushHarness, Row
from tests.channels.sms.common import GATEWAYS, build, settings_env

SIGN = {"good": True, "wrong": "bad", "none": False}


def env(data_dir: Path) -> dict[str, str]:
    found = settings_env("", data_dir)
    return {k: v for k, v in found.items() if k.startswith("ADUAN_CHANNELS__")}


def gateway(case: PayloadCase) -> str:
    name = case.fixture.split("/")[0]
    assert name in GATEWAYS, case.fixture
    return name


def instance(case: PayloadCase) -> str:
    return str(case.options.get("instance", gateway(case)))


def deliver(case: PayloadCase, body: bytes) -> Delivery:
    request = build(
        gateway(case),
        json.loads(body),
        sign=SIGN[case.auth],
        instance=instance(case),
        timestamp_offset=int(case.options.get("timestamp_offset", 0)),
    )
    return Delivery(request.method, request.url, request.headers, request.body)


HARNESS = PushHarness("sms", env, deliver, instance, stores=("sqlite", "postgresql"))
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
