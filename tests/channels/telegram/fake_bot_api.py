"""A fake Telegram Bot API on 127.0.0.1 (libraries.md §3): POST /bot<token>/<method>, form params.

It keeps updates until a ``getUpdates`` with a higher ``offset`` confirms
them, as Telegram does; serves files at ``/file/bot<token>/<path>``; records
``sendMessage`` calls (form or JSON bodies; a JSON object parameter is kept as
its JSON text, as the Bot API reads form fields). Set ``refuse`` to answer every
call 401; ``send_failures`` are answered to the next ``sendMessage`` calls, in order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tests.channels.local_http import Answer, Fake, Seen

TOKEN = "123456:AAH-fake-token-for-tests_0123456789"
BOT = {"id": 123456, "is_bot": True, "first_name": "Aduan Jaksel", "username": "aduan_jaksel_bot"}


def ok(result: Any) -> Answer:
    return (
        200,
        {"Content-Type": "application/json"},
        json.dumps({"ok": True, "result": result}).encode(),
    )


def fail(code: int, description: str) -> Answer:
    body = {"ok": False, "error_code": code, "description": description}
    return code, {"Content-Type": "application/json"}, json.dumps(body).encode()


@dataclass
class FakeBotApi(Fake):
    token: str = TOKEN
    updates: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    sent: list[dict[str, str]] = field(default_factory=list)
    refuse: bool = False
    send_failures: list[Answer] = field(default_factory=list)
    next_id: int = 900_000

    def add_text(self, text: str, user: int = 3527065, **extra: Any) -> dict[str, Any]:
        self.next_id += 1
        update = {
            "update_id": self.next_id,
            "message": {
                "message_id": self.next_id - 899_000,
                "date": 1_764_400_000 + self.next_id % 1000,
                "from": {"id": user, "is_bot": False, "first_name": "Sari", "language_code": "id"},
                "chat": {"id": user, "first_name": "Sari", "type": "private"},
                "text": text,
                **extra,
            },
        }
        self.updates.append(update)
        return update

    def handle(self, request: Seen) -> Answer:
        if request.path.startswith("/file/bot"):
            rest = request.path.removeprefix("/file/bot")
            token, _, path = rest.partition("/")
            for file_path, data in self.files.values():
                if token == self.token and path == file_path:
                    return 200, {"Content-Type": "image/jpeg"}, data
            return fail(404, "Not Found")
        token, _, method = request.path.removeprefix("/bot").partition("/")
        if self.refuse or token != self.token:
            return fail(401, "Unauthorized")
        params = dict(request.query)
        if request.body and request.headers.get("content-type", "").startswith("application/json"):
            for key, value in json.loads(request.body).items():
                params[key] = value if isinstance(value, str) else json.dumps(value)
        elif request.body:
            from urllib.parse import parse_qsl

            params.update(parse_qsl(request.body.decode()))
        if method == "getMe":
            return ok(BOT)
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            limit = int(params.get("limit") or 100)
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            return ok(self.updates[:limit])
        if method == "getFile":
            file_id = params.get("file_id", "")
            if file_id not in self.files:
                return fail(400, "Bad Request: invalid file_id")
            path, data = self.files[file_id]
            return ok(
                {
                    "file_id": file_id,
                    "file_unique_id": "u" + file_id,
                    "file_size": len(data),
                    "file_path": path,
                }
            )
        if method == "sendMessage":
            if self.send_failures:
                return self.send_failures.pop(0)
            self.sent.append(params)
            message = {
                "message_id": len(self.sent),
                "date": 1_764_400_000,
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "text": params.get("text", ""),
            }
            return ok(message)
        return fail(404, "Not Found")
