"""A real Kannel sending aduan's SMS: sendsms to the fake SMSC, delivery reports back.

One Kannel (bearerbox + smsbox, fake SMSC) and one aduan under uvicorn serve
the whole module. The channel's ``send`` goes through smsbox's ``sendsms``; the
fake SMSC must receive the right number and text (7-bit, and UCS-2 with emoji
and Indonesian punctuation), and the delivery reports Kannel then calls the
``dlr-url`` with (type 8, the SMSC took it; type 1, delivered) must be stored
raw and read as RECEIPTs naming the id ``send`` returned.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote_to_bytes

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from aduan.channels.replies import Outbound, SendFailed
from aduan.channels.sms import SmsChannel
from aduan.core.clock import utcnow
from aduan.core.messages import Disposition, Message, RawMessage
from aduan.runtime import Runtime
from aduan.store.models import raw_messages
from tests.channels.sms.live import FakeSmsc, kannel_and_aduan

pytestmark = pytest.mark.integration
Line = tuple[str, str, str, str]
KEY = "kannel-send-key-77"
GSM = "Laporan Anda diterima, nomor ADU-2026-00042. Cek: aduan.example.org/lacak"
UCS2 = "Terima kasih 🙏 laporan “lampu mati” diterima — nomor ADU-2026-00043"  # 68 UCS-2 units
UCS2_LONG = "Terima kasih 🙏 laporan “lampu jalan mati” sudah kami terima — nomor ADU-2026-00043"
LONG = (
    "Laporan ADU-2026-00044 sudah diteruskan ke Dinas Bina Marga Kota Administrasi "
    "Jakarta Selatan. Petugas akan memeriksa lokasi paling lambat tiga hari kerja. "
    "Balas BERHENTI untuk tidak menerima pesan lagi."
)


@dataclass
class Rig:
    runtime: Runtime
    channel: SmsChannel
    smsc: FakeSmsc
    workdir: Path
    inbox: dict[str, list[tuple[str, str, str, str]]] = field(default_factory=dict)

    def lines_for(self, receiver: str, count: int, seconds: float = 10.0) -> list[Line]:
        """The fake SMSC's lines for ``receiver`` once ``count`` are in (others kept aside)."""
        deadline = time.monotonic() + seconds
        while len(self.inbox.get(receiver, [])) < count and time.monotonic() < deadline:
            for line in self.smsc.receive(1, seconds=max(0.05, deadline - time.monotonic())):
                self.inbox.setdefault(line[1], []).append(line)
        return self.inbox.get(receiver, [])


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    folder = tmp_path_factory.mktemp("kannel-send")
    with kannel_and_aduan(folder, KEY) as (runtime, smsc, gateway):
        channel = runtime.channels[("sms", "kannel")]
        assert isinstance(channel, SmsChannel)
        yield Rig(runtime, channel, smsc, gateway.workdir)


def mt_text(kind: str, data: str) -> str:
    """The text of a single fake-SMSC line: ``text`` as is; ``ucs-2`` URL-encoded UTF-16BE."""
    if kind == "text":
        return data
    assert kind == "ucs-2", kind
    return unquote_to_bytes(data.replace("+", "%20")).decode("utf-16-be")


def joined(lines: list[Line], charset: str) -> str:
    """The text of a concatenated SMS: ``udh <UDH> data <bytes>`` lines, by part number."""
    parts = {}
    for _sender, _receiver, kind, data in lines:
        assert kind == "udh", kind
        udh, label, payload = data.split(" ", 2)
        assert label == "data", label
        header = unquote_to_bytes(udh)
        parts[header[-1]] = unquote_to_bytes(payload.replace("+", "%20"))
        assert header[-2] == len(lines), header
    return b"".join(parts[i] for i in sorted(parts)).decode(charset)


def reports(rig: Rig, ref: str, count: int, seconds: float = 10.0) -> list[Message]:
    """The delivery reports stored for ``ref``, read, once ``count`` of them are in."""
    t = raw_messages.c
    deadline = time.monotonic() + seconds
    while True:
        with rig.runtime.engine.connect() as conn:
            rows = conn.execute(
                select(t.channel, t.account, t.external_id, t.payload, t.content_type, t.meta)
                .where(t.external_id.like(f"dlr:{ref}:%"))
                .order_by(t.id)
            ).all()
        if len(rows) >= count or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    raws = [
        RawMessage(c, a, e, bytes(p), ct, received_at=utcnow(), meta=m)
        for c, a, e, p, ct, m in rows
    ]
    return [rig.channel.read(raw) for raw in raws]


def test_a_7bit_sms_reaches_the_smsc_and_its_reports_come_back(rig: Rig) -> None:
    sent = rig.channel.send(Outbound(key="c42:received", recipient="tel:+6281200012345", text=GSM))
    (line,) = rig.lines_for("+6281200012345", 1)
    assert line[:3] == ("1500", "+6281200012345", "text")
    assert mt_text(line[2], line[3]) == GSM
    assert sent.provider_id
    got = reports(rig, sent.provider_id, 2)
    log = (rig.workdir / "smsbox.log").read_text()[-2000:]
    assert [m.disposition for m in got] == [Disposition.RECEIPT] * 2, log
    assert {m.receipt.status for m in got if m.receipt} == {"sent", "delivered"}
    assert {m.receipt.provider_id for m in got if m.receipt} == {sent.provider_id}


def test_a_ucs2_sms_keeps_emoji_and_indonesian_punctuation(rig: Rig) -> None:
    sent = rig.channel.send(Outbound(key="c43:received", recipient="tel:+6281200012346", text=UCS2))
    (line,) = rig.lines_for("+6281200012346", 1)
    assert line[:3] == ("1500", "+6281200012346", "ucs-2")
    assert mt_text(line[2], line[3]) == UCS2
    assert {m.receipt.status for m in reports(rig, str(sent.provider_id), 2) if m.receipt} == {
        "sent",
        "delivered",
    }


def test_a_long_sms_goes_as_concatenated_parts(rig: Rig) -> None:
    rig.channel.send(Outbound(key="c44:triaged", recipient="tel:+6281200012347", text=LONG))
    lines = rig.lines_for("+6281200012347", 2)
    assert len(lines) == 2 and all(line[0] == "1500" for line in lines), lines
    assert joined(lines, "ascii") == LONG


def test_a_long_ucs2_sms_is_joined_back_exactly(rig: Rig) -> None:
    rig.channel.send(Outbound(key="c46:triaged", recipient="tel:+6281200012349", text=UCS2_LONG))
    lines = rig.lines_for("+6281200012349", 2)
    assert len(lines) == 2, lines
    assert joined(lines, "utf-16-be") == UCS2_LONG


def test_a_wrong_password_is_a_permanent_refusal(rig: Rig) -> None:
    config = rig.channel.config.model_copy(update={"sendsms_password": SecretStr("nope")})
    wrong = SmsChannel("kannel", config, rig.channel.context)
    try:
        with pytest.raises(SendFailed) as caught:
            wrong.send(Outbound(key="c45:received", recipient="tel:+6281200012348", text=GSM))
    finally:
        wrong.close()
    assert not caught.value.transient
    assert caught.value.reason == "kannel: HTTP 403: Authorization failed for sendsms"
    assert rig.lines_for("+6281200012348", 1, seconds=0.5) == []
