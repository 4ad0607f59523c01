"""The ``whatsapp`` payload table: Cloud API webhook bodies (signed with the app secret) and
Twilio's WhatsApp forms (signed as Twilio signs), POSTed to the real app.

The Cloud API bodies follow the shapes of Meta's webhook reference and of courier's
Meta test data (``nyaruka/courier`` ``handlers/meta/testdata/wac/*.json``: image,
location, list_reply, valid_status, error_status), with Indonesian senders and text.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl

from aduan.channels.meta import signature
from aduan.channels.sms.twilio import signature as twilio_signature
from aduan.core.messages import Disposition
from tests.channels.payloads import (
    BAD,
    Contains,
    Delivery,
    Negative,
    PayloadCase,
    PushHarness,
    Row,
)

APP_SECRET = "wa-app-secret-for-tests"
VERIFY = "verify-wa-jaksel"
TOKEN = "EAAG-test-access-token"
PNID = "106540352242922"
TWILIO_TOKEN = "twilio-wa-auth-token-0123456789"
TWILIO_URL = "https://aduan.example.org/webhooks/whatsapp/twilio_wa"
SARI = "tel:+6281200012346"
BUDI = "tel:+6281311122233"


def env(data_dir: Path) -> dict[str, str]:
    cloud = "ADUAN_CHANNELS__WHATSAPP__JAKSEL__"
    twilio = "ADUAN_CHANNELS__WHATSAPP__TWILIO_WA__"
    return {
        cloud + "PHONE_NUMBER_ID": PNID,
        cloud + "APP_SECRET": APP_SECRET,
        cloud + "ACCESS_TOKEN": TOKEN,
        cloud + "VERIFY_TOKEN": VERIFY,
        cloud + "MAX_BODY_BYTES": "20000",
        cloud + "GRAPH_URL": "http://127.0.0.1:9",
        twilio + "PROVIDER": "twilio",
        twilio + "AUTH_TOKEN": TWILIO_TOKEN,
        twilio + "PUBLIC_URL": TWILIO_URL,
    }


def instance(case: PayloadCase) -> str:
    return "twilio_wa" if case.fixture.endswith(".form") else "jaksel"


def deliver(case: PayloadCase, body: bytes) -> Delivery:
    if case.fixture.endswith(".form"):
        body = body.strip()
        headers = {"Content-Type": "application/x-www-form-urlencoded", **case.headers}
        if case.auth != "none":
            token = TWILIO_TOKEN if case.auth == "good" else "not-the-token"
            params = parse_qsl(body.decode(), keep_blank_values=True)
            headers["X-Twilio-Signature"] = twilio_signature(token, TWILIO_URL, params)
        return Delivery("POST", "/webhooks/whatsapp/twilio_wa", headers, body)
    headers = {"Content-Type": "application/json", **case.headers}
    if case.auth != "none":
        secret = APP_SECRET if case.auth == "good" else "not-the-app-secret"
        headers["X-Hub-Signature-256"] = signature(body, secret)
    return Delivery("POST", "/webhooks/whatsapp/jaksel", headers, body)


HARNESS = PushHarness("whatsapp", env, deliver, instance, stores=("sqlite", "postgresql"))
W = "wamid.HBgNNjI4MTIwMDAxMjM0NhUCABIYFjNFQjA"
CASES = [
    PayloadCase(
        "text.json",
        rows=(
            Row(
                fields={
                    "identities": (SARI,),
                    "display_name": "Sari Wulandari",
                    "text": Contains("Lampu jalan mati"),
                    "ref": W + "TEXT01",
                },
                raw={"external_id": W + "TEXT01"},
            ),
        ),
        deliveries=2,
        covers=frozenset({Negative.REPLAY}),
    ),
    PayloadCase(
        "image.json",
        rows=(
            Row(
                fields={
                    "text": "Sampah menumpuk di Pasar Minggu",
                    "attachments.0.url": "whatsapp-media:1037543291543636",
                    "attachments.0.content_type": "image/jpeg",
                }
            ),
        ),
    ),
    PayloadCase(
        "document.json",
        rows=(
            Row(
                fields={
                    "attachments.0.filename": "pengantar.pdf",
                    "attachments.0.url": "whatsapp-media:1037543291543637",
                }
            ),
        ),
    ),
    PayloadCase(
        "voice.json",
        rows=(Row(fields={"attachments.0.content_type": "audio/ogg; codecs=opus"}),),
    ),
    PayloadCase(
        "location.json",
        rows=(
            Row(
                fields={
                    "location.lat": -6.2607,
                    "location.lon": 106.8137,
                    "location.address": Contains("Kemang Raya, Jl. Kemang Raya No. 10"),
                }
            ),
        ),
    ),
    PayloadCase("location_without_coordinates.json", rows=(BAD,)),
    PayloadCase(
        "contacts_own_card.json",
        rows=(Row(fields={"linked_identities": ("tel:+622178901234", "tel:+6281398765432")}),),
    ),
    PayloadCase("contacts_other_card.json", rows=(Row(fields={"linked_identities": ()}),)),
    PayloadCase(
        "interactive_list_reply.json",
        rows=(Row(fields={"text": "Drainase\nGot atau saluran air mampet"}),),
    ),
    PayloadCase(
        "interactive_button_reply.json",
        rows=(
            Row(
                fields={
                    "text": "Masih terjadi",
                    "refs": ("wamid.HBgNNjI4MTEwMDAwMTExMRUCABEYEjdBQkNEMEYxMjM0NTY3ODkA",),
                }
            ),
        ),
    ),
    PayloadCase("button_template_reply.json", rows=(Row(fields={"text": "Belum selesai"}),)),
    PayloadCase(
        "reaction.json",
        rows=(Row(Disposition.IGNORE, fields={"ignore_reason": Contains("reaction")}),),
    ),
    PayloadCase(
        "unsupported.json",
        rows=(Row(Disposition.IGNORE, fields={"ignore_reason": "message type unsupported"}),),
    ),
    PayloadCase(
        "reply_with_context.json",
        rows=(Row(fields={"refs": (W + "TEXT01",)}),),
    ),
    PayloadCase(
        "status_delivered.json",
        rows=(
            Row(
                Disposition.RECEIPT,
                fields={"receipt.status": "delivered", "receipt.error": None},
                raw={"external_id": Contains("status:wamid.")},
            ),
        ),
    ),
    PayloadCase(
        "status_failed.json",
        rows=(
            Row(
                Disposition.RECEIPT,
                fields={"receipt.status": "failed", "receipt.error": Contains("131047")},
            ),
        ),
    ),
    PayloadCase(
        "batch_three_and_status.json",
        rows=(
            Row(Disposition.RECEIPT, fields={"receipt.status": "read"}),
            Row(fields={"identities": (SARI,), "text": Contains("Pohon tumbang")}),
            Row(fields={"identities": (BUDI,), "display_name": "Budi Santoso"}),
            Row(fields={"identities": (SARI,), "display_name": "Sari Wulandari"}),
        ),
    ),
    PayloadCase("no_sender.json", rows=(BAD,)),
    PayloadCase(
        "template_status_update.json",
        rows=(
            Row(
                Disposition.IGNORE,
                fields={"ignore_reason": "field message_template_status_update"},
            ),
        ),
    ),
    PayloadCase("truncated_body.json", rows=(BAD,), covers=frozenset({Negative.MALFORMED})),
    PayloadCase(
        "text_signed_in_tests.json",
        status=403,
        rows=(),
        auth="wrong",
        covers=frozenset({Negative.BAD_AUTH}),
    ),
    PayloadCase("text_signed_in_tests.json", status=401, rows=(), auth="none"),
    PayloadCase("text_over_20kb.json", status=413, rows=()),
    # Twilio's WhatsApp: the same tel: identity, channel whatsapp.
    PayloadCase(
        "twilio_text.form",
        rows=(
            Row(
                fields={
                    "identities": (SARI,),
                    "display_name": "Sari Wulandari",
                    "text": "Trotoar rusak di Jl. Wijaya",
                },
                raw={"channel": "whatsapp", "external_id": "SM2a0e0b3f7c9d4e5f6a7b8c9d0e1f2a3b"},
            ),
        ),
        answer={"content_type": "text/xml"},
    ),
    PayloadCase(
        "twilio_location.form",
        rows=(Row(fields={"location.lat": -6.2891, "location.address": Contains("Halte")}),),
    ),
    PayloadCase(
        "twilio_status_read.form",
        rows=(Row(Disposition.RECEIPT, fields={"receipt.status": "read"}),),
    ),
    PayloadCase("twilio_text.form", status=403, rows=(), auth="wrong", name="twilio-wrong"),
]
