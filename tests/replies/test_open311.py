"""A partner's status update through Open311 tells the citizen, like the desk's and the CLI's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from aduan import replies
from aduan.daemon.app import create_app
from aduan.daemon.normalize_job import normalize_pending
from aduan.runtime import Runtime
from aduan.store import save_batch
from tests.normalize.conftest import replay_normalizer
from tests.open311.conftest import JAKI_KEY, partner_settings
from tests.replies.conftest import outbox_rows, raw
from tests.replies.test_events import LAMP, PHONE, _complaint


@pytest.fixture
def api(store_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, Runtime]]:
    runtime = partner_settings(store_url, tmp_path)  # Runtime.create puts its replies in force
    with TestClient(create_app(runtime)) as client:
        yield client, runtime
    runtime.close()
    replies.configure()


def test_a_partner_status_update_is_told_to_the_first_contact(
    api: tuple[TestClient, Runtime],
) -> None:
    client, runtime = api
    save_batch(runtime.engine, [raw("sms-1", LAMP, PHONE)])
    normalize_pending(runtime.engine, replay_normalizer())
    cid, reference = _complaint(runtime.engine, "sms-1")
    done = client.post(
        f"/open311/v2/requests/{reference}/status.json",
        data={"api_key": JAKI_KEY, "status": "resolved", "status_notes": "Lampu diganti"},
    )
    assert done.status_code == 200
    rows = outbox_rows(runtime.engine, cid)
    assert [(r.event.split(":")[0], r.channel, r.recipient) for r in rows] == [
        ("received", "sms/main", PHONE),
        ("status", "sms/main", PHONE),
    ]
    assert "Catatan: Lampu diganti" in rows[-1].text
    assert f"http://127.0.0.1:8080/track/{reference}-" in rows[-1].text  # the runtime's URL
