"""A bounded fuzz pass over the anonymous endpoints: whatever a stranger sends, never a 500."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from aduan.daemon.app import create_app
from aduan.runtime import Runtime
from aduan.runtime.loader import load_settings
from tests.helpers.complaints import insert_complaint

EXAMPLES = settings(
    max_examples=int(os.environ.get("ADUAN_FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
DATES = st.one_of(
    TEXT,
    st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(
        ["9999-12-31T00:00:00Z", "0001-01-01", "2026-02-30", "2026-01-01T00:00:00+25:00"]
    ),
)
PARAMS = st.fixed_dictionaries(
    {},
    optional={
        "start_date": DATES,
        "end_date": DATES,
        "status": st.one_of(TEXT, st.sampled_from(["open", "closed", "open,closed"])),
        "service_code": st.one_of(TEXT, st.sampled_from(["roads", "health", ""])),
        "service_request_id": st.one_of(TEXT, st.just("ADU-2026-000001-AAAA,ADU-2026-000001")),
        "api_key": TEXT,
        "kode": TEXT,
    },
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    settings_ = load_settings(
        env={
            "ADUAN_DATABASE_URL": f"sqlite:///{folder / 'aduan.db'}",
            "ADUAN_DATA_DIR": str(folder / "data"),
            "ADUAN_SERVER__RATE_LIMIT_BURST": "1000000",
            "ADUAN_CHANNELS__OPEN311__JAKI__API_KEY": "jaki-fuzz-key-0001",
        }
    )
    runtime = Runtime.create(settings_, logging=False)
    insert_complaint(runtime.engine, reference="ADU-2026-000001", category="roads")
    with TestClient(create_app(runtime), raise_server_exceptions=False) as test_client:
        yield test_client
    runtime.close()


def ok(status: int) -> bool:
    return status < 500


@EXAMPLES
@given(reference=TEXT, params=PARAMS)
def test_track(client: TestClient, reference: str, params: dict[str, str]) -> None:
    answer = client.get(f"/track/{quote(reference, safe='') or 'x'}", params=params)
    assert ok(answer.status_code), answer.text


@EXAMPLES
@given(fmt=st.sampled_from(["json", "xml", "csv"]), params=PARAMS, ident=TEXT)
def test_open311_reads(client: TestClient, fmt: str, params: dict[str, str], ident: str) -> None:
    part = quote(ident, safe="") or "x"
    for path in (
        f"/open311/v2/requests.{fmt}",
        f"/open311/v2/requests/{part}.{fmt}",
        f"/open311/v2/services.{fmt}",
        f"/open311/v2/services/{part}.{fmt}",
    ):
        answer = client.get(path, params=params)
        assert ok(answer.status_code), (path, answer.text)


@EXAMPLES
@given(fields=st.dictionaries(TEXT, TEXT, max_size=8), fmt=st.sampled_from(["json", "xml"]))
def test_open311_posts(client: TestClient, fields: dict[str, str], fmt: str) -> None:
    for key in (None, "jaki-fuzz-key-0001"):
        data = {**fields, **({"api_key": key} if key else {})}
        answer = client.post(f"/open311/v2/requests.{fmt}", data=data)
        assert ok(answer.status_code), answer.text
        status = client.post(f"/open311/v2/requests/ADU-2026-000001/status.{fmt}", data=data)
        assert ok(status.status_code), status.text


@EXAMPLES
@given(
    kind=TEXT, instance=TEXT, body=st.binary(max_size=200), headers=st.dictionaries(
        st.sampled_from(["content-type", "authorization", "x-forwarded-for", "x-signature"]),
        st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
    ),
)  # fmt: skip
def test_webhooks_and_pages(
    client: TestClient, kind: str, instance: str, body: bytes, headers: dict[str, str]
) -> None:
    path = f"/webhooks/{quote(kind, safe='') or 'x'}/{quote(instance, safe='') or 'y'}"
    for method in ("GET", "POST"):
        answer = client.request(method, path, content=body, headers=headers)
        assert ok(answer.status_code), answer.text
    for page in ("/healthz", "/metrics", "/login"):
        assert ok(client.get(page, headers=headers).status_code)
    login = client.post("/login", content=body, headers=headers)
    assert ok(login.status_code), login.text
