"""Every kind of personal data and every secret is masked, in aduan's and libraries' logs."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from aduan.core.logs import configure_logging, get_logger, register_secret


@pytest.fixture
def lines(capsys: pytest.CaptureFixture[str]) -> Iterator[list[dict[str, object]]]:
    configure_logging("DEBUG", "json")
    captured: list[dict[str, object]] = []
    yield captured


def emitted(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.strip()]


@pytest.mark.parametrize(
    "phone",
    ["0811-1272-206", "+62 811 1272 206", "628111272206", "(021) 7221234", "+6281200026628"],
)
def test_phone_numbers_masked(
    lines: object, capsys: pytest.CaptureFixture[str], phone: str
) -> None:
    get_logger("t").info("complaint_received", text=f"hubungi saya di {phone} ya")
    event = emitted(capsys)[-1]
    assert event["text"] == "hubungi saya di <phone> ya"


def test_email_nik_and_identity_strings(lines: object, capsys: pytest.CaptureFixture[str]) -> None:
    get_logger("t").info(
        "merge", identity="mailto:warga.kebayoran@example.com", detail="NIK 3174012345670001 ok"
    )
    event = emitted(capsys)[-1]
    assert event["identity"] == "mailto:<email>"
    assert event["detail"] == "NIK <nik> ok"


def test_personal_and_secret_keys(lines: object, capsys: pytest.CaptureFixture[str]) -> None:
    get_logger("t").info("x", phone="08111272206", name="Budi", password="hunter2", api_key="k")
    event = emitted(capsys)[-1]
    assert event["phone"] == event["name"] == "<personal>"
    assert event["password"] == event["api_key"] == "<secret>"


def test_timestamps_and_ids_survive(lines: object, capsys: pytest.CaptureFixture[str]) -> None:
    get_logger("t").info("x", raw_id=1234567, when="2026-11-29T20:23:25Z", count=42)
    event = emitted(capsys)[-1]
    assert event["when"] == "2026-11-29T20:23:25Z"
    assert event["raw_id"] == 1234567 and event["count"] == 42
    assert str(event["timestamp"]).endswith("Z")


def test_bot_token_in_library_log_never_appears(
    lines: object, capsys: pytest.CaptureFixture[str]
) -> None:
    token = "123456789:AAH-secretSECRETsecret_0123"
    logging.getLogger("httpx").warning(
        'HTTP Request: POST http://127.0.0.1:9/bot%s/getUpdates "HTTP/1.1 500"', token
    )
    out = capsys.readouterr().err
    assert token not in out and "AAH-secret" not in out
    assert "bot<secret>/getUpdates" in out


def test_registered_secret_masked_anywhere(
    lines: object, capsys: pytest.CaptureFixture[str]
) -> None:
    register_secret("s3cr3t-app-key")
    logging.getLogger("uvicorn.error").error("failed with key s3cr3t-app-key in url")
    get_logger("t").warning("x", detail={"nested": ["s3cr3t-app-key"]})
    out = capsys.readouterr().err
    assert "s3cr3t-app-key" not in out
    assert out.count("<secret>") == 2


def test_stdlib_records_are_json_with_context(
    lines: object, capsys: pytest.CaptureFixture[str]
) -> None:
    structlog.contextvars.bind_contextvars(channel="sms")
    try:
        logging.getLogger("apscheduler").warning("job missed")
    finally:
        structlog.contextvars.clear_contextvars()
    event = emitted(capsys)[-1]
    assert event["logger"] == "apscheduler" and event["channel"] == "sms"
    assert event["event"] == "job missed"
