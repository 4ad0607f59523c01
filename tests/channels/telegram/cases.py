"""The ``telegram`` payload table: Bot API updates POSTed to ``/webhooks/telegram/<instance>``.

The app is the real Starlette app (secret check, body limit, group commit);
what was stored is then read back through the channel's pure ``read``.
"""

from __future__ import annotations

from pathlib import Path

from aduan.core.messages import Disposition
from tests.channels.payloads import BAD, Contains, Delivery, Negative, PayloadCase, PushHarness, Row

TOKEN = "123456:AAH-webhook-token-for-tests_98765"
SECRET = "s3cret-Telegram_token"
URL = "/webhooks/telegram/kota"


def env(data_dir: Path) -> dict[str, str]:
    prefix = "ADUAN_CHANNELS__TELEGRAM__KOTA__"
    return {
        prefix + "MODE": "webhook",
        prefix + "TOKEN": TOKEN,
        prefix + "WEBHOOK_SECRET": SECRET,
        prefix + "MAX_BODY_BYTES": "20000",
    }


def deliver(case: PayloadCase, body: bytes) -> Delivery:
    headers = {"Content-Type": "application/json", **case.headers}
    if case.auth != "none":
        secret = SECRET if case.auth == "good" else "wrong-token"
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return Delivery("POST", URL, headers, body)


HARNESS = PushHarness("telegram", env, deliver, instance=lambda case: "kota")
IGNORED = (Row(Disposition.IGNORE),)


def text(part: str, **fields: object) -> tuple[Row, ...]:
    return (Row(fields={"text": Contains(part), **fields}),)


CASES = [
    PayloadCase(
        "update_message_drain.json",
        rows=text("Saluran air", identities=("telegram:3527065",)),
    ),
    PayloadCase(
        "update_message_street_light.json",
        deliveries=2,
        rows=text("Lampu jalan mati"),
        covers=frozenset({Negative.REPLAY}),
    ),
    PayloadCase(
        "update_photo.json",
        rows=text(
            "Jalan berlubang",
            **{"attachments.0.url": "telegram-file:AgAD-big", "attachments.1": None},
        ),
    ),
    PayloadCase(
        "update_location.json",
        rows=(Row(fields={"location.lat": -6.2615, "location.lon": 106.8106}),),
    ),
    PayloadCase(
        "update_contact.json",
        rows=(Row(fields={"linked_identities": ("tel:+6281200012345",)}),),
    ),
    PayloadCase(
        "update_command_start.json",
        rows=IGNORED,
        answer={"json": {"method": "sendMessage", "chat_id": 3527065}},
    ),
    PayloadCase(
        "update_edited_message.json",
        rows=(
            Row(
                Disposition.EDIT,
                fields={"edit_of": "3527065:11"},
                raw={"external_id": "3527065:11:edit:1764400300"},
            ),
        ),
    ),
    PayloadCase("update_channel_post.json", rows=IGNORED),
    PayloadCase("update_message_without_sender.json", rows=(BAD,)),
    PayloadCase("update_message_reaction.json", rows=IGNORED),
    PayloadCase("truncated_update.json", rows=(BAD,), covers=frozenset({Negative.MALFORMED})),
    PayloadCase(
        "update_for_secret_tests.json",
        status=401,
        rows=(),
        auth="wrong",
        covers=frozenset({Negative.BAD_AUTH}),
    ),
    PayloadCase("update_for_secret_tests.json", status=401, rows=(), auth="none"),
    PayloadCase("update_over_20kb.json", status=413, rows=()),
]
