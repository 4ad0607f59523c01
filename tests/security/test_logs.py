"""Token-shaped strings never reach a log line, wherever they appear."""

from __future__ import annotations

import logging

import pytest
import structlog

from aduan.core.logs import configure_logging, get_logger, register_secret

BOT_TOKEN = "987654321:AAFakeTokenForTests_0123456789abcdefXYZ"
BEARER = "Bearer eyJmYWtlIjoidG9rZW4ifQ.c2lnbmF0dXJl"


@pytest.fixture(autouse=True)
def json_logs() -> None:
    configure_logging("DEBUG", "json")


def err(capsys: pytest.CaptureFixture[str]) -> str:
    return capsys.readouterr().err


def test_bot_token_in_an_exception_message(capsys: pytest.CaptureFixture[str]) -> None:
    try:
        raise RuntimeError(f"telegram refused token {BOT_TOKEN} (401)")
    except RuntimeError:
        get_logger("t").exception("poll_failed")
    try:
        raise ValueError(f"bad {BOT_TOKEN}")
    except ValueError as exc:
        get_logger("t").warning("poll_failed", error=str(exc))
    output = err(capsys)
    assert "poll_failed" in output
    assert "AAFakeTokenForTests" not in output


def test_bearer_token_and_bot_token_in_library_logs(capsys: pytest.CaptureFixture[str]) -> None:
    logging.getLogger("uvicorn.error").warning("header Authorization: %s seen", BEARER)
    logging.getLogger("uvicorn.error").warning("token %s", BOT_TOKEN)
    get_logger("t").info("request", headers=f"authorization={BEARER}")
    output = err(capsys)
    assert "eyJmYWtlIjoidG9rZW4ifQ" not in output
    assert "AAFakeTokenForTests" not in output


def test_configured_secret_masked_by_value(capsys: pytest.CaptureFixture[str]) -> None:
    register_secret("s3cret-value-for-tests")
    get_logger("t").info("oops", detail="the key s3cret-value-for-tests leaked")
    structlog.get_logger("t").error("again s3cret-value-for-tests")
    assert "s3cret-value-for-tests" not in err(capsys)
