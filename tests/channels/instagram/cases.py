"""The ``instagram`` payload table: signed webhook bodies POSTed to the real app.

Fixture sources: the shapes of courier's Meta test data (``nyaruka/courier``
``handlers/meta/testdata/ig/``: attachment, story_mention, echo, unsent_msg,
like_heart; read with the search tool, corpus code) and of Meta's Instagram
webhook examples and reference (developers.facebook.com, Instagram Platform
"Webhook Notification Examples" and the Graph API webhooks reference for the
``comments`` field; corpus docs), with our own ids and Indonesian texts.
"""

from __future__ import annotations

from pathlib import Path

from aduan.core.messages import Disposition
from tests.channels.facebook.cases import signature as meta_signature
from tests.channels.payloads import BAD, Contains, Delivery, Negative, PayloadCase, PushHarness, Row

APP_SECRET = "ig-app-secret-for-tests"
VERIFY = "verify-me-ig-jaksel"
ACCOUNT = "17841400000000001"
URL = "/webhooks/instagram/pemkot"
MID = "mid:aWdfZAG1faXRlbTpJR01lc3NhZA0"
CDN = "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id="


def signature(body: bytes, secret: str = APP_SECRET) -> str:
    """Meta's ``X-Hub-Signature-256``, as the page channel's tests make it."""
    return meta_signature(body, secret)


def env(data_dir: Path) -> dict[str, str]:
    names = {"ACCOUNT_ID": ACCOUNT, "APP_SECRET": APP_SECRET, "VERIFY_TOKEN": VERIFY}
    names["MAX_BODY_BYTES"] = "20000"
    return {f"ADUAN_CHANNELS__INSTAGRAM__PEMKOT__{k}": v for k, v in names.items()}


def deliver(case: PayloadCase, body: bytes) -> Delivery:
    headers = {"Content-Type": "application/json", **case.headers}
    if case.auth != "none":
        headers["X-Hub-Signature-256"] = signature(
            body, APP_SECRET if case.auth == "good" else "not-the-app-secret"
        )
    return Delivery("POST", URL, headers, body)


HARNESS = PushHarness("instagram", env, deliver, instance=lambda case: "pemkot")
IGNORE = Disposition.IGNORE
CASES = [
    PayloadCase(
        "message_text.json",
        deliveries=2,
        answer={"body": "OK"},
        rows=(
            Row(
                fields={
                    "identities": ("instagram:6200000000000001",),
                    "text": Contains("Lampu jalan mati"),
                    "ref": MID + "01",
                    "extra.kind": "message",
                },
                raw={"external_id": MID + "01"},
            ),
        ),
        covers=frozenset({Negative.REPLAY}),
    ),
    PayloadCase(
        "message_image.json",
        rows=(
            Row(
                fields={
                    "text": "",
                    "attachments.0.url": CDN + "1800&signature=abc",
                    "attachments.0.content_type": "image/jpeg",
                }
            ),
        ),
    ),
    PayloadCase(
        "message_video_and_text.json",
        rows=(
            Row(
                fields={
                    "text": "Banjir setinggi lutut di Kemang",
                    "attachments.0.content_type": "video/mp4",
                    "attachments.1.content_type": "audio/mp4",
                }
            ),
        ),
    ),
    PayloadCase(
        "story_mention.json",
        rows=(Row(fields={"extra.kind": "story_mention", "attachments.0.url": Contains("1803")}),),
    ),
    PayloadCase(
        "story_reply.json",
        rows=(
            Row(
                fields={
                    "extra.kind": "story_reply",
                    "extra.story.id": "17900000000000001",
                    "identities": ("instagram:6200000000000003",),
                }
            ),
        ),
    ),
    PayloadCase("message_reply_to_message.json", rows=(Row(fields={"refs": (MID + "01",)}),)),
    PayloadCase("echo.json", rows=(Row(IGNORE, fields={"extra.kind": "echo"}),)),
    PayloadCase(
        "unsent.json",
        rows=(
            Row(
                IGNORE,
                fields={"ignore_reason": Contains("unsent")},
                raw={"external_id": MID + "01:deleted"},
            ),
        ),
    ),
    PayloadCase("like_heart.json", rows=(Row(IGNORE),)),
    PayloadCase(
        "message_edit.json",
        rows=(
            Row(
                Disposition.EDIT,
                fields={"edit_of": MID + "01", "text": Contains("No. 10")},
                raw={"external_id": MID + "01:edit:1"},
            ),
        ),
    ),
    PayloadCase("reaction.json", rows=(Row(IGNORE, raw={"external_id": Contains("sha256:")}),)),
    PayloadCase("read.json", rows=(Row(IGNORE),)),
    PayloadCase(
        "other_account.json",
        rows=(Row(IGNORE, fields={"ignore_reason": Contains("another Instagram account")}),),
    ),
    PayloadCase(
        "comment.json",
        rows=(
            Row(
                fields={
                    "identities": ("instagram:6200000000000002",),
                    "display_name": "warga.kemang",
                    "ref": "comment:17900000000000101",
                    "extra.thread": "instagram:media:18000000000000001",
                },
                raw={"external_id": "comment:17900000000000101"},
            ),
        ),
    ),
    PayloadCase(
        "comment_reply.json",
        rows=(
            Row(
                fields={
                    "refs": ("comment:17900000000000101",),
                    "extra.thread": "instagram:media:18000000000000001",
                    "display_name": "budi_jaksel",
                }
            ),
        ),
    ),
    PayloadCase("comment_by_account.json", rows=(Row(IGNORE),)),
    PayloadCase("live_comment.json", rows=(Row(fields={"extra.media_product_type": "LIVE"}),)),
    PayloadCase(
        "mention.json",
        rows=(
            Row(
                IGNORE,
                fields={"extra.comment_id": "17900000000000201"},
                raw={"external_id": "mention:17900000000000201"},
            ),
        ),
    ),
    PayloadCase("two_entries_batched.json", rows=(Row(), Row())),
    PayloadCase("message_without_sender.json", rows=(BAD,)),
    PayloadCase("comment_without_from.json", rows=(BAD,)),
    PayloadCase("truncated_body.json", rows=(BAD,), covers=frozenset({Negative.MALFORMED})),
    PayloadCase(
        "message_signed_in_tests.json",
        status=403,
        rows=(),
        auth="wrong",
        covers=frozenset({Negative.BAD_AUTH}),
    ),
    PayloadCase("message_signed_in_tests.json", status=401, rows=(), auth="none"),
]
