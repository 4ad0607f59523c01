"""The ``facebook`` payload table: page webhook bodies, signed (or not), POSTed to the real app."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from aduan.core.messages import Disposition
from tests.channels.payloads import BAD, Delivery, Negative, PayloadCase, PushHarness, Row

APP_SECRET = "fb-app-secret-for-tests"
VERIFY = "verify-me-jaksel"
PAGE = "104000000000001"
URL = "/webhooks/facebook/halaman"


def signature(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def env(data_dir: Path) -> dict[str, str]:
    prefix = "ADUAN_CHANNELS__FACEBOOK__HALAMAN__"
    return {
        prefix + "PAGE_ID": PAGE,
        prefix + "APP_SECRET": APP_SECRET,
        prefix + "VERIFY_TOKEN": VERIFY,
        prefix + "MAX_BODY_BYTES": "20000",
    }


def deliver(case: PayloadCase, body: bytes) -> Delivery:
    headers = {"Content-Type": "application/json", **case.headers}
    if case.auth != "none":
        secret = APP_SECRET if case.auth == "good" else "not-the-app-secret"
        headers["X-Hub-Signature-256"] = signature(body, secret)
    return Delivery("POST", URL, headers, body)


HARNESS = PushHarness("facebook", env, deliver, instance=lambda case: "halaman")
COMMENT = f"comment:{PAGE}_555_9001"
CASES = [
    PayloadCase(
        "message_with_photo.json",
        rows=(
            Row(
                fields={
                    "identities": ("facebook:6100000000000001",),
                    "attachments.0.url": "https://scontent.example.com/got.jpg",
                    "ref": "mid:m_AbC1",
                },
                raw={"external_id": "mid:m_AbC1"},
            ),
        ),
    ),
    PayloadCase("message_text.json", deliveries=2, covers=frozenset({Negative.REPLAY})),
    PayloadCase(
        "feed_comment.json",
        rows=(
            Row(
                fields={"ref": COMMENT, "display_name": "Budi Santoso"},
                raw={"external_id": COMMENT},
            ),
        ),
    ),
    PayloadCase("feed_comment_by_page.json", rows=(Row(Disposition.IGNORE),)),
    PayloadCase(
        "feed_comment_edited.json",
        rows=(
            Row(
                Disposition.EDIT,
                fields={"edit_of": COMMENT},
                raw={"external_id": f"{COMMENT}:edit:1764400900"},
            ),
        ),
    ),
    PayloadCase("two_entries_batched.json", rows=(Row(), Row())),
    PayloadCase("message_without_sender.json", rows=(BAD,)),
    PayloadCase("feed_reaction.json", rows=(Row(Disposition.IGNORE),)),
    PayloadCase("message_reads.json", rows=(Row(Disposition.IGNORE),)),
    PayloadCase("truncated_body.json", rows=(BAD,), covers=frozenset({Negative.MALFORMED})),
    PayloadCase(
        "message_signed_in_tests.json",
        status=403,
        rows=(),
        auth="wrong",
        covers=frozenset({Negative.BAD_AUTH}),
    ),
    PayloadCase("message_signed_in_tests.json", status=401, rows=(), auth="none"),
    PayloadCase("message_over_20kb.json", status=413, rows=()),
]
