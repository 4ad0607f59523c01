"""From the webhook to the store: two people commenting under one post about one problem
are two complaints of one incident; the same words under another post are not."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from aduan.daemon.normalize_job import normalize_pending, runtime_normalizer
from aduan.runtime import Runtime
from aduan.store.models import complaints
from tests.channels.instagram.cases import HARNESS, signature
from tests.channels.payloads import push_app

COMMENT = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "instagram" / "comment.json").read_text()
)


@pytest.fixture
def app(tmp_path: Path, store_url: str) -> Iterator[tuple[TestClient, Runtime]]:
    with push_app(HARNESS, store_url, tmp_path / "data") as made:
        yield made.client, made.runtime


def comment(client: TestClient, number: int, user: str, media: str, text: str) -> None:
    body: dict[str, Any] = copy.deepcopy(COMMENT)
    value = body["entry"][0]["changes"][0]["value"]
    value.update(id=f"1790000000000{number:04d}", text=text)
    value["from"] = {"id": user, "username": f"warga{number}"}
    value["media"]["id"] = media
    data = json.dumps(body).encode()
    headers = {"X-Hub-Signature-256": signature(data), "Content-Type": "application/json"}
    answer = client.post("/webhooks/instagram/pemkot", content=data, headers=headers)
    assert answer.status_code == 200


LIGHTS = (
    "Lampu jalannya mati semua pak, gelap banget kalau malam",
    "iya betul PJU di situ padam sejak minggu lalu, rawan begal",
)


@pytest.mark.parametrize(("second_post", "one_incident"), [("77", True), ("88", False)])
def test_one_post_one_problem_one_incident(
    app: tuple[TestClient, Runtime], second_post: str, one_incident: bool
) -> None:
    client, runtime = app
    comment(client, 1, "6200000000000011", "180000000000000" + "77", LIGHTS[0])
    comment(client, 2, "6200000000000012", "180000000000000" + second_post, LIGHTS[1])
    normalize_pending(runtime.engine, runtime_normalizer(runtime))
    with runtime.engine.connect() as conn:
        found = (
            conn.execute(select(complaints.c.incident_id).order_by(complaints.c.id)).scalars().all()
        )
    assert len(found) == 2
    if one_incident:
        assert found[0] is not None and found[0] == found[1]
    else:
        assert found == [None, None]
