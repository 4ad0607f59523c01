"""Walkin beyond the payload table (cases.py): verify, unreadable rows, the CSV backlog."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, select

from aduan.channels.base import ChannelContext, WebhookRequest
from aduan.channels.walkin import WalkinChannel, WalkinConfig, WalkinEntry
from aduan.core.errors import BadPayload, BadRequest, Forbidden, Unauthorized
from aduan.core.identity import nik_identity
from aduan.core.messages import RawMessage
from aduan.store.models import raw_messages
from tests.helpers.cli import aduan

FIXTURES = Path(__file__).parent.parent / "fixtures" / "walkin"
KEY = b"test-nik-key"


def channel(token: str | None = "t0ken") -> WalkinChannel:
    config = WalkinConfig(intake_token=SecretStr(token) if token else None)
    return WalkinChannel("desk", config, ChannelContext(Path("."), nik_key=lambda: KEY))


def push(body: bytes, auth: str | None = "Bearer t0ken") -> WebhookRequest:
    headers = {"authorization": auth} if auth else {}
    return WebhookRequest("POST", "http://x/webhooks/walkin/desk", "", (), headers, body)


def raw_of(name: str) -> RawMessage:
    body = (FIXTURES / name).read_bytes()
    return RawMessage("walkin", "desk", name, body, "application/json", datetime.now(UTC))


def test_an_entry_over_http_cannot_claim_a_reference() -> None:
    with pytest.raises(BadRequest, match="reference"):
        channel().parse(push((FIXTURES / "entry_full_with_photo.json").read_bytes()))


def test_good_entry_reads_into_a_message() -> None:
    entry = json.loads((FIXTURES / "entry_full_with_photo.json").read_bytes())
    reference = entry.pop("reference")
    (raw,) = channel().parse(push(json.dumps(entry).encode()))
    assert raw.external_id == "desk:6a1c8a57-2f0e-4c53-9d57-1f6b8d0a0001"
    assert raw.meta == {}
    raw = channel().raw(WalkinEntry.model_validate({**entry, "reference": reference}))
    assert raw.meta == {"reference": "ADU-2026-000123"}
    assert raw.received_at == datetime(2026, 3, 2, 2, 15, tzinfo=UTC)
    message = channel().read(raw)
    assert message.identities == (
        "nik:0123456789abcdef0123456789abcdef",
        "tel:+6281200012345",
        "mailto:budi@example.com",
    )
    assert message.display_name == "Budi Santoso"
    assert message.location is not None
    assert message.location.address == "Jl. Kemang Raya No. 10, Kel. Bangka, Kec. Mampang Prapatan"
    assert message.extra["hint"] == "street_lighting" and message.extra["kelurahan"] == "Bangka"
    assert message.subject is None and message.hint == "street_lighting"
    assert message.extra["desk"] == "loket-1" and message.extra["consent"] is True
    assert message.attachments[0].filename == "lampu.png"
    assert message.ref == "ADU-2026-000123"


@pytest.mark.parametrize(
    "fixture", ["entry_blank_text.json", "truncated_entry.json", "entry_with_plain_nik.json"]
)
def test_unreadable_raws_are_bad_payloads(fixture: str) -> None:
    with pytest.raises(BadPayload):
        channel().read(raw_of(fixture))


def test_verify_needs_the_token() -> None:
    body = (FIXTURES / "entry_full_with_photo.json").read_bytes()
    channel().verify(push(body))
    with pytest.raises(Unauthorized):
        channel().verify(push(body, auth=None))
    with pytest.raises(Forbidden):
        channel().verify(push(body, auth="Bearer wrong"))
    with pytest.raises(Forbidden):
        channel(token=None).verify(push(body))


def test_describe_hides_the_token() -> None:
    assert "t0ken" not in channel().describe()


def test_csv_backlog_hashes_nik_and_keys_rows() -> None:
    raws = list(channel().backlog(FIXTURES / "backlog.csv"))
    assert [r.external_id for r in raws] == ["csv:101", "csv:102", "csv:103", "csv:104"]
    for raw in raws:
        assert b"3174054506900002" not in raw.payload
    first = channel().read(raws[0])
    assert first.identities[0] == nik_identity("3174054506900002", KEY)
    assert first.sent_at == datetime(2026, 2, 27, 2, 15, tzinfo=UTC)
    assert first.extra["kecamatan"] == "Pasar Minggu"
    third = json.loads(raws[2].payload)
    assert "nik_invalid" in third["flags"] and "nik_identity" not in third["reporter"]
    with pytest.raises(BadPayload):
        channel().read(raws[3])
    assert [r.payload for r in channel().backlog(FIXTURES / "backlog.csv")] == [
        r.payload for r in raws
    ]


def test_aduan_import_of_the_csv(engine: Engine, tmp_path: Path, store_url: str) -> None:
    args = ("import", "--channel", "walkin", str(FIXTURES / "backlog.csv"))
    first = aduan(*args, url=store_url, cwd=tmp_path)
    assert first.returncode == 1, first.stderr
    assert "4 new, 0 already present, 1 quarantined" in first.stdout
    second = aduan(*args, url=store_url, cwd=tmp_path)
    assert "0 new, 4 already present, 0 quarantined" in second.stdout
    with engine.connect() as conn:
        statuses = dict(
            conn.execute(select(raw_messages.c.external_id, raw_messages.c.status)).all()
        )
        payloads = conn.execute(select(raw_messages.c.payload)).scalars().all()
    assert statuses["csv:104"] == "quarantined"
    assert all(b"3174054506900002" not in bytes(p) for p in payloads)
    first_row = json.loads(next(bytes(p) for p in payloads if b"csv:101" in bytes(p)))
    assert first_row["reporter"]["nik_identity"].startswith("nik:")


def test_import_maps_a_spreadsheets_own_columns(
    engine: Engine, tmp_path: Path, store_url: str
) -> None:
    sheet = tmp_path / "rekap.csv"
    sheet.write_text(
        "No,Nama Pelapor,No HP,Keluhan\n"
        "7,Wati Suryani,0812-0001-1199,Lampu PJU di Jl. Kemang Raya mati sejak Senin.\n"
    )
    mapped = (
        "import", "--channel", "walkin", str(sheet), "--column", "nomor=No",
        "--column", "nama=Nama Pelapor", "--column", "telepon=No HP",
        "--column", "isi_aduan=Keluhan",
    )  # fmt: skip
    done = aduan(*mapped, url=store_url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "1 new, 0 already present, 0 quarantined" in done.stdout
    with engine.connect() as conn:
        (payload,) = conn.execute(select(raw_messages.c.payload)).scalars().all()
    entry = json.loads(bytes(payload))
    assert entry["text"].startswith("Lampu PJU") and entry["reporter"]["phone"] == "0812-0001-1199"
    unmapped = aduan("import", "--channel", "walkin", str(sheet), url=store_url, cwd=tmp_path)
    assert unmapped.returncode == 1 and "isi_aduan" in unmapped.stderr
    bad = aduan(*mapped[:4], "--column", "isi_aduan", url=store_url, cwd=tmp_path)
    assert bad.returncode == 2


def test_an_old_systems_decisions_come_in_as_labels(tmp_path: Path) -> None:
    """``aduan import --column category=Bidang --column agency=Dinas``: training labels."""
    export = tmp_path / "lama.csv"
    export.write_text(
        "No,Keluhan,Bidang,Dinas,petugas\n"
        "1,Lampu jalan mati di gang buntu,street_lighting,dinas_bina_marga,Petugas A\n"
        "2,Sampah belum diangkut,,,\n",
        encoding="utf-8",
    )
    columns = {"nomor": "No", "isi_aduan": "Keluhan", "category": "Bidang", "agency": "Dinas"}
    first, second = (channel().read(raw) for raw in channel().backlog(export, columns))
    assert first.extra["label"] == {
        "category": "street_lighting",
        "agency": "dinas_bina_marga",
        "by": "Petugas A",
    }
    assert "label" not in second.extra
