"""The whole way of an SMS and its answers, through a real Kannel and aduan under uvicorn.

The fake SMSC sends a citizen's SMS; Kannel posts it to aduan's webhook (raw
stored); the normalizer makes the complaint and queues its ``received``
message; the outbox job sends it through Kannel's ``sendsms``; the fake SMSC
receives it, the complaint's reference in it; Kannel's delivery reports come
back to the webhook and, normalized, make the row ``delivered``. A clerk's
status change then reaches the same phone once, and only it. One Kannel and
one aduan serve the module.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

import pytest
from sqlalchemy import func, select

from aduan.daemon.normalize_job import normalize_pending, runtime_normalizer
from aduan.daemon.outbox_job import OutboxJob
from aduan.replies.events import change_status
from aduan.runtime import Runtime
from aduan.store import outbox as ob
from aduan.store.models import complaints, raw_messages
from tests.channels.sms.live import FakeSmsc, kannel_and_aduan
from tests.channels.sms.test_kannel_send_real import mt_text

pytestmark = pytest.mark.integration
KEY = "kannel-e2e-key-31"
SHORT_CODE = "1500"
CITIZEN = "+6281200077001"


@dataclass
class Rig:
    runtime: Runtime
    smsc: FakeSmsc
    job: OutboxJob

    def normalize(self) -> None:
        normalize_pending(self.runtime.engine, runtime_normalizer(self.runtime))

    def send_due(self) -> int:
        return self.job(self.runtime, lambda: False)


def wait_for(check: Callable[[], bool], seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    folder = tmp_path_factory.mktemp("sms-e2e")
    quiet = {"ADUAN_REPLIES__SMS__QUIET_HOURS": ""}  # any hour: the test runs when it runs
    with kannel_and_aduan(folder, KEY, **quiet) as (runtime, smsc, _gateway):
        yield Rig(runtime, smsc, OutboxJob())


def raw_count(rig: Rig, like: str = "%") -> int:
    with rig.runtime.engine.connect() as conn:
        query = select(func.count()).where(raw_messages.c.external_id.like(like))
        return int(conn.execute(query.select_from(raw_messages)).scalar_one())


def texts_to(smsc: FakeSmsc, phone: str, count: int, seconds: float = 10.0) -> list[str]:
    """The next ``count`` whole messages the fake SMSC receives, all for ``phone``;
    a concatenated SMS (``udh`` lines: reference, parts, part number) joined back."""
    texts: list[str] = []
    parts: dict[int, dict[int, bytes]] = {}
    deadline = time.monotonic() + seconds
    while len(texts) < count and time.monotonic() < deadline:
        for line in smsc.receive(1, max(0.05, deadline - time.monotonic())):
            assert line[:2] == (SHORT_CODE, phone), line
            kind, data = line[2:]
            if kind != "udh":
                texts.append(mt_text(kind, data))
                continue
            udh, _label, payload = data.split(" ", 2)
            header = unquote_to_bytes(udh)
            got = parts.setdefault(header[-3], {})
            got[header[-1]] = unquote_to_bytes(payload.replace("+", "%20"))
            if len(got) == header[-2]:
                whole = b"".join(got[i] for i in sorted(got))
                texts.append(whole.decode("ascii" if whole.isascii() else "utf-16-be"))
    return texts


def test_an_sms_in_is_acknowledged_by_sms_and_its_delivery_recorded(rig: Rig) -> None:
    rig.smsc.send(CITIZEN, SHORT_CODE, "Lampu jalan mati di Jl. Wijaya II depan masjid")
    assert wait_for(lambda: raw_count(rig) == 1)
    rig.normalize()
    with rig.runtime.engine.connect() as conn:
        (reference,) = conn.execute(select(complaints.c.reference)).scalars().all()
    (queued,) = [r for r in ob.list_rows(rig.runtime.engine) if r.event == "received"]
    assert (queued.channel, queued.recipient, queued.status) == (
        "sms/kannel",
        f"tel:{CITIZEN}",
        "queued",
    )

    sent = rig.send_due()
    assert sent == len(ob.list_rows(rig.runtime.engine))  # received (and triaged, if routed)
    texts = texts_to(rig.smsc, CITIZEN, sent)
    assert any(reference in text for text in texts), texts
    assert rig.send_due() == 0  # nothing twice

    row = ob.get_row(rig.runtime.engine, queued.id)
    assert row is not None and row.provider_message_id
    ref = row.provider_message_id

    def delivered() -> bool:
        rig.normalize()
        got = ob.get_row(rig.runtime.engine, queued.id)
        return got is not None and got.status == "delivered"

    assert wait_for(delivered), ob.get_row(rig.runtime.engine, queued.id)
    assert raw_count(rig, f"dlr:{ref}:%") >= 1
    with rig.runtime.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(complaints)).scalar_one() == 1


def test_a_status_change_reaches_the_first_contact_once(rig: Rig) -> None:
    with rig.runtime.engine.connect() as conn:
        reference = conn.execute(select(complaints.c.reference)).scalars().first()
    if reference is None:
        pytest.skip("needs the complaint of the test before")
    before = len(ob.list_rows(rig.runtime.engine))
    change_status(rig.runtime.engine, reference, "in_progress", actor="petugas")
    change_status(
        rig.runtime.engine, reference, "resolved", actor="petugas", note="Lampu sudah diganti."
    )
    rows = ob.list_rows(rig.runtime.engine)
    assert len(rows) == before + 2
    assert {(r.channel, r.recipient) for r in rows[:2]} == {("sms/kannel", f"tel:{CITIZEN}")}

    assert rig.send_due() == 2
    texts = texts_to(rig.smsc, CITIZEN, 2)
    assert len(texts) == 2 and all(reference in text for text in texts), texts
    assert any("Lampu sudah diganti" in text for text in texts), texts
    assert rig.send_due() == 0
    assert rig.smsc.receive(1, seconds=0.5) == []  # no third message, no other phone
