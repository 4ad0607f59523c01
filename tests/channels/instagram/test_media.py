"""Files of Instagram messages: recorded by URL at intake, fetched by the media job into the
blob store under the size limit; a failed download leaves everything stored and is retried."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from aduan.daemon.app import create_app
from aduan.daemon.media_job import run_media
from aduan.daemon.normalize_job import normalize_pending, runtime_normalizer
from aduan.normalize.rows import attachments_table
from aduan.runtime import Runtime
from aduan.runtime.loader import load_settings
from aduan.store.blobs import blob_path
from aduan.store.models import complaints
from tests.channels.instagram.cases import signature
from tests.channels.instagram.graph_fake import PHOTO, TOKEN, GraphFake, graph, graph_env

FIXTURE = Path(__file__).parents[1] / "fixtures" / "instagram" / "message_image.json"


@pytest.fixture
def world(tmp_path: Path, store_url: str) -> Iterator[tuple[GraphFake, str, Runtime, TestClient]]:
    with graph() as (fake, url):
        data = str(tmp_path / "data")
        env = graph_env(url, store_url, data, MAX_ATTACHMENT_BYTES="100000")
        runtime = Runtime.create(load_settings(env=env), logging=False)
        with TestClient(create_app(runtime)) as client:
            yield fake, url, runtime, client
        runtime.close()


def deliver(client: TestClient, file_url: str, mid: str) -> None:
    body = json.loads(FIXTURE.read_text())
    message = body["entry"][0]["messaging"][0]["message"]
    message["mid"] = mid
    message["attachments"][0]["payload"]["url"] = file_url
    data = json.dumps(body).encode()
    headers = {"X-Hub-Signature-256": signature(data), "Content-Type": "application/json"}
    assert (
        client.post("/webhooks/instagram/pemkot", content=data, headers=headers).status_code == 200
    )


def intake(client: TestClient, runtime: Runtime, *file_urls: str) -> None:
    """One DM per file delivered through the webhook, then normalized."""
    for number, file_url in enumerate(file_urls):
        deliver(client, file_url, mid=f"m-file-{number}")
    normalize_pending(runtime.engine, runtime_normalizer(runtime))


def files(runtime: Runtime) -> list[tuple[str | None, bool, str | None, int | None]]:
    a = attachments_table.c
    with runtime.engine.connect() as conn:
        rows = conn.execute(select(a.url, a.stored, a.sha256, a.size).order_by(a.id)).all()
    return [tuple(row) for row in rows]


def test_a_photo_is_fetched_with_the_token_into_the_blob_store(
    world: tuple[GraphFake, str, Runtime, TestClient],
) -> None:
    fake, url, runtime, client = world
    intake(client, runtime, f"{url}/cdn/photo.jpg")
    assert files(runtime) == [(f"{url}/cdn/photo.jpg", False, None, None)]

    assert run_media(runtime, lambda: False).stored == 1
    ((_, stored, sha, size),) = files(runtime)
    assert stored and size == len(PHOTO) and sha is not None
    assert blob_path(runtime.settings.data_dir, sha).read_bytes() == PHOTO
    assert fake.seen[-1].headers["authorization"] == f"Bearer {TOKEN}"
    assert run_media(runtime, lambda: False).stored == 0  # nothing left to fetch
    with runtime.engine.connect() as conn:
        assert conn.execute(select(complaints.c.id)).all()


def test_a_failed_download_keeps_the_message_and_is_tried_again(
    world: tuple[GraphFake, str, Runtime, TestClient],
) -> None:
    fake, url, runtime, client = world
    intake(client, runtime, f"{url}/cdn/photo.jpg")
    fake.fail.append((503, 2, None, "Service temporarily unavailable"))
    stats = run_media(runtime, lambda: False)
    assert (stats.stored, stats.waiting) == (0, 1)
    assert files(runtime)[0][1] is False
    assert run_media(runtime, lambda: False).stored == 1
    assert files(runtime)[0][1] is True


def test_too_large_or_gone_files_are_recorded_not_kept(
    world: tuple[GraphFake, str, Runtime, TestClient],
) -> None:
    fake, url, runtime, client = world
    fake.files["big.jpg"] = b"x" * 100_001
    intake(client, runtime, f"{url}/cdn/big.jpg", f"{url}/cdn/expired.jpg")
    stats = run_media(runtime, lambda: False)
    assert (stats.stored, stats.given_up) == (0, 2)
    assert [row[1] for row in files(runtime)] == [False, False]
    asked = len(fake.seen)
    assert run_media(runtime, lambda: False).given_up == 0 and len(fake.seen) == asked


def test_the_token_goes_to_meta_hosts_only(
    world: tuple[GraphFake, str, Runtime, TestClient],
) -> None:
    fake, url, runtime, client = world
    other_host = url.replace("127.0.0.1", "localhost")
    intake(client, runtime, f"{other_host}/cdn/photo.jpg")
    assert run_media(runtime, lambda: False).stored == 1
    assert "authorization" not in fake.seen[-1].headers
