"""The Instagram Graph API calls aduan makes: send a message, reply to a comment, probe
the token, download a file. One HTTP call each, and one way of reading failures.

Meta answers a refused call with ``{"error": {"message", "type", "code",
"error_subcode", "fbtrace_id"}}``. How a failure is classed (the reason never
carries the token, which travels only in the ``Authorization`` header):

* no answer (timeout, connection refused or reset): transient;
* HTTP 5xx, HTTP 429, and Graph codes 1, 2 (temporary), 4, 17, 32, 613 and
  80002-80009 (rate limits): transient, ``retry_after`` from ``Retry-After``;
* code 190 (token expired or revoked), 10 and 200-299 (permission), 100
  (bad parameter, unknown recipient), 551 (user unavailable) and any other
  4xx: permanent;
* a 2xx whose body is not the documented JSON: permanent (the message may
  have gone; a retry could send it twice).

Sample refusal: ``instagram: HTTP 400: Graph error 10/2534022: This message is
sent outside of allowed window.``
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from aduan.channels.messenger import TRANSIENT_CODES as MESSENGER_TRANSIENT
from aduan.channels.replies import SendFailed
from aduan.core.privacy import mask_text

TRANSIENT_CODES = MESSENGER_TRANSIENT | {341, *range(80002, 80010)}
"""Graph error codes that a later retry may get through: Messenger's (temporary, rate
limits), and Instagram's business-use-case rate limits."""
TOKEN_REFUSED = frozenset({102, 190})
"""Graph error codes of an access token that no longer works (expired, revoked)."""
MAX_REASON = 200


def detail(text: Any) -> str:
    """A provider's words, masked and cut short, fit for a reason and a log line."""
    one_line = mask_text(" ".join(str(text).split()))
    return one_line if len(one_line) <= MAX_REASON else one_line[: MAX_REASON - 1] + "…"


def graph_error(response: httpx.Response) -> tuple[int | None, int | None, str]:
    """``(code, subcode, message)`` of a Graph error answer; Nones when it is no such JSON."""
    try:
        data = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None, None, response.text[:300]
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        return None, None, response.text[:300]
    code, sub = error.get("code"), error.get("error_subcode")
    return (
        code if isinstance(code, int) else None,
        sub if isinstance(sub, int) else None,
        str(error.get("message") or ""),
    )


def retry_after(headers: Mapping[str, str]) -> float | None:
    value = (headers.get("retry-after") or "").strip()
    return float(value) if value.replace(".", "", 1).isdigit() else None


def refused(response: httpx.Response) -> SendFailed:
    """The :class:`SendFailed` a non-2xx Graph answer means."""
    status = response.status_code
    code, sub, message = graph_error(response)
    said = f"Graph error {code}" + (f"/{sub}" if sub else "") + f": {detail(message)}"
    reason = f"instagram: HTTP {status}: " + (said if code is not None else detail(message))
    transient = status >= 500 or status == 429 or code in TRANSIENT_CODES
    if code in TOKEN_REFUSED:
        reason += " (the access token was refused: renew it)"
    return SendFailed(reason, transient=transient, retry_after=retry_after(response.headers))


class Graph:
    """Calls to ``base_url`` (``https://graph.facebook.com/v21.0``; Instagram Login apps:
    ``https://graph.instagram.com/v21.0``) with one access token."""

    def __init__(self, base_url: str, token: str, timeout: float = 15.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._client = httpx.Client(timeout=timeout, follow_redirects=False)

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or ""

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One call; no answer at all is a transient :class:`SendFailed`."""
        try:
            return self._client.request(
                method, f"{self.base_url}/{path.lstrip('/')}", headers=self._auth(), **kwargs
            )
        except httpx.TimeoutException:
            raise SendFailed("instagram: no answer in time", transient=True) from None
        except httpx.TransportError as exc:
            reason = f"instagram: connection failed ({type(exc).__name__})"
            raise SendFailed(reason, transient=True) from None

    def post(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST JSON; the answer's JSON object, or :class:`SendFailed`."""
        response = self.request("POST", path, json=dict(body))
        if not response.is_success:
            raise refused(response)
        try:
            data = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            data = None
        if not isinstance(data, dict):
            raise SendFailed(
                "instagram: unreadable answer (not a JSON object); the message may have been sent",
                transient=False,
            )
        return data

    def download(self, url: str, limit: int, token_hosts: tuple[str, ...]) -> bytes:
        """The bytes at ``url`` (at most ``limit``). The token goes only to the Graph host and
        hosts ending in one of ``token_hosts`` (Meta's CDNs), never to another host a payload
        names. Raises :class:`SendFailed` (transient: may work later) or ``ValueError``
        (too large: it never will)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("not an http(s) URL")
        host = parts.hostname.lower()
        trusted = host == self.host or any(host == h or host.endswith("." + h) for h in token_hosts)
        headers = self._auth() if trusted else {}
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                if not response.is_success:
                    response.read()  # an error's JSON (small); a file's body is never read so
                    raise refused(response)
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise ValueError(f"over {limit} bytes")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise ValueError(f"over {limit} bytes")
                    chunks.append(chunk)
                return b"".join(chunks)
        except httpx.TimeoutException:
            raise SendFailed("instagram: no answer in time", transient=True) from None
        except httpx.TransportError as exc:
            reason = f"instagram: download failed ({type(exc).__name__})"
            raise SendFailed(reason, transient=True) from None

    def close(self) -> None:
        self._client.close()
