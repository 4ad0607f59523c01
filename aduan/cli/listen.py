"""What ``aduan run`` does before serving: take its port, and greet a person at a terminal.

:func:`listen` binds the socket itself, before anything else starts, so a
port already in use stops the daemon with one line naming the port and the
three ways to change it (exit 1), instead of a ``daemon_started`` line
followed by uvicorn's "address already in use".

:func:`banner` is a few plain lines on stderr when it is a terminal: where
the daemon answers, which store, which channels are on, how a clerk logs in.
A log collector (stderr not a terminal) never sees it.
"""

from __future__ import annotations

import errno
import socket
import sys

from sqlalchemy.engine import make_url

from aduan.config import Settings
from aduan.core.errors import AduanError


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``; AduanError with the way out when it is taken."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise AduanError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise AduanError(
                f"port {port} on {host} is already in use; choose another with --port, "
                "ADUAN_SERVER__PORT or server.port in the config (make run PORT=8081)"
            ) from None
        raise AduanError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def banner(settings: Settings, channels: list[str]) -> None:
    """The start-up lines for a person at a terminal (nothing otherwise)."""
    if not sys.stderr.isatty():
        return
    url = f"http://{settings.server.host}:{settings.server.port}"
    users = sorted(settings.desk.users)
    if users:
        login = f"{url}/login as {', '.join(users)} (password from your config)"
    else:
        login = "no clerk configured yet: see `aduan desk hash-password` and [desk.users]"
    lines = [
        f"aduan is running at {url}  (health: {url}/healthz, stop: Ctrl-C)",
        f"  store:    {make_url(settings.database_url).render_as_string(hide_password=True)}",
        f"  channels: {', '.join(channels) if channels else 'none enabled'}",
        f"  desk:     {login}",
    ]
    print("\n".join(lines), file=sys.stderr, flush=True)
