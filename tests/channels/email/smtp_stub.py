"""A scripted SMTP server on 127.0.0.1 for the refusals a real server rarely gives on cue.

It speaks the SMTP dialogue line by line (RFC 5321) and answers each command
with the reply scripted for it (``replies["RCPT"] = "451 4.7.1 Greylisted"``),
else the ordinary positive one; ``greeting`` may refuse the session itself.
The whole dialogue is recorded in ``seen``.

With a certificate (``cert``, ``key``) it offers STARTTLS, or speaks TLS from the
start (``implicit``); with ``login`` it offers ``AUTH PLAIN`` once the session is
encrypted, as real submission servers do. (OpenSMTPD 6.8 in Debian 12 cannot
finish a TLS handshake under OpenSSL 3 — upstream issues #1171/#1239 — so TLS
and AUTH are tested here.)
"""

from __future__ import annotations

import base64
import socketserver
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

OK = {
    "EHLO": "250-stub.test\r\n250 8BITMIME",
    "HELO": "250 stub.test",
    "MAIL": "250 2.1.0 Ok",
    "RCPT": "250 2.1.5 Ok",
    "DATA": "354 End data with <CR><LF>.<CR><LF>",
    "END": "250 2.0.0 Ok: queued",
    "RSET": "250 Ok",
    "NOOP": "250 Ok",
    "QUIT": "221 Bye",
}


@dataclass
class Script:
    greeting: str = "220 stub.test ESMTP"
    replies: dict[str, str] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)
    cert: Path | None = None
    key: Path | None = None
    implicit: bool = False
    login: tuple[str, str] | None = None
    logged_in: str | None = None

    def context(self) -> ssl.SSLContext | None:
        if self.cert is None or self.key is None:
            return None
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context

    def ehlo(self, encrypted: bool) -> str:
        lines = ["stub.test", "8BITMIME"]
        if self.context() is not None and not encrypted:
            lines.append("STARTTLS")
        if self.login is not None and encrypted:
            lines.append("AUTH PLAIN")
        return "\r\n".join(f"250-{line}" for line in lines[:-1]) + f"\r\n250 {lines[-1]}"

    def auth(self, command: str) -> str:
        try:
            _, user, password = base64.b64decode(command.split()[2]).decode().split("\0")
        except (IndexError, ValueError):
            return "501 5.5.2 Cannot decode"
        if (user, password) != self.login:
            return "535 5.7.8 Authentication credentials invalid"
        self.logged_in = user
        return "235 2.7.0 Authentication successful"

    def reply(self, command: str) -> str:
        return self.replies.get(command, OK.get(command, "502 5.5.2 Not implemented"))


@contextmanager
def serve(script: Script) -> Iterator[int]:
    context = script.context()

    class Handler(socketserver.BaseRequestHandler):
        def setup(self) -> None:
            self.encrypted = False
            if script.implicit and context is not None:
                self.request = context.wrap_socket(self.request, server_side=True)
                self.encrypted = True
            self.file = self.request.makefile("rwb")

        def write(self, text: str) -> None:
            self.file.write(text.encode() + b"\r\n")
            self.file.flush()

        def handle(self) -> None:
            self.write(script.greeting)
            if not script.greeting.startswith("2"):
                return
            while line := self.file.readline():
                command = line.decode("utf-8", "replace").strip()
                script.seen.append(command if not command.startswith("AUTH") else "AUTH")
                verb = command.split(" ", 1)[0].split(":", 1)[0].upper()
                if verb == "EHLO" and verb not in script.replies:
                    answer = script.ehlo(self.encrypted)
                elif verb == "STARTTLS" and context is not None and not self.encrypted:
                    self.write("220 2.0.0 Ready to start TLS")
                    self.file.close()
                    self.request = context.wrap_socket(self.request, server_side=True)
                    self.file = self.request.makefile("rwb")
                    self.encrypted = True
                    continue
                elif verb == "AUTH" and script.login is not None and self.encrypted:
                    answer = script.auth(command)
                else:
                    answer = script.reply(verb)
                self.write(answer)
                if verb == "DATA" and answer.startswith("354"):
                    while (data := self.file.readline()) not in (b".\r\n", b""):
                        script.seen.append(data.decode("utf-8", "replace").rstrip("\r\n"))
                    self.write(script.reply("END"))
                if verb == "QUIT":
                    return

        def finish(self) -> None:
            self.file.close()

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
