"""Open311 without a key: the privacy rule's fields only, no enumeration, no 500."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import insert
from starlette.testclient import TestClient

from aduan.runtime import Runtime
from aduan.store.cases import update_status
from aduan.store.models import Reporter
from tests.helpers.complaints import insert_complaint, tracking
from tests.open311.conftest import JAKI_KEY, LAPOR_KEY

Client = tuple[TestClient, Runtime]
PRIVATE = ("Siti Aminah", "Jl. Melati No. 7", "0812-0001-2345", "siti.aminah@example.org",
           "3174051203850001")  # fmt: skip


def test_sequential_references_find_nothing(api: Client) -> None:
    client, runtime = api
    references = [f"ADU-2026-{400001 + i:06d}" for i in range(100)]
    for reference in references:
        insert_complaint(runtime.engine, reference=reference, category="health")
    answers = [client.get(f"/open311/v2/requests/{r}.json") for r in references]
    assert not [a for a in answers if a.status_code == 200]
    assert any(a.status_code == 429 and a.headers.get("retry-after") for a in answers)


def test_search_without_a_key_is_not_every_complaint(api: Client) -> None:
    client, runtime = api
    insert_complaint(runtime.engine, reference="ADU-2026-410001", category="roads")
    insert_complaint(runtime.engine, reference="ADU-2026-410002", category="social_welfare")
    insert_complaint(runtime.engine, reference="ADU-2026-410003", category="health")
    found = client.get("/open311/v2/requests.json").json()
    assert [r["service_request_id"] for r in found] == ["ADU-2026-410001"]


def private_complaint(runtime: Runtime, category: str) -> str:
    with runtime.engine.begin() as conn:
        reporter = conn.execute(
            insert(Reporter.__table__).values(  # type: ignore[attr-defined]
                key="r-test-1", display_name="Siti Aminah", created_at=datetime.now(UTC)
            )
        ).inserted_primary_key[0]
    reference = f"ADU-2026-42{len(category):04d}"
    insert_complaint(
        runtime.engine,
        reference=reference,
        category=category,
        reporter_id=reporter,
        channel="walkin",
        text="Jalan di depan rumah berlubang besar, Siti Aminah sudah lapor ke RT."
        "\n\nTerima kasih,\nSiti Aminah",
        address="Jl. Melati No. 7",
        lat=-6.261512,
        lon=106.810634,
    )
    update_status(
        runtime.engine,
        reference,
        "in_progress",
        actor="petugas",
        note="Hubungi Siti Aminah di 0812-0001-2345 / siti.aminah@example.org, "
        "NIK 3174051203850001",
    )
    return reference


def test_a_stranger_sees_the_rule_fields_masked(api: Client) -> None:
    client, runtime = api
    reference = private_complaint(runtime, "roads")
    (listed,) = client.get("/open311/v2/requests.json").json()
    check(listed)
    (one,) = client.get(f"/open311/v2/requests/{tracking(runtime, reference)}.json").json()
    check(one)


def check(record: dict[str, Any]) -> None:
    """The stranger's view of :func:`private_complaint` in a public category."""
    text = json.dumps(record, ensure_ascii=False)
    for private in PRIVATE:
        assert private not in text
    assert record["address"] is None
    assert record["status"] == "open" and record["service_code"] == "roads"
    assert "<name>" in record["description"] and "<phone>" in record["status_notes"]
    assert record["lat"] == -6.262


def test_a_private_category_shows_no_description(api: Client) -> None:
    client, runtime = api
    reference = private_complaint(runtime, "social_welfare")
    (one,) = client.get(f"/open311/v2/requests/{tracking(runtime, reference)}.json").json()
    assert one["description"] is None and one["lat"] is None and one["address"] is None
    assert one["service_code"] == "social_welfare"


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "9999-12-31T00:00:00Z"},
        {"end_date": "0001-01-01T00:00:00Z"},
        {"start_date": "9999-12-31T23:59:59-23:59"},
        {"start_date": "2026-01-01T00:00:00Z", "end_date": "9999-12-31T00:00:00Z"},
    ],
)
def test_far_dates_are_a_400(api: Client, params: dict[str, str]) -> None:
    client, _ = api
    answer = client.get("/open311/v2/requests.json", params=params)
    assert answer.status_code == 400


def test_partners_see_their_own_requests(api: Client) -> None:
    client, _ = api
    form = {
        "api_key": JAKI_KEY,
        "service_code": "health",
        "description": "Puskesmas tutup, nama saya Budi Santoso, hubungi 081200012345",
        "address_string": "Jl. Mawar 3",
        "first_name": "Budi",
        "last_name": "Santoso",
    }
    (created,) = client.post("/open311/v2/requests.json", data=form).json()
    reference = created["service_request_id"]
    path = f"/open311/v2/requests/{reference}.json"
    (own,) = client.get(path, params={"api_key": JAKI_KEY}).json()
    assert own["description"] and "Budi" not in own["description"]
    assert "081200012345" not in own["description"]
    assert client.get(path, params={"api_key": LAPOR_KEY}).status_code == 404
    assert client.get(path).status_code == 404
    assert client.get(path, params={"api_key": "wrong"}).status_code == 403
    theirs = client.get("/open311/v2/requests.json", params={"api_key": LAPOR_KEY}).json()
    assert theirs == []
