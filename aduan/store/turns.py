"""Whose turn it is to write to a SQLite file, within this process: intake before batch work.

SQLite lets one transaction write at a time. A writer that finds the file
locked does not queue: its busy handler sleeps and tries again, sleeping
longer each time (1, 2, 5, 10 ... 100 ms), and gets in only if its try falls
between two of the holder's transactions. A background job that commits
batch after batch leaves gaps of well under a millisecond, so the webhook
sink's writer, which must commit before any webhook may answer, slept
through batch after batch: it waited 1.2 s for the write lock while the
normalize job's transactions were each 50 ms long.

:class:`Turns` queues this process's writers of one file explicitly, before
they begin their transactions: ``urgent`` (the webhook sink) and
``background`` (the normalize job). A writer waits only for the one writing
now, and is woken the moment it finishes. When both kinds wait, they take
turns: an urgent writer never waits behind more than one background
transaction, and a background one never behind more than one urgent commit,
so a steady stream of webhooks cannot starve the normalizer either. Other
processes (a CLI command) and the other writers of this process still meet at
SQLite's busy handler, as before.

PostgreSQL writers do not exclude each other: :func:`turns_for` gives them
turns that never wait.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from sqlalchemy import Engine

from aduan.store.engine import is_sqlite

Kind = Literal["urgent", "background"]


class Turns:
    """One file's writers of this process, one transaction at a time, urgent ones first."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._writing = False
        self._waiting: dict[Kind, int] = {"urgent": 0, "background": 0}
        self._last: Kind = "background"

    @contextmanager
    def urgent(self) -> Iterator[None]:
        """Hold the turn for one transaction of the webhook sink."""
        with self._turn("urgent"):
            yield

    @contextmanager
    def background(self) -> Iterator[None]:
        """Hold the turn for one transaction of a background job."""
        with self._turn("background"):
            yield

    def waiting(self, kind: Kind) -> bool:
        """Whether a writer of ``kind`` waits for its turn now (a hint: it may change at once)."""
        return self._waiting[kind] > 0

    @contextmanager
    def _turn(self, kind: Kind) -> Iterator[None]:
        other: Kind = "background" if kind == "urgent" else "urgent"
        with self._cond:
            self._waiting[kind] += 1
            try:
                # Wait while someone writes; and when the other kind waits too, let it
                # go first if this kind had the last turn (both waiting: they alternate).
                while self._writing or (self._waiting[other] and self._last == kind):
                    self._cond.wait()
            finally:
                self._waiting[kind] -= 1
            self._writing = True
            self._last = kind
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


class _NoTurns(Turns):
    """Writers that never exclude each other (PostgreSQL)."""

    @contextmanager
    def _turn(self, kind: Kind) -> Iterator[None]:
        yield


_TURNS: dict[str, Turns] = {}
_LOCK = threading.Lock()


def turns_for(engine: Engine) -> Turns:
    """The turns of ``engine``'s database file (one per file, shared by its engines)."""
    if not is_sqlite(engine):
        return _NO_TURNS
    key = str(engine.url.database)
    with _LOCK:
        found = _TURNS.get(key)
        if found is None:
            found = _TURNS[key] = Turns()
        return found


_NO_TURNS = _NoTurns()
