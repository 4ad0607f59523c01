"""The Graph API calls of a Cloud API instance: media, messages, the token check.

Every call carries ``Authorization: Bearer <access token>`` and goes to
``{graph_url}/{api_version}/...``. Errors come back as
``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``;
:func:`classify` sorts their codes:

* transient (a retry may help): no answer, HTTP 5xx or 429, codes 1, 2, 4, 17,
  341, 613, 80007, 130429 (throughput), 131000, 131016, 131048, 131056, 133004;
* the token is refused (the channel is broken until a person fixes it):
  HTTP 401 or code 190 (expired or invalid token);
* anything else is permanent for that one request (131047: outside the
  24-hour window, 131026: undeliverable, 132xxx: template problems, 100: bad
  parameter).

Media: ``GET /{media-id}`` answers ``{"url", "mime_type", "sha256",
"file_size", "id"}``; ``GET url`` with the same bearer token gives the bytes.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx

from aduan.channels.sms.outbound import detail, retry_after
from aduan.channels.whatsapp.config import CloudConfig

TRANSIENT_CODES = frozenset(
    {1, 2, 4, 17, 341, 613, 80007, 130429, 131000, 131016, 131048, 131056, 133004}
)
TOKEN_CODES = frozenset({190})


class GraphFailure(Exception):
    """A Graph API call that did not succeed: ``kind`` is transient, token or permanent."""

    def __init__(self, reason: str, kind: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind
        self.retry_after = retry_after


def classify(response: httpx.Response) -> GraphFailure:
    """The failure a non-2xx answer means (see the module docstring)."""
    status = response.status_code
    code: int | None = None
    said = ""
    try:
        error = json.loads(response.content).get("error")
    except (ValueError, UnicodeDecodeError, AttributeError):
        error = None
    if isinstance(error, dict):
        code = error.get("code") if isinstance(error.get("code"), int) else None
        said = " ".join(str(error[k]) for k in ("code", "message") if error.get(k) is not None)
    reason = f"whatsapp: HTTP {status}" + (f": {detail(said)}" if said else "")
    if status == 401 or code in TOKEN_CODES:
        return GraphFailure(reason + " (the Graph API refused the access token)", "token")
    if status == 429 or status >= 500 or code in TRANSIENT_CODES:
        return GraphFailure(reason, "transient", retry_after(response.headers))
    return GraphFailure(reason, "permanent")


class Graph:
    """One HTTP client per instance, made on first use; thread-safe."""

    def __init__(self, config: CloudConfig) -> None:
        self.config = config
        self._http: httpx.Client | None = None
        self._lock = threading.Lock()

    def _client(self) -> httpx.Client:
        with self._lock:
            if self._http is None:
                self._http = httpx.Client(
                    follow_redirects=False, timeout=self.config.timeout_seconds
                )
            return self._http

    def url(self, *parts: str) -> str:
        base = self.config.graph_url.rstrip("/")
        return "/".join((base, self.config.api_version, *parts))

    def _headers(self) -> dict[str, str]:
        token = self.config.access_token
        if token is None:
            raise GraphFailure("whatsapp: access_token not configured", "token")
        return {"Authorization": f"Bearer {token.get_secret_value()}"}

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One call; no answer is a transient failure, a non-2xx a classified one."""
        try:
            response = self._client().request(method, url, headers=self._headers(), **kwargs)
        except httpx.TimeoutException:
            raise GraphFailure("whatsapp: no answer in time", "transient") from None
        except httpx.TransportError as exc:
            reason = f"whatsapp: connection failed ({type(exc).__name__})"
            raise GraphFailure(reason, "transient") from None
        if not response.is_success:
            raise classify(response)
        return response

    def json(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        response = self.request(method, url, **kwargs)
        try:
            data = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            data = None
        if not isinstance(data, dict):
            raise GraphFailure("whatsapp: the Graph API answered no JSON object", "permanent")
        return data

    def media(self, media_id: str, limit: int) -> bytes:
        """The bytes of one medium, refused (permanent) when over ``limit`` bytes."""
        info = self.json("GET", self.url(media_id))
        url, size = info.get("url"), info.get("file_size")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise GraphFailure("whatsapp: media answer without a URL", "permanent")
        if str(size or 0).isdigit() and int(size or 0) > limit:
            raise GraphFailure(f"whatsapp: medium over {limit} bytes", "permanent")
        try:
            with self._client().stream("GET", url, headers=self._headers()) as response:
                if not response.is_success:
                    response.read()
                    raise classify(response)
                data = bytearray()
                for chunk in response.iter_bytes():
                    data += chunk
                    if len(data) > limit:
                        raise GraphFailure(f"whatsapp: medium over {limit} bytes", "permanent")
        except httpx.TimeoutException:
            raise GraphFailure("whatsapp: no answer in time", "transient") from None
        except httpx.TransportError as exc:
            reason = f"whatsapp: download failed ({type(exc).__name__})"
            raise GraphFailure(reason, "transient") from None
        return bytes(data)

    def close(self) -> None:
        with self._lock:
            if self._http is not None:
                self._http.close()
                self._http = None
