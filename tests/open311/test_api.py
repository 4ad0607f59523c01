"""GeoReport v2 as the specification shows it: services, requests, searches and errors."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import xmltodict
from sqlalchemy import func, select
from starlette.testclient import TestClient

from aduan.runtime import Runtime
from aduan.store.models import raw_messages
from aduan.triage.labels import read_labels
from tests.helpers.complaints import insert_complaint, tracking
from tests.open311.conftest import JAKI_KEY, LAPOR_KEY

SERVICE_KEYS = {
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
}
REQUEST_KEYS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
    # aduan's extension: the place, official names, the street without house number
    "kelurahan",
    "kecamatan",
    "region_code",
    "street",
    "place_name",
}
REFERENCE = re.compile(r"^ADU-\d{4}-\d{6}$")

# The spec's POST example, with our service codes and Indonesian text.
SPEC_POST = {
    "api_key": JAKI_KEY,
    "service_code": "street_lighting",
    "lat": "-6.2615",
    "long": "106.8106",
    "address_string": "Jl. Kemang Raya No. 10",
    "email": "warga@example.org",
    "device_id": "tt222111",
    "account_id": "123456",
    "first_name": "Budi",
    "last_name": "Santoso",
    "phone": "081200012345",
    "description": "Lampu PJU mati sejak tiga malam, hubungi saya di 081200012345.",
    "media_url": "https://example.org/foto/pju.jpg",
}

Client = tuple[TestClient, Runtime]


def raw_count(runtime: Runtime) -> int:
    with runtime.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(raw_messages)).scalar_one())


def test_services_json_and_xml(api: Client) -> None:
    client, _ = api
    services = client.get("/open311/v2/services.json").json()
    assert {s["service_code"] for s in services} >= {"roads", "street_lighting", "other"}
    assert all(set(s) == SERVICE_KEYS for s in services)
    lighting = next(s for s in services if s["service_code"] == "street_lighting")
    assert "Penerangan" in lighting["service_name"] and "Bina Marga" in lighting["group"]
    as_xml = xmltodict.parse(client.get("/open311/v2/services.xml").content)
    assert len(as_xml["services"]["service"]) == len(services)


def test_service_definition(api: Client) -> None:
    client, _ = api
    body = client.get("/open311/v2/services/roads.json").json()
    assert body["service_code"] == "roads"
    assert body["attributes"][0]["code"] == "partner_id"
    assert (
        xmltodict.parse(client.get("/open311/v2/services/roads.xml").content)["service_definition"][
            "service_code"
        ]
        == "roads"
    )


def test_post_answers_reference_and_get_reads_it_back(api: Client) -> None:
    client, runtime = api
    answer = client.post("/open311/v2/requests.json", data=SPEC_POST)
    assert answer.status_code == 200, answer.text
    (created,) = answer.json()
    assert REFERENCE.match(created["service_request_id"])
    assert created["service_request_id"] in created["service_notice"]
    reference = created["service_request_id"]
    assert client.get(f"/open311/v2/requests/{reference}.json").status_code == 404
    own = {"api_key": JAKI_KEY}
    (record,) = client.get(f"/open311/v2/requests/{reference}.json", params=own).json()
    assert set(record) == REQUEST_KEYS
    assert record["status"] == "open" and record["service_code"] == "street_lighting"
    assert "081200012345" not in record["description"] and "<phone>" in record["description"]
    assert "Budi" not in str(record) and "warga@example.org" not in str(record)
    assert raw_count(runtime) == 1


@pytest.mark.parametrize("how", ["attribute", "header"])
def test_retried_post_is_one_complaint(api: Client, how: str) -> None:
    client, runtime = api
    data, headers = dict(SPEC_POST), {}
    if how == "attribute":
        data["attribute[partner_id]"] = "JAKI-99812"
    else:
        headers["X-Partner-Request-Id"] = "JAKI-99813"
    first = client.post("/open311/v2/requests.json", data=data, headers=headers).json()
    again = client.post("/open311/v2/requests.json", data=data, headers=headers).json()
    assert first[0]["service_request_id"] == again[0]["service_request_id"]
    assert raw_count(runtime) == 1


def test_same_partner_id_from_another_partner_is_another_request(api: Client) -> None:
    client, runtime = api
    data = {**SPEC_POST, "attribute[partner_id]": "X-1"}
    one = client.post("/open311/v2/requests.json", data=data).json()
    other = client.post("/open311/v2/requests.json", data={**data, "api_key": LAPOR_KEY}).json()
    assert one[0]["service_request_id"] != other[0]["service_request_id"]
    assert raw_count(runtime) == 2


ERRORS = [
    ("POST", "/open311/v2/requests.json", {**SPEC_POST, "api_key": ""}, 403, "api_key"),
    ("POST", "/open311/v2/requests.json", {**SPEC_POST, "api_key": "wrong"}, 403, "api_key"),
    (
        "POST",
        "/open311/v2/requests.json",
        {**SPEC_POST, "service_code": "unicorns"},
        400,
        "not found",
    ),
    (
        "POST",
        "/open311/v2/requests.json",
        {k: v for k, v in SPEC_POST.items() if k not in ("lat", "long", "address_string")},
        400,
        "location",
    ),
    ("POST", "/open311/v2/requests.json", {**SPEC_POST, "description": "x" * 4001}, 400, "longer"),
    ("POST", "/open311/v2/requests.json", {**SPEC_POST, "lat": "north"}, 400, "number"),
    ("GET", "/open311/v2/requests.json?start_date=yesterday", None, 400, "W3C"),
    (
        "GET",
        "/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
        None,
        400,
        "90 days",
    ),
    ("GET", "/open311/v2/requests.json?status=pending", None, 400, "open or closed"),
    ("GET", "/open311/v2/requests/ADU-2026-999999.json", None, 404, "not found"),
    ("GET", "/open311/v2/services/unicorns.json", None, 404, "not found"),
    ("GET", "/open311/v2/services.yaml", None, 404, "format"),
]


@pytest.mark.parametrize(("method", "path", "data", "status", "words"), ERRORS)
def test_errors_in_the_spec_format(
    api: Client, method: str, path: str, data: dict[str, str] | None, status: int, words: str
) -> None:
    client, runtime = api
    answer = client.request(method, path, data=data)
    assert answer.status_code == status
    (error,) = answer.json()
    assert error["code"] == status and words in error["description"]
    assert raw_count(runtime) == 0


def test_error_in_xml(api: Client) -> None:
    client, _ = api
    answer = client.post("/open311/v2/requests.xml", data={**SPEC_POST, "api_key": "wrong"})
    assert answer.status_code == 403
    assert xmltodict.parse(answer.content)["errors"]["error"]["code"] == "403"


def test_search_filters_and_limits(api: Client) -> None:
    client, runtime = api
    now = datetime.now(UTC)
    insert_complaint(runtime.engine, category="roads", received_at=now - timedelta(days=2))
    insert_complaint(
        runtime.engine, category="roads", status="resolved", received_at=now - timedelta(days=3)
    )
    insert_complaint(runtime.engine, category="waste", received_at=now - timedelta(days=4))
    insert_complaint(runtime.engine, category="roads", received_at=now - timedelta(days=120))
    found = client.get("/open311/v2/requests.json?service_code=roads").json()
    assert len(found) == 2
    assert [r["status"] for r in found] == ["open", "closed"]
    open_roads = client.get("/open311/v2/requests.json?service_code=roads&status=open").json()
    assert len(open_roads) == 1
    window = now - timedelta(days=200), now - timedelta(days=110)
    old = client.get(
        "/open311/v2/requests.json",
        params={"start_date": window[0].isoformat(), "end_date": window[1].isoformat()},
    ).json()
    assert len(old) == 1
    refs = ",".join(tracking(runtime, r["service_request_id"]) for r in found)
    assert len(client.get(f"/open311/v2/requests.json?service_request_id={refs}").json()) == 2


def test_search_returns_at_most_1000(api: Client) -> None:
    client, runtime = api
    from aduan.store.models import complaints

    now = datetime.now(UTC)
    rows = [
        {
            "reference": f"ADU-2026-{500000 + i:06d}",
            "channel": "sms",
            "account": "m",
            "text": "t",
            "original_text": "t",
            "match_text": "t",
            "received_at": now - timedelta(hours=i),
            "created_at": now,
            "updated_at": now,
            "status": "triaged",
            "category": "roads",
            "source_count": 1,
            "overdue": False,
            "extra": {},
        }
        for i in range(1005)
    ]
    with runtime.engine.begin() as conn:
        conn.execute(complaints.insert(), rows)
    assert len(client.get("/open311/v2/requests.json").json()) == 1000


def test_partner_status_update(api: Client) -> None:
    client, runtime = api
    insert_complaint(runtime.engine, reference="ADU-2026-777001")
    path = "/open311/v2/requests/ADU-2026-777001/status.json"
    assert (
        client.post(path, data={"api_key": LAPOR_KEY, "status": "in_progress"}).status_code == 403
    )
    missing_note = client.post(path, data={"api_key": JAKI_KEY, "status": "resolved"})
    assert missing_note.status_code == 400 and "note" in missing_note.json()[0]["description"]
    done = client.post(
        path, data={"api_key": JAKI_KEY, "status": "resolved", "status_notes": "Lampu diganti"}
    )
    assert done.status_code == 200
    (record,) = client.get(
        f"/open311/v2/requests/{tracking(runtime, 'ADU-2026-777001')}.json"
    ).json()
    assert record["status"] == "closed" and record["status_notes"] == "Lampu diganti"
    assert record["updated_datetime"] > record["requested_datetime"]
    assert (
        client.post(
            "/open311/v2/requests/ADU-2026-000404/status.json",
            data={"api_key": JAKI_KEY, "status": "closed"},
        ).status_code
        == 404
    )


def test_partner_corrects_the_service_code_as_a_human_decision(api: Client) -> None:
    """A partner with ``can_update`` correcting the category records a manual decision:
    a training label with who and when."""
    client, runtime = api
    insert_complaint(runtime.engine, reference="ADU-2026-777002")
    path = "/open311/v2/requests/ADU-2026-777002/status.json"
    bad = client.post(path, data={"api_key": JAKI_KEY, "service_code": "nope"})
    assert bad.status_code == 400
    fixed = client.post(path, data={"api_key": JAKI_KEY, "service_code": "street_lighting"})
    assert fixed.status_code == 200
    (record,) = fixed.json()
    assert record["service_code"] == "street_lighting"
    (label,) = read_labels(runtime.engine)
    assert (label.category, label.actor) == ("street_lighting", "open311:jaki")


def test_get_shows_the_place_without_house_number(api: Client) -> None:
    client, runtime = api
    insert_complaint(
        runtime.engine,
        reference="ADU-2026-777002",
        kelurahan="Bangka",
        kecamatan="Mampang Prapatan",
        region_code="31.74.03.1002",
        street="Jl. Kemang Raya",
        rt="003",
    )
    path = f"/open311/v2/requests/{tracking(runtime, 'ADU-2026-777002')}.json"
    (record,) = client.get(path).json()  # street lighting: a public category
    assert (record["kelurahan"], record["kecamatan"]) == ("Bangka", "Mampang Prapatan")
    assert record["street"] == "Jl. Kemang Raya" and "rt" not in record
