"""WhatsApp beyond the payload table (cases.py): handshake, signature, config, and what the
normalizer makes of deliveries (one reporter with SMS, the place of a location, follow-ups)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient
from structlog.testing import capture_logs

from aduan.channels.meta import signature
from aduan.core.errors import BadPayload, ConfigError
from aduan.daemon.app import create_app
from aduan.daemon.normalize_job import run_normalize
from aduan.runtime import Runtime
from aduan.runtime.loader import load_settings
from aduan.store.models import ReporterIdentity, complaint_sources, complaints
from tests.channels.payloads import PayloadCase, stored_raws
from tests.channels.sms.common import build
from tests.channels.sms.common import settings_env as sms_env
from tests.channels.whatsapp.cases import APP_SECRET, VERIFY, deliver, env

FIXTURES = Path(__file__).parents[1] / "fixtures" / "whatsapp"
URL = "/webhooks/whatsapp/jaksel"
identities = ReporterIdentity.__table__  # type: ignore[attr-defined]


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[TestClient, Runtime]]:
    """WhatsApp (Cloud API and Twilio) and a Twilio SMS number in one daemon."""
    settings_env = {
        "ADUAN_DATABASE_URL": f"sqlite:///{tmp_path / 'wa.db'}",
        "ADUAN_DATA_DIR": str(tmp_path / "data"),
        **env(tmp_path),
        **{k: v for k, v in sms_env("", tmp_path).items() if "__SMS__TWILIO__" in k},
    }
    runtime = Runtime.create(load_settings(env=settings_env), logging=False)
    try:
        with TestClient(create_app(runtime)) as client:
            yield client, runtime
    finally:
        runtime.close()


def post(client: TestClient, body: bytes, secret: str = APP_SECRET) -> int:
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature(body, secret)}
    return client.post(URL, content=body, headers=headers).status_code


def test_subscription_handshake(app: tuple[TestClient, Runtime]) -> None:
    client, runtime = app
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
    good = client.get(URL, params=query)
    assert good.status_code == 200 and good.text == "1158201444"
    wrong = client.get(URL, params={**query, "hub.verify_token": "x"})
    assert wrong.status_code == 403 and "1158201444" not in wrong.text
    assert client.get(URL, params={**query, "hub.mode": "unsubscribe"}).status_code == 403
    assert stored_raws(runtime.engine) == []


def test_bad_signature_is_refused_before_parsing_and_logged(
    app: tuple[TestClient, Runtime],
) -> None:
    client, runtime = app
    body = (FIXTURES / "text.json").read_bytes()
    reserialised = json.dumps(json.loads(body)).encode()  # same JSON, other bytes
    headers = {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": signature(body, APP_SECRET),
    }
    with capture_logs() as logs:
        assert client.post(URL, content=reserialised, headers=headers).status_code == 403
        assert post(client, b"not even json", "wrong-secret") == 403
    rejected = [e for e in logs if e["event"] == "webhook_rejected"]
    assert len(rejected) == 2 and all(e["channel"] == "whatsapp" for e in rejected)
    assert "6281200012346" not in json.dumps(logs, default=str)
    assert stored_raws(runtime.engine) == []


def test_published_signature_vectors() -> None:
    """GitHub's documented vector for the identical scheme, and the whatsapp_sdk docs' one
    (libraries.md, Meta section)."""
    assert signature(b"Hello, World!", "It's a Secret to Everybody") == (
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    )
    assert signature(b"test", "secret") == (
        "sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914"
    )


def test_config_names_the_provider_and_the_missing_secrets(tmp_path: Path) -> None:
    prefix = "ADUAN_CHANNELS__WHATSAPP__"
    base = {"ADUAN_DATA_DIR": str(tmp_path)}
    with pytest.raises(ConfigError) as caught:
        load_settings(env={**base, prefix + "A__PROVIDER": "telegram"})
    assert "provider" in str(caught.value) and "'cloud' or 'twilio'" in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        load_settings(env={**base, prefix + "B__PHONE_NUMBER_ID": "1065"})
    for secret in ("APP_SECRET", "ACCESS_TOKEN", "VERIFY_TOKEN"):
        assert prefix + "B__" + secret in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        load_settings(env={**base, prefix + "C__PROVIDER": "twilio"})
    assert prefix + "C__AUTH_TOKEN" in str(caught.value)


def test_a_delivery_of_several_messages_is_stored_in_one_request(
    app: tuple[TestClient, Runtime],
) -> None:
    client, runtime = app
    assert post(client, (FIXTURES / "batch_three_and_status.json").read_bytes()) == 200
    keys = sorted(raw.external_id for raw in stored_raws(runtime.engine))
    assert len(keys) == 4 and keys[0].startswith("status:")
    stats = run_normalize(runtime, lambda: False)
    assert stats.ignored == 1  # the status: a receipt, never a complaint
    with runtime.engine.connect() as conn:
        reporters = conn.execute(select(func.count(func.distinct(complaints.c.reporter_id))))
        assert reporters.scalar() == 2


def test_sms_and_whatsapp_from_one_phone_are_one_reporter(
    app: tuple[TestClient, Runtime],
) -> None:
    client, runtime = app
    form = json.loads((FIXTURES.parent / "sms" / "twilio" / "form_text.json").read_text())
    sms = build("twilio", form)  # From +6281200012346, as the WhatsApp fixtures' sender
    assert client.post(sms.url, content=sms.body, headers=sms.headers).status_code == 200
    assert post(client, (FIXTURES / "text.json").read_bytes()) == 200
    run_normalize(runtime, lambda: False)
    with runtime.engine.connect() as conn:
        rows = conn.execute(select(complaints.c.channel, complaints.c.reporter_id)).all()
        tel = conn.execute(
            select(identities.c.reporter_id).where(identities.c.identity == "tel:+6281200012346")
        ).all()
    assert sorted(channel for channel, _ in rows) == ["sms", "whatsapp"]
    assert len({reporter for _, reporter in rows}) == 1
    assert [r for (r,) in tel] == [rows[0][1]]


def test_a_location_message_fills_the_place(app: tuple[TestClient, Runtime]) -> None:
    client, runtime = app
    assert post(client, (FIXTURES / "location.json").read_bytes()) == 200
    run_normalize(runtime, lambda: False)
    with runtime.engine.connect() as conn:
        row = conn.execute(select(complaints)).one()._mapping
    assert (row["lat"], row["lon"]) == (-6.2607, 106.8137)
    assert row["kecamatan"] == "Mampang Prapatan"
    assert "Kemang Raya" in str(row["address"])


def test_a_reply_with_context_joins_its_complaint(app: tuple[TestClient, Runtime]) -> None:
    client, runtime = app
    assert post(client, (FIXTURES / "text.json").read_bytes()) == 200
    run_normalize(runtime, lambda: False)
    reply = json.loads((FIXTURES / "reply_with_context.json").read_text())
    # Sent from another phone, so only the context (not the same reporter) can join them.
    value = reply["entry"][0]["changes"][0]["value"]
    value["messages"][0]["from"] = value["contacts"][0]["wa_id"] = "6281299988877"
    assert post(client, json.dumps(reply).encode()) == 200
    run_normalize(runtime, lambda: False)
    with runtime.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(complaints)).scalar() == 1
        roles = conn.execute(select(complaint_sources.c.role)).scalars().all()
    assert sorted(roles) == ["first", "followup"]


def test_twilio_whatsapp_is_the_same_reporter_as_cloud(app: tuple[TestClient, Runtime]) -> None:
    client, runtime = app
    assert post(client, (FIXTURES / "text.json").read_bytes()) == 200
    case = PayloadCase("twilio_text.form")
    twilio = deliver(case, case.body("whatsapp"))
    answer = client.post(twilio.url, content=twilio.body, headers=twilio.headers)
    assert answer.status_code == 200 and "<Response/>" in answer.text
    run_normalize(runtime, lambda: False)
    with runtime.engine.connect() as conn:
        rows = conn.execute(select(complaints.c.channel, complaints.c.reporter_id)).all()
    assert [channel for channel, _ in rows] == ["whatsapp", "whatsapp"]
    assert len({reporter for _, reporter in rows}) == 1


def test_a_backlog_of_deliveries_is_keyed_like_live_ones(
    app: tuple[TestClient, Runtime], tmp_path: Path
) -> None:
    _client, runtime = app
    channel = runtime.channels[("whatsapp", "jaksel")]
    batch = json.dumps(json.loads((FIXTURES / "batch_three_and_status.json").read_text()))
    text = json.dumps(json.loads((FIXTURES / "text.json").read_text()))
    export = tmp_path / "export.jsonl"
    export.write_text(f"{batch}\n\n{text}\nnot json\n")
    raws = list(channel.backlog(export))
    assert len(raws) == 6
    assert raws[4].external_id == "wamid.HBgNNjI4MTIwMDAxMjM0NhUCABIYFjNFQjATEXT01"
    assert raws[5].external_id.startswith("sha256:") and raws[5].meta["line"] == 4
    with pytest.raises(BadPayload):
        channel.read(raws[5])
