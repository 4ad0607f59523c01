"""Sending through an SMS gateway: the one HTTP call, its error classes, text encoding.

Every gateway's ``send`` goes through :func:`call` and the helpers below, so
the classes of failure are the same for all of them (see
:class:`~aduan.channels.replies.SendFailed`):

* no answer (timeout, connection refused or reset, DNS): transient;
* HTTP 429: transient, ``retry_after`` from ``Retry-After`` when given;
* HTTP 5xx: transient; HTTP 4xx (and any other non-2xx): permanent;
* a 2xx whose body cannot be read (not JSON, not the documented shape):
  permanent, because the provider may have taken the message and a retry
  could send it twice; the reason says so, for the operator.

The same helpers serve the other HTTP repliers (Telegram, X, Messenger):
:class:`KeptClient` is the one HTTP client a replier keeps until it is closed.

Reasons never carry a secret or a phone number: provider texts go through
:func:`~aduan.core.privacy.mask_text` and are cut short. Sample reason:
``twilio: HTTP 400: 21211 The 'To' number <phone> is not a valid phone number.``
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from aduan.channels.replies import SendFailed
from aduan.core.clock import utcnow
from aduan.core.privacy import mask_text

# GSM 03.38: the default alphabet, then the extension table (two septets each).
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "\f^{}\\[~]|€"
_GSM7 = frozenset(GSM7_BASIC + GSM7_EXTENSION)
MAX_REASON = 200


class KeptClient:
    """One ``httpx.Client`` made on first use and kept (thread-safe) until :meth:`close`."""

    def __init__(self) -> None:
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    def get(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                self._client = httpx.Client(follow_redirects=False)
            return self._client

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None


def is_gsm7(text: str) -> bool:
    """True when every character has a GSM-7 code (else the SMS must go as UCS-2)."""
    return all(char in _GSM7 for char in text)


def phone_number(gateway: str, recipient: str) -> str:
    """The E.164 number of a ``tel:+62...`` identity; anything else is refused for good."""
    kind, _, number = recipient.partition(":")
    if kind != "tel" or not re.fullmatch(r"\+[1-9]\d{6,14}", number):
        raise SendFailed(f"{gateway}: recipient is not a phone number ({kind}:)", transient=False)
    return number


def detail(text: Any) -> str:
    """A provider's own words, masked and cut short, fit for a reason and a log line."""
    one_line = " ".join(str(text).split())
    masked = mask_text(one_line)
    return masked if len(masked) <= MAX_REASON else masked[: MAX_REASON - 1] + "…"


def missing(gateway: str, *names: str) -> SendFailed:
    return SendFailed(
        f"{gateway}: sending is not configured (set {', '.join(names)})", transient=False
    )


def call(
    client: httpx.Client, gateway: str, method: str, url: str, **kwargs: Any
) -> httpx.Response:
    """One request to the provider; no answer at all becomes a transient ``SendFailed``."""
    try:
        return client.request(method, url, **kwargs)
    except httpx.TimeoutException:
        raise SendFailed(f"{gateway}: no answer in time", transient=True) from None
    except httpx.TransportError as exc:
        # ConnectError, ReadError, RemoteProtocolError...: the class only, never the URL
        # (a Kannel URL carries the sendsms password in its query).
        reason = f"{gateway}: connection failed ({type(exc).__name__})"
        raise SendFailed(reason, transient=True) from None


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds from ``Retry-After`` (a number or an HTTP date); None when absent or unreadable."""
    value = (headers.get("retry-after") or "").strip()
    if not value:
        return None
    if value.replace(".", "", 1).isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - utcnow()).total_seconds())


def refused(gateway: str, response: httpx.Response, said: str = "") -> SendFailed:
    """The failure a non-2xx answer means: 429 and 5xx transient, the rest permanent."""
    status = response.status_code
    reason = f"{gateway}: HTTP {status}" + (f": {detail(said)}" if said.strip() else "")
    if status == 429:
        return SendFailed(reason, transient=True, retry_after=retry_after(response.headers))
    return SendFailed(reason, transient=status >= 500)


def unreadable(gateway: str, what: str) -> SendFailed:
    return SendFailed(
        f"{gateway}: unreadable answer ({what}); the message may have been sent", transient=False
    )


def json_object(gateway: str, response: httpx.Response) -> dict[str, Any]:
    """The JSON object of a 2xx answer, or the permanent ``unreadable`` failure."""
    try:
        data = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        raise unreadable(gateway, "not JSON") from None
    if not isinstance(data, dict):
        raise unreadable(gateway, "JSON is not an object")
    return data


def error_text(response: httpx.Response, *keys: str) -> str:
    """What a failed answer says: the named JSON fields joined, else its text."""
    try:
        data = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        data = None
    if isinstance(data, dict):
        found = [str(data[key]) for key in keys if data.get(key) not in (None, "")]
        if found:
            return " ".join(found)
    return response.text[:500]
