"""A fake Messenger Send API on 127.0.0.1: ``POST /<version>/me/messages``.

It checks the page token (``Authorization: Bearer``), records each body in
``sent`` and answers ``{"recipient_id", "message_id"}``; a PSID in ``errors``
gets that Graph error instead (``{"error": {"message", "type", "code",
"error_subcode", "fbtrace_id"}}``, with its HTTP status).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tests.channels.local_http import Answer, Fake, Seen

PAGE_TOKEN = "EAAG-fake-page-access-token"
VERSION = "v21.0"


def graph_error(
    status: int, code: int, message: str, subcode: int | None = None, **extra: Any
) -> Answer:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error.update(extra, fbtrace_id="AbCdEfGhIjK")
    return status, {"Content-Type": "application/json"}, json.dumps({"error": error}).encode()


@dataclass
class FakeSendApi(Fake):
    sent: list[dict[str, Any]] = field(default_factory=list)
    errors: dict[str, Answer] = field(default_factory=dict)

    def handle(self, request: Seen) -> Answer:
        if request.method != "POST" or request.path != f"/{VERSION}/me/messages":
            return graph_error(400, 100, "Unsupported post request.", 33)
        if request.headers.get("authorization") != f"Bearer {PAGE_TOKEN}":
            return graph_error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        body = json.loads(request.body)
        psid = body["recipient"]["id"]
        if psid in self.errors:
            return self.errors[psid]
        self.sent.append(body)
        mid = f"m_fake{len(self.sent):04d}"
        answer = {"recipient_id": psid, "message_id": mid}
        return 200, {"Content-Type": "application/json"}, json.dumps(answer).encode()
