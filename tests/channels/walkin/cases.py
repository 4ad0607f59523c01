"""The ``walkin`` payload table: desk entries pushed to ``/webhooks/walkin/<instance>``.

Instance ``desk`` takes the intake token; ``loket`` has none (form and CLI only),
so it refuses every push.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.channels.payloads import BAD, Delivery, Negative, PayloadCase, PushHarness, Row

TOKEN = "t0ken"


def env(data_dir: Path) -> dict[str, str]:
    return {
        "ADUAN_CHANNELS__WALKIN__DESK__INTAKE_TOKEN": TOKEN,
        "ADUAN_CHANNELS__WALKIN__LOKET__ENABLED": "true",
    }


def instance(case: PayloadCase) -> str:
    return str(case.options.get("instance", "desk"))


def deliver(case: PayloadCase, body: bytes) -> Delivery:
    headers = {"content-type": "application/json", **case.headers}
    if case.auth != "none":
        headers["authorization"] = "Bearer " + (TOKEN if case.auth == "good" else "wrong")
    return Delivery("POST", f"/webhooks/walkin/{instance(case)}", headers, body)


HARNESS = PushHarness("walkin", env, deliver, instance)
FULL = Row(
    fields={
        "identities": (
            "nik:0123456789abcdef0123456789abcdef",
            "tel:+6281200012345",
            "mailto:budi@example.com",
        ),
        "display_name": "Budi Santoso",
        "location.address": "Jl. Kemang Raya No. 10, Kel. Bangka, Kec. Mampang Prapatan",
        "extra.hint": "street_lighting",
        "extra.kelurahan": "Bangka",
        "subject": None,
        "hint": "street_lighting",
        "extra.desk": "loket-1",
        "extra.consent": True,
        "attachments.0.filename": "lampu.png",
        "ref": None,
    },
    raw={
        "external_id": "desk:6a1c8a57-2f0e-4c53-9d57-1f6b8d0a0001",
        "meta": {},
        "received_at": datetime(2026, 3, 2, 2, 15, tzinfo=UTC),
    },
)
CASES = [
    PayloadCase(
        "kiosk_entry_full_with_photo.json",
        deliveries=2,
        rows=(FULL,),
        covers=frozenset({Negative.REPLAY}),
    ),
    # only the desk, which reserved it for the entry, may store a reference
    PayloadCase("entry_full_with_photo.json", status=400, rows=(), answer={"has": "reference"}),
    PayloadCase(
        "entry_phone_only.json", rows=(Row(fields={"identities": ("tel:+6281200055501",)}),)
    ),
    PayloadCase(
        "entry_phone_not_a_number.json",
        rows=(
            Row(
                fields={
                    "identities": ("tel-raw:nomor tetangga",),
                    "extra.phone_unparsable": True,
                }
            ),
        ),
    ),
    PayloadCase("entry_blank_text.json", rows=(BAD,)),
    PayloadCase("entry_with_plain_nik.json", status=400, rows=(), answer={"has": "never the NIK"}),
    PayloadCase(
        "truncated_entry.json",
        status=400,
        rows=(),
        answer={"has": "not JSON"},
        covers=frozenset({Negative.MALFORMED}),
    ),
    PayloadCase("entry_phone_only.json", status=401, rows=(), auth="none"),
    PayloadCase(
        "entry_phone_only.json",
        status=403,
        rows=(),
        auth="wrong",
        covers=frozenset({Negative.BAD_AUTH}),
    ),
    PayloadCase(
        "entry_phone_only.json",
        status=403,
        rows=(),
        options={"instance": "loket"},
        name="entry_phone_only-no-token-configured",
    ),
]
