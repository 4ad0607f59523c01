"""Structured logs: structlog for aduan, the stdlib's records for libraries, one pipeline.

Output is JSON lines when stderr is not a terminal and a readable console
otherwise. Every event — aduan's own and those of httpx, uvicorn, apscheduler,
alembic, imapclient — passes :func:`redact`, which masks:

* values under secret-looking keys (``password``, ``token``, ...) and any
  configured secret's literal value wherever it appears (:func:`register_secret`);
* token-shaped strings wherever they appear: Telegram bot tokens
  (``123456:AA...``, in URLs or not), ``Bearer <token>`` credentials;
* phone numbers (found with ``phonenumbers``, not digit regexes that eat
  timestamps), e-mail addresses and 16-digit NIK numbers in any string.

APScheduler's per-run lines are off (its warnings and errors stay), and
uvicorn's ``color_message`` duplicate never reaches a JSON line.

Bind per-job or per-request context with
``structlog.contextvars.bind_contextvars(channel=..., account=...)``.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import phonenumbers
import structlog

SECRET_KEYS = frozenset(
    {
        "password",
        "passwd",
        "token",
        "bot_token",
        "auth_token",
        "api_key",
        "secret",
        "app_secret",
        "authorization",
        "access_token",
        "bearer_token",
        "verify_token",
        "cookie",
        "nik_hash_key",
    }
)
PII_KEYS = frozenset({"phone", "email", "nik", "name", "display_name", "address", "sender"})
SAFE_KEYS = frozenset(
    {"timestamp", "level", "log_level", "logger", "raw_id", "complaint_id", "update_id", "uid"}
)

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_BOT_TOKEN = re.compile(r"bot\d{3,}:[A-Za-z0-9_-]{10,}")
_TOKEN = re.compile(r"(?<!\d)\d{3,}:[A-Za-z0-9_-]{30,}")
_BEARER = re.compile(r"(?i)\b(bearer)(\s+)[A-Za-z0-9._~+/=-]{6,}")
_NIK = re.compile(r"(?<!\d)\d{16}(?!\d)")
_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Mask this literal value wherever it appears in a log event."""
    if value and len(value) >= 4:
        _secrets.add(value)


def _phones(text: str) -> str:
    if not any(ch.isdigit() for ch in text):
        return text
    out, last = [], 0
    for match in phonenumbers.PhoneNumberMatcher(text, "ID", leniency=phonenumbers.Leniency.VALID):
        out += [text[last : match.start], "<phone>"]
        last = match.end
    return "".join(out) + text[last:] if out else text


def scrub(text: str) -> str:
    """Mask secrets and personal data in one string."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, "<secret>")
    if ":" in text:
        text = _BOT_TOKEN.sub("bot<secret>", text)
        text = _TOKEN.sub("<secret>", text)
    text = _BEARER.sub(r"\1\2<secret>", text)
    text = _EMAIL.sub("<email>", text)
    text = _NIK.sub("<nik>", text)
    return _phones(text)


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: _scrub_item(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_scrub_value(v) for v in value)
    return value


def _scrub_item(key: str, value: Any) -> Any:
    lowered = key.lower()
    if lowered in SECRET_KEYS:
        return "<secret>"
    if lowered in PII_KEYS and value is not None:
        return "<personal>"
    if lowered in SAFE_KEYS:
        return value
    return _scrub_value(value)


def redact(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: mask secrets and personal data in every key of the event."""
    for key in list(event):
        event[key] = _scrub_item(key, event[key])
    return event


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is now, not what it was at configuration."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def _drop_color_message(
    _logger: Any, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """uvicorn passes its message twice, once with ANSI colours (``extra``): drop that one."""
    event.pop("color_message", None)
    return event


def _renderer(fmt: str) -> Any:
    use_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    if use_json:
        return structlog.processors.JSONRenderer()
    return structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())


def configure_logging(level: str = "INFO", fmt: str = "auto") -> None:
    """Route structlog and stdlib logging through one redacting formatter on stderr."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            _drop_color_message,
            redact,
            _renderer(fmt),
        ],
    )
    handler = _StderrHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO (Telegram's carries the bot token): redaction
    # masks it, and WARNING keeps the noise down.
    for noisy in ("httpx", "httpcore", "telegram", "hpack"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "apscheduler", "alembic"):
        library = logging.getLogger(name)
        library.handlers[:] = []
        library.propagate = True
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # APScheduler writes "Running job ..." and "... executed successfully" for every run,
    # several a second: an idle daemon's log was nothing else. Its warnings stay (a missed
    # run, a job raising); each aduan job logs one line when it did something.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
