"""Sizing a background job's write transactions by the time they hold the store.

On SQLite one transaction at a time may write, and a webhook answers only
after its rows are committed: while the normalize job holds the write lock,
every webhook waits. Batches of a fixed 1,000 raw messages held it 0.5-1.7 s
under a burst (about 1.5 ms of work a message on a busy machine), and intake's
p99 was that long. :class:`Slices` sizes each next batch from what the last
ones took per row, so that one transaction lasts about ``seconds``; between
two transactions the lock is free for the webhooks.

The per-row time includes the batch's fixed costs (its queries, its bulk
writes, the commit), so the size it settles on is the one whose whole
transaction fits: with ``t(n) = a + b·n``, sizing the next batch as
``seconds / (t(n) / n)`` converges on ``a + b·n = seconds``. A batch at most
doubles the last size (one batch of cheap rows, all duplicates, does not make
the next one long), never exceeds ``most``, and is never under one row. The
estimate is only as good as the next batch is like the last ones (a busy
machine, a GIL shared with the event loop: a batch may take twice its
share), so :meth:`begin` also gives the time past which the batch places no
more messages: what it has not placed stays pending for the next batch.

On PostgreSQL writers do not exclude each other; the same bound keeps the
claimed rows' locks short and the work a failed batch repeats small.
"""

from __future__ import annotations

import time

FIRST_ROWS = 16
"""The size of a run's first batch, before anything was measured."""


class Slices:
    """The next batch's size, from the times the previous batches took."""

    def __init__(self, seconds: float, most: int) -> None:
        self.seconds = seconds
        self.most = most
        self.size = max(1, min(most, FIRST_ROWS))
        """How many rows the next batch should claim."""
        self._per_row: float | None = None
        self._began: float | None = None

    def begin(self) -> float:
        """A batch's transaction begins now: the time (``time.perf_counter``) after which it
        should place no more messages."""
        self._began = time.perf_counter()
        return self._began + self.seconds

    def end(self, rows: int) -> None:
        """The batch begun last took ``rows`` rows and is committed (or rolled back)."""
        if self._began is not None:
            self.took(rows, time.perf_counter() - self._began)
            self._began = None

    def took(self, rows: int, seconds: float) -> None:
        """A batch of ``rows`` rows took ``seconds`` from its start to its commit."""
        if rows <= 0:
            return
        per_row = seconds / rows
        # Half the last batch, half the ones before: one stalled commit (a busy disk)
        # shrinks the next batch without forgetting everything measured so far.
        self._per_row = per_row if self._per_row is None else (self._per_row + per_row) / 2
        fit = int(self.seconds / self._per_row) if self._per_row > 0 else self.most
        self.size = max(1, min(self.most, fit, 2 * self.size))
