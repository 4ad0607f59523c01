"""A real Kannel (bearerbox + smsbox) posting mobile-originated SMS to aduan under uvicorn.

The fake SMSC injects a plain SMS, an Indonesian SMS with emoji (UCS-2) and a
long message through the post-url service; each must land in
``raw_messages`` once, and ``read`` must give the sender as ``tel:+62...``
and the text exactly as sent.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import select

from aduan.core.messages import RawMessage
from aduan.runtime import Runtime
from aduan.runtime.loader import load_settings
from aduan.store.models import raw_messages
from tests.channels.sms.live import FakeSmsc, kannel, kannel_installed, serve_aduan
from tests.conftest import free_port
from tests.helpers.databases import skip_or_fail

pytestmark = pytest.mark.integration
KEY = "kannel-integration-key"
LONG = (
    "Selamat siang, saya warga RT 03 RW 07 Kelurahan Cipete Utara. Sudah dua minggu "
    "sampah di TPS Jl. Haji Nawi tidak diangkut, baunya sampai ke rumah warga dan banyak "
    "lalat. Anak-anak jadi sering sakit perut. Mohon Dinas Lingkungan Hidup segera "
    "mengirim truk pengangkut dan menjadwalkan pengangkutan rutin. Terima kasih."
)
MESSAGES = {
    "+6281200012361": "Lampu jalan mati di Jl. Wijaya II",
    "+6281200012362": "Got mampet di Gg. Haji Naim 😡🙏 — tolong segera diperbaiki",
    "081200012363": LONG,
}


def stored(runtime: Runtime) -> list[RawMessage]:
    t = raw_messages.c
    columns = (t.channel, t.account, t.external_id, t.payload, t.content_type, t.received_at)
    with runtime.engine.connect() as conn:
        rows = conn.execute(select(*columns, t.meta).order_by(t.id)).all()
    return [RawMessage(*r[:3], bytes(r[3]), r[4], received_at=r[5], meta=r[6]) for r in rows]


def test_kannel_delivers_to_aduan(store_url: str, tmp_path: Path) -> None:
    if not kannel_installed():
        skip_or_fail("Kannel is not installed (apt-get install kannel)")
    port = free_port()
    settings = load_settings(
        env={
            "ADUAN_DATABASE_URL": store_url,
            "ADUAN_DATA_DIR": str(tmp_path / "data"),
            "ADUAN_SERVER__PORT": str(port),
            "ADUAN_CHANNELS__SMS__KANNEL__GATEWAY": "kannel",
            "ADUAN_CHANNELS__SMS__KANNEL__URL_SECRET": KEY,
            "ADUAN_CHANNELS__SMS__KANNEL__PARAMS": '{"unixtime": "ts"}',
        }
    )
    webhook = f"http://127.0.0.1:{port}/webhooks/sms/kannel"
    with serve_aduan(settings) as runtime, kannel(tmp_path / "kannel", webhook, KEY) as gw:
        smsc = FakeSmsc(gw.smsc_port)
        try:
            for sender, text in MESSAGES.items():
                smsc.send(sender, "1500", text)
            deadline = time.monotonic() + 20
            while len(stored(runtime)) < len(MESSAGES) and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            smsc.close()
        raws = stored(runtime)
        channel = runtime.channels[("sms", "kannel")]
        got = {}
        for raw in raws:
            message = channel.read(raw)
            got[message.identities[0]] = (message.text, raw.meta.get("method"))
    assert len(raws) == len(MESSAGES), (gw.workdir / "smsbox.log").read_text()[-2000:]
    assert len({raw.external_id for raw in raws}) == len(raws)
    assert got == {
        "tel:+6281200012361": (MESSAGES["+6281200012361"], "POST"),
        "tel:+6281200012362": (MESSAGES["+6281200012362"], "POST"),
        "tel:+6281200012363": (LONG, "POST"),
    }


def test_kannel_retries_until_aduan_is_up(tmp_path: Path) -> None:
    """An SMS that arrives while aduan is down is delivered once aduan is up (same %I)."""
    if not kannel_installed():
        skip_or_fail("Kannel is not installed (apt-get install kannel)")
    port = free_port()
    settings = load_settings(
        env={
            "ADUAN_DATABASE_URL": f"sqlite:///{tmp_path / 'aduan.db'}",
            "ADUAN_DATA_DIR": str(tmp_path / "data"),
            "ADUAN_SERVER__PORT": str(port),
            "ADUAN_CHANNELS__SMS__KANNEL__GATEWAY": "kannel",
            "ADUAN_CHANNELS__SMS__KANNEL__URL_SECRET": KEY,
        }
    )
    webhook = f"http://127.0.0.1:{port}/webhooks/sms/kannel"
    with kannel(tmp_path / "kannel", webhook, KEY) as gw:
        smsc = FakeSmsc(gw.smsc_port)
        try:
            smsc.send("+6281200012365", "1500", "Pohon tumbang di Jl. Ampera Raya")
            time.sleep(1.5)  # smsbox tries, fails (connection refused), queues a retry
            with serve_aduan(settings) as runtime:
                deadline = time.monotonic() + 20
                while not stored(runtime) and time.monotonic() < deadline:
                    time.sleep(0.1)
                time.sleep(0.5)
                raws = stored(runtime)
                texts = [runtime.channels[("sms", "kannel")].read(raw).text for raw in raws]
        finally:
            smsc.close()
    assert texts == ["Pohon tumbang di Jl. Ampera Raya"]
