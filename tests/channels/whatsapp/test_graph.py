"""The Cloud API's Graph calls against a local Graph API (graph_fake.py): media fetched after
the message is stored, replies inside and outside the 24-hour window, the token check
that pauses the channel and shows in ``/healthz``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from aduan.channels.base import ChannelContext
from aduan.channels.meta import signature
from aduan.channels.replies import Outbound, SendFailed
from aduan.channels.whatsapp import CloudWhatsApp
from aduan.core.clock import utcnow
from aduan.daemon.app import create_app
from aduan.daemon.media_job import fetch_pending_media
from aduan.daemon.normalize_job import run_normalize
from aduan.daemon.scheduler import Daemon
from aduan.runtime import Runtime
from aduan.runtime.health import Health
from aduan.runtime.loader import load_settings
from aduan.store.blobs import get_blob
from aduan.store.models import AttachmentRow
from tests.channels.local_http import serve
from tests.channels.whatsapp.cases import APP_SECRET, PNID, env
from tests.channels.whatsapp.graph_fake import GraphFake
from tests.helpers.databases import reset_schema

FIXTURES = Path(__file__).parents[1] / "fixtures" / "whatsapp"
PHOTO = b"\xff\xd8\xff\xe0" + b"sampah-menumpuk" * 100
attachments = AttachmentRow.__table__  # type: ignore[attr-defined]


@dataclass
class World:
    runtime: Runtime
    client: TestClient
    graph: GraphFake
    health: Health

    @property
    def channel(self) -> CloudWhatsApp:
        channel = self.runtime.channels[("whatsapp", "jaksel")]
        assert isinstance(channel, CloudWhatsApp)
        return channel

    def deliver(self, fixture: str) -> None:
        body = (FIXTURES / fixture).read_bytes()
        headers = {"X-Hub-Signature-256": signature(body, APP_SECRET)}
        assert self.client.post(
            "/webhooks/whatsapp/jaksel", content=body, headers=headers
        ).is_success

    def fetch(self) -> tuple[int, int, int]:
        found = fetch_pending_media(
            self.runtime.engine, [self.channel], self.runtime.settings.data_dir
        )
        return found.stored, found.failed, found.waiting

    def rows(self) -> list[dict[str, object]]:
        with self.runtime.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(attachments))]


@pytest.fixture
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    """The app with the Cloud API instance on a local Graph API (SQLite, or PostgreSQL
    when parametrized so)."""
    url = f"sqlite:///{tmp_path / 'wa.db'}"
    if getattr(request, "param", "sqlite") == "postgresql":
        url = request.getfixturevalue("pg_database")
        reset_schema(url)
    graph = GraphFake(files={"1037543291543636": PHOTO})
    with serve(graph) as base:
        graph.base = base
        settings = {
            "ADUAN_DATABASE_URL": url,
            "ADUAN_DATA_DIR": str(tmp_path / "data"),
            **env(tmp_path),
            "ADUAN_CHANNELS__WHATSAPP__JAKSEL__GRAPH_URL": base,
            "ADUAN_CHANNELS__WHATSAPP__JAKSEL__MAX_ATTACHMENT_BYTES": "5000",
            "ADUAN_CHANNELS__WHATSAPP__JAKSEL__TEMPLATE": "balasan_aduan",
        }
        runtime = Runtime.create(load_settings(env=settings), logging=False)
        health = Health()
        try:
            with TestClient(create_app(runtime, health)) as client:
                yield World(runtime, client, graph, health)
        finally:
            runtime.close()


@pytest.mark.parametrize("world", ["sqlite", "postgresql"], indirect=True)
def test_media_is_fetched_after_the_message_is_stored(world: World) -> None:
    world.deliver("image.json")
    run_normalize(world.runtime, lambda: False)
    (row,) = world.rows()
    assert row["url"] == "whatsapp-media:1037543291543636" and row["stored"] is False
    world.graph.fail = [(500, 131016)]  # Meta's "service unavailable": try again later
    assert world.fetch() == (0, 0, 1)
    assert world.rows()[0]["stored"] is False
    assert world.fetch() == (1, 0, 0)
    (row,) = world.rows()
    assert row["stored"] is True and row["size"] == len(PHOTO)
    assert get_blob(world.runtime.settings.data_dir, str(row["sha256"])) == PHOTO
    assert world.fetch() == (0, 0, 0)  # nothing left to ask for
    paths = [seen.path for seen in world.graph.seen]
    assert paths[-2:] == ["/v21.0/1037543291543636", "/media/1037543291543636"]
    assert all(s.headers["authorization"].startswith("Bearer ") for s in world.graph.seen)


@pytest.mark.parametrize("world", ["sqlite", "postgresql"], indirect=True)
def test_media_gone_or_too_big_is_given_up_and_a_refused_token_waits(world: World) -> None:
    world.deliver("image.json")
    world.deliver("document.json")  # its media id is unknown to the Graph API: gone
    run_normalize(world.runtime, lambda: False)
    world.graph.token = "rotated"  # the configured token no longer works
    assert world.fetch() == (0, 0, 1)
    assert all(row["stored"] is False for row in world.rows())
    world.graph.token = "EAAG-test-access-token"
    world.graph.files["1037543291543636"] = PHOTO * 10  # over max_attachment_bytes (5000)
    assert world.fetch() == (0, 2, 0)
    assert sorted(str(row["url"]) for row in world.rows()) == [
        "failed:whatsapp-media:1037543291543636",
        "failed:whatsapp-media:1037543291543637",
    ]
    assert world.fetch() == (0, 0, 0)


def test_refused_token_pauses_the_channel_and_healthz_says_so(world: World) -> None:
    batch = world.channel.fetch(None, 10)  # the poll only checks the token: nothing to store
    assert batch.messages == [] and world.graph.seen[-1].path == f"/v21.0/{PNID}"
    world.graph.token = "rotated"
    daemon = Daemon(world.runtime, world.health)
    daemon.start()
    try:
        deadline = time.monotonic() + 15
        while world.health.get("whatsapp/jaksel").state != "paused":
            assert time.monotonic() < deadline, "the channel was never paused"
            time.sleep(0.05)
    finally:
        assert daemon.stop(10)
    health = world.client.get("/healthz").json()
    assert health["status"] == "degraded"
    (reason,) = [r for r in health["reasons"] if "whatsapp/jaksel" in r]
    assert "refused the access token" in reason
    assert "EAAG-test-access-token" not in str(health)


def outbound(**fields: object) -> Outbound:
    base: dict[str, object] = {
        "key": "reply-1",
        "recipient": "tel:+6281200012346",
        "text": "Aduan Anda sudah diteruskan ke Suku Dinas SDA.\nTerima kasih.",
        "in_reply_to": "wamid.HBgNNjI4MTIwMDAxMjM0NhUCABIYFjNFQjATEXT01",
        "last_inbound_at": utcnow() - timedelta(hours=2),
    }
    return Outbound(**{**base, **fields})  # type: ignore[arg-type]


def test_reply_inside_the_window_is_free_text(world: World) -> None:
    sent = world.channel.send(outbound())
    assert sent.provider_id == "wamid.SENT0001"
    (body,) = world.graph.sent
    assert body["type"] == "text" and body["to"] == "6281200012346"
    assert body["text"] == {"body": outbound().text, "preview_url": False}
    assert body["context"] == {"message_id": outbound().in_reply_to}
    assert world.graph.seen[-1].path == f"/v21.0/{PNID}/messages"


def test_reply_outside_the_window_goes_as_the_template(world: World) -> None:
    world.channel.send(outbound(last_inbound_at=utcnow() - timedelta(hours=25)))
    world.channel.send(outbound(last_inbound_at=None, template="tindak_lanjut"))
    first, second = world.graph.sent
    assert first["type"] == "template" and "text" not in first
    template = first["template"]
    assert isinstance(template, dict) and template["name"] == "balasan_aduan"
    assert template["language"] == {"code": "id"}
    parameter = template["components"][0]["parameters"][0]["text"]
    assert "\n" not in parameter and parameter.startswith("Aduan Anda sudah diteruskan")
    assert isinstance(second["template"], dict) and second["template"]["name"] == "tindak_lanjut"


def test_reply_outside_the_window_without_template_is_refused(tmp_path: Path) -> None:
    graph = GraphFake()
    with serve(graph) as base:
        config = CloudWhatsApp.Config.model_validate(
            {"phone_number_id": PNID, "access_token": "EAAG-test-access-token", "graph_url": base}
        )
        channel = CloudWhatsApp("jaksel", config, ChannelContext(tmp_path))
        with pytest.raises(SendFailed) as caught:
            channel.send(outbound(last_inbound_at=utcnow() - timedelta(days=2)))
        channel.close()
    assert caught.value.transient is False
    assert "24 hours" in caught.value.reason and "template" in caught.value.reason
    assert graph.seen == []  # never sent as free text


@pytest.mark.parametrize(
    ("status", "code", "transient"),
    [
        (400, 131047, False),  # re-engagement: outside the window
        (400, 131026, False),  # undeliverable
        (400, 132001, False),  # template does not exist
        (401, 190, False),  # token expired
        (400, 130429, True),  # throughput limit
        (400, 131056, True),  # pair rate limit
        (500, 1, True),
        (503, 131016, True),
    ],
)
def test_graph_errors_are_transient_or_permanent(
    world: World, status: int, code: int, transient: bool
) -> None:
    world.graph.fail = [(status, code)]
    with pytest.raises(SendFailed) as caught:
        world.channel.send(outbound())
    assert caught.value.transient is transient
    assert str(code) in caught.value.reason
    assert "6281200012346" not in caught.value.reason


def test_no_answer_is_transient(tmp_path: Path) -> None:
    config = CloudWhatsApp.Config.model_validate(
        {"phone_number_id": PNID, "access_token": "t", "graph_url": "http://127.0.0.1:9"}
    )
    channel = CloudWhatsApp("jaksel", config, ChannelContext(tmp_path))
    with pytest.raises(SendFailed) as caught:
        channel.send(outbound())
    channel.close()
    assert caught.value.transient is True
