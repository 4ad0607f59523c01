"""A local Graph API for the WhatsApp tests: media lookups, media bytes, messages, the number.

Speaks the Cloud API's wire format on 127.0.0.1 (see :mod:`tests.channels.local_http`):

* ``GET /v21.0/<media-id>`` -> ``{"url", "mime_type", "sha256", "file_size", "id",
  "messaging_product"}`` (the url points back at this server's ``/media/<id>``);
* ``GET /media/<id>`` -> the bytes (bearer token required, like lookaside.fbsbx.com);
* ``POST /v21.0/<phone-number-id>/messages`` -> ``{"messaging_product", "contacts",
  "messages": [{"id": "wamid..."}]}``;
* ``GET /v21.0/<phone-number-id>`` -> ``{"id": ...}``.

A wrong token gets Meta's 401 with error code 190; ``fail`` queues answers
(status, Graph error code) given before the normal ones.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from tests.channels.local_http import Answer, Fake, Seen

TOKEN = "EAAG-test-access-token"
VERSION = "v21.0"


def graph_error(status: int, code: int, message: str) -> Answer:
    body = {
        "error": {
            "message": message,
            "type": "OAuthException",
            "code": code,
            "fbtrace_id": "AbCdEf123",
        }
    }
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()


@dataclass
class GraphFake(Fake):
    base: str = ""
    token: str = TOKEN
    files: dict[str, bytes] = field(default_factory=dict)
    fail: list[tuple[int, int]] = field(default_factory=list)
    """Answers to give first: (HTTP status, Graph error code)."""
    sent: list[dict[str, object]] = field(default_factory=list)

    def handle(self, request: Seen) -> Answer:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return graph_error(401, 190, "Error validating access token: Session has expired.")
        if self.fail:
            status, code = self.fail.pop(0)
            return graph_error(status, code, "Graph says no")
        parts = request.path.strip("/").split("/")
        if parts[0] == "media" and len(parts) == 2 and parts[1] in self.files:
            return 200, {"Content-Type": "image/jpeg"}, self.files[parts[1]]
        if parts[0] != VERSION:
            return graph_error(404, 803, "Unknown path")
        if len(parts) == 2 and parts[1] in self.files and request.method == "GET":
            data = self.files[parts[1]]
            info = {
                "messaging_product": "whatsapp",
                "url": f"{self.base}/media/{parts[1]}",
                "mime_type": "image/jpeg",
                "sha256": hashlib.sha256(data).hexdigest(),
                "file_size": len(data),
                "id": parts[1],
            }
            return 200, {"Content-Type": "application/json"}, json.dumps(info).encode()
        if len(parts) == 3 and parts[2] == "messages" and request.method == "POST":
            body = json.loads(request.body)
            self.sent.append(body)
            wamid = f"wamid.SENT{len(self.sent):04d}"
            answer = {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                "messages": [{"id": wamid}],
            }
            return 200, {"Content-Type": "application/json"}, json.dumps(answer).encode()
        if len(parts) == 2 and request.method == "GET" and parts[1].isdigit():
            return 200, {"Content-Type": "application/json"}, json.dumps({"id": parts[1]}).encode()
        return graph_error(400, 100, "Unsupported get request.")
