"""``aduan run``: the daemon — scheduler and web app in one process.

SIGINT and SIGTERM stop it: uvicorn stops accepting requests and finishes
those in flight, the scheduler stops taking work, and the process exits
within 10 s. A poll or a job that hangs is abandoned (its cursor never
moved, so the next start fetches that batch again), and a watchdog ends the
process at :data:`HARD_EXIT_SECONDS` after the signal whatever still runs.
With SQLite, a second daemon on the same file refuses to start; a port in use
stops it at once with one line saying how to choose another (exit 1).
"""

from __future__ import annotations

import fcntl
import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import typer
import uvicorn

from aduan.cli.common import app, state
from aduan.cli.listen import banner, listen
from aduan.core.errors import AduanError
from aduan.core.logs import get_logger
from aduan.daemon.app import create_app
from aduan.daemon.scheduler import Daemon
from aduan.runtime import Runtime
from aduan.store.engine import is_sqlite, normalize_url, sqlite_path

log = get_logger("aduan.run")

HARD_EXIT_SECONDS = 9.5
"""After a stop signal, the process ends by this time even if something hangs."""


def _watchdog() -> None:
    def force_exit() -> None:
        log.error("shutdown_forced", after_seconds=HARD_EXIT_SECONDS)
        os._exit(0)

    timer = threading.Timer(HARD_EXIT_SECONDS, force_exit)
    timer.daemon = True
    timer.start()


@contextmanager
def single_daemon(database_url: str) -> Iterator[None]:
    """Hold an exclusive lock next to a SQLite file for the daemon's lifetime."""
    path = sqlite_path(normalize_url(database_url)) if is_sqlite(database_url) else None
    if path is None:
        yield
        return
    lock_path = Path(f"{path}.daemon.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = lock_path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise AduanError(
            f"another aduan daemon is already running on {path}; "
            "SQLite allows one daemon per file (use PostgreSQL for several replicas)"
        ) from None
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


class _Server(uvicorn.Server):
    """uvicorn's server, telling the daemon the moment a stop signal arrives."""

    def __init__(self, config: uvicorn.Config, on_signal: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_signal = on_signal

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        self._on_signal()


@app.command("run")
def run(
    host: str | None = typer.Option(None, "--host", help="Listen address (default 127.0.0.1)."),
    port: int | None = typer.Option(None, "--port", help="Listen port (default 8080)."),
) -> None:
    """Start the daemon: poll channels on their cadence, receive webhooks, serve /healthz."""
    settings = state.settings()
    server_settings = settings.server.model_copy(
        update={k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    )
    settings = settings.model_copy(update={"server": server_settings})
    with single_daemon(settings.database_url):
        sock = listen(server_settings.host, server_settings.port)
        runtime = Runtime.create(settings)
        daemon = Daemon(runtime)
        web = create_app(runtime, daemon.health)
        config = uvicorn.Config(
            web,
            host=server_settings.host,
            port=server_settings.port,
            log_config=None,
            access_log=settings.log.requests,
            proxy_headers=False,  # the app reads X-Forwarded-For from server.trusted_proxies
            timeout_graceful_shutdown=2,
        )
        stopping = threading.Event()

        def begin_stop() -> None:
            daemon.stopping.set()  # no new poll or job starts from now on
            if not stopping.is_set():
                stopping.set()
                _watchdog()

        server = _Server(config, begin_stop)

        def request_stop(_signum: int, _frame: object) -> None:
            server.should_exit = True
            begin_stop()

        # uvicorn re-raises a captured signal after its shutdown, under the handler that
        # was installed before it: this one, so the scheduler still gets its clean stop.
        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        daemon.start()
        log.info("daemon_started", url=f"http://{server_settings.host}:{server_settings.port}")
        banner(settings, [f"{kind}/{name}" for kind, name in sorted(runtime.channels)])
        finished = True
        try:
            server.run(sockets=[sock])
        finally:
            finished = daemon.stop(min(settings.scheduler.shutdown_seconds, 6.0))
            runtime.close()
            log.info("daemon_stopped")
        if not finished:
            os._exit(0)
        if not server.started:
            raise AduanError(f"could not listen on {server_settings.host}:{server_settings.port}")
