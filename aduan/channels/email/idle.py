"""IMAP IDLE between polls: intake within seconds, and a dead connection never spins the CPU.

One thread per watched folder holds its own connection in IDLE and calls
``on_mail()`` when the server announces new mail (``EXISTS``/``RECENT``); the
poll itself runs on the channel's normal connection. IDLE is re-issued every
``idle_renew_seconds`` (RFC 2177: at most 29 minutes).

imapclient answers every ``idle_check`` at once with nothing once the server
has gone away (mjs/imapclient#565), so a naive loop spins at 100% CPU. Here an
instant empty answer, repeated, or a ``BYE`` means the connection is dead: it
is dropped and re-made with exponential backoff (1 s doubling to 5 min),
waiting on an event so that ``stop()`` ends the thread at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from aduan.channels.email.client import close_quietly, connect, imap_errors, select
from aduan.channels.email.config import EmailConfig
from aduan.core.errors import ChannelError, TransientError
from aduan.core.logs import get_logger

log = get_logger("aduan.channels.email.idle")

BACKOFF_BASE = 1.0
BACKOFF_MAX = 300.0
DEAD_AFTER = 3
"""Consecutive instant, empty ``idle_check`` answers that mean the socket is dead."""


def _announces_mail(responses: list[Any]) -> bool:
    return any(
        isinstance(r, tuple) and len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses
    )


def _says_bye(responses: list[Any]) -> bool:
    return any(isinstance(r, tuple) and r and r[0] == b"BYE" for r in responses)


class IdleWatcher:
    """Watch ``config.folders`` in IDLE; call ``on_mail`` when new mail arrives."""

    def __init__(
        self,
        config: EmailConfig,
        where: str,
        on_mail: Callable[[], None],
        *,
        tick: float = 2.0,
    ) -> None:
        self.config = config
        self.where = where
        self.on_mail = on_mail
        self.tick = tick
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        self.connections = 0
        """Connections made so far (tests watch reconnects)."""

    def start(self) -> None:
        for folder in self.config.folders:
            thread = threading.Thread(
                target=self._run, args=(folder,), name=f"idle:{self.where}:{folder}", daemon=True
            )
            thread.start()
            self.threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout)

    def _run(self, folder: str) -> None:
        failures = 0
        while not self.stopping.is_set():
            client: IMAPClient | None = None
            try:
                client = connect(self.config, self.where)
                self.connections += 1
                select(client, folder, self.where)
                failures = 0
                self.on_mail()  # mail may have come while no connection was watching
                while not self.stopping.is_set():
                    self._idle_once(client)
            except ChannelError as exc:
                failures += 1
                delay = min(BACKOFF_MAX, BACKOFF_BASE * 2 ** (failures - 1))
                log.warning("idle_reconnect", channel=self.where, error=str(exc), wait=delay)
                self.stopping.wait(delay)
            finally:
                if client is not None:
                    close_quietly(client)

    def _idle_once(self, client: IMAPClient) -> None:
        """One IDLE command, ended after ``idle_renew_seconds`` or at stop."""
        with imap_errors(self.where):
            client.idle()
        started = time.monotonic()
        instant_empty = 0
        try:
            while not self.stopping.is_set():
                if time.monotonic() - started >= self.config.idle_renew_seconds:
                    break
                asked = time.monotonic()
                with imap_errors(self.where):
                    responses = client.idle_check(timeout=self.tick)
                if _says_bye(responses):
                    raise TransientError(f"{self.where}: server said BYE during IDLE")
                if responses:
                    instant_empty = 0
                elif time.monotonic() - asked < self.tick / 10:
                    instant_empty += 1
                    if instant_empty >= DEAD_AFTER:
                        raise TransientError(f"{self.where}: IDLE connection is dead")
                else:
                    instant_empty = 0
                if _announces_mail(responses):
                    self.on_mail()
        finally:
            try:
                with imap_errors(self.where):
                    client.idle_done()
            except ChannelError:
                pass  # the caller is already leaving, or will find out on the next command
            except IMAPClientError:
                pass
