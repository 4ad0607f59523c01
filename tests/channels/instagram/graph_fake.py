"""A local HTTP server playing the Graph API for one Instagram account.

It answers what aduan calls, in Meta's wire format: ``POST /{account}/messages``
(``{"recipient_id", "message_id"}``), ``POST /{comment}/replies`` (``{"id"}``),
``GET /{account}?fields=id`` (the token probe) and ``GET /cdn/<name>`` (a file,
as Meta's CDN serves attachments). A refusal is queued in ``fail`` as
``(status, Graph error code, subcode, message)``; the errors' shapes are those
of Meta's Graph API error reference (``{"error": {"message", "type", "code",
"error_subcode", "fbtrace_id"}}``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from tests.channels.local_http import Answer, Fake, Seen, serve

ACCOUNT = "17841400000000001"
TOKEN = "IGQVJ-test-access-token-0001"
PHOTO = b"\xff\xd8\xff\xe0" + b"jpeg-bytes-of-a-broken-street-light" * 40


def graph_error(status: int, code: int, subcode: int | None, message: str) -> Answer:
    error: dict[str, object] = {"message": message, "type": "OAuthException", "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error["fbtrace_id"] = "AbCdEfGhIjK"
    return status, {"Content-Type": "application/json"}, json.dumps({"error": error}).encode()


def _json(value: object) -> Answer:
    return 200, {"Content-Type": "application/json"}, json.dumps(value).encode()


@dataclass
class GraphFake(Fake):
    fail: list[tuple[int, int, int | None, str]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=lambda: {"photo.jpg": PHOTO})
    token: str = TOKEN
    sent: int = 0

    def handle(self, request: Seen) -> Answer:
        if request.path.startswith("/cdn/"):
            data = self.files.get(request.path.removeprefix("/cdn/"))
            if self.fail:
                return graph_error(*self.fail.pop(0))
            if data is None:
                return 404, {"Content-Type": "text/plain"}, b"URL signature expired"
            return 200, {"Content-Type": "image/jpeg"}, data
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return graph_error(401, 190, 463, "Error validating access token: Session has expired")
        if self.fail:
            return graph_error(*self.fail.pop(0))
        parts = request.path.strip("/").split("/")
        if parts[0] == "v21.0":  # the Graph API version in config
            parts = parts[1:]
        if request.method == "GET" and parts == [ACCOUNT]:
            return _json({"id": ACCOUNT})
        if request.method == "POST" and parts == [ACCOUNT, "messages"]:
            body = json.loads(request.body)
            self.sent += 1
            recipient = body["recipient"].get("id") or body["recipient"].get("comment_id")
            return _json({"recipient_id": recipient, "message_id": f"aWdfZAG1-sent-{self.sent}"})
        if request.method == "POST" and len(parts) == 2 and parts[1] == "replies":
            return _json({"id": f"1790000000{len(self.seen):04d}"})
        return graph_error(400, 100, 33, "Unsupported request - method type: get")


def graph_env(url: str, store_url: str, data_dir: str, **extra: str) -> dict[str, str]:
    """Settings of the instance ``pemkot`` talking to the fake Graph API at ``url``."""
    names = {
        "ACCOUNT_ID": ACCOUNT,
        "APP_SECRET": "ig-app-secret-for-tests",
        "VERIFY_TOKEN": "v",
        "ACCESS_TOKEN": TOKEN,
        "GRAPH_API_BASE_URL": url,
        **extra,
    }
    env = {f"ADUAN_CHANNELS__INSTAGRAM__PEMKOT__{k}": v for k, v in names.items()}
    return {"ADUAN_DATABASE_URL": store_url, "ADUAN_DATA_DIR": data_dir, **env}


@contextmanager
def graph() -> Iterator[tuple[GraphFake, str]]:
    fake = GraphFake()
    with serve(fake) as url:
        yield fake, url
