"""The ``outbox`` job (listed in :mod:`aduan.daemon.jobs`): send what is due, every
``outbox.cadence_seconds``.

Each configured channel instance whose type can answer
(:func:`aduan.channels.registry.replier_for`) sends its own rows; the
:class:`~aduan.runtime.outbox.Sender` is kept for the daemon's life so each
instance's rate bucket carries over from run to run.
No lease: rows are claimed ``FOR UPDATE SKIP LOCKED``, so replicas share the
work (each with its own buckets: two replicas may send at twice the rate).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from aduan.channels.registry import repliers_for
from aduan.runtime.outbox import Sender

if TYPE_CHECKING:
    from aduan.runtime import Runtime


class OutboxJob:
    """Callable as a periodic job; one :class:`Sender` per runtime it is given."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._senders: dict[int, tuple[Runtime, Sender]] = {}

    def sender(self, runtime: Runtime) -> Sender:
        with self._lock:
            kept = self._senders.get(id(runtime))
            if kept is None or kept[0] is not runtime:
                sender = Sender(
                    runtime.engine, repliers_for(runtime.channels), runtime.settings.outbox
                )
                kept = self._senders[id(runtime)] = (runtime, sender)
            return kept[1]

    def __call__(self, runtime: Runtime, should_stop: Callable[[], bool]) -> int:
        if not runtime.settings.outbox.enabled:
            return 0
        return self.sender(runtime).run(should_stop).sent


run_outbox = OutboxJob()
