"""Keeping CPython's garbage collector off the long-lived heap of batch work.

The normalizer's window (a week of complaints: entries, features, LSH
buckets, the block index) is hundreds of thousands of objects that live for
days. A full collection walks all of them whenever the survivors grow by a
quarter, which cost about a sixth of a replay's time. :func:`settle`, called
after each batch, moves what survived into the permanent generation
(``gc.freeze``), so collections walk only what is new. Objects in it are still
freed by reference counting; only a reference cycle that became garbage while
frozen waits, and every ``FULL_EVERY`` settles everything is unfrozen and
collected once, so such garbage lives a bounded time.

While the web app serves, :func:`serving` also makes young collections rarer:
a webhook allocates a hundred or so containers (its parsed JSON) that reference
counting frees, and at CPython's default of one young collection per 700
allocations one ran every few requests (~10% of a WhatsApp delivery's CPU).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

FULL_EVERY = 200
"""Batches between two full collections of everything."""
YOUNG_WHILE_SERVING = 10_000
"""Allocations between two young collections while the web app serves (CPython: 700)."""

_lock = threading.Lock()
_settled = 0


def settle() -> None:
    """After a batch: freeze what survived it; now and then, collect everything."""
    global _settled
    with _lock:
        _settled += 1
        if _settled % FULL_EVERY == 0:
            gc.unfreeze()
            gc.collect()
        else:
            gc.collect(1)  # the batch's own cyclic garbage, before it is frozen
        gc.freeze()


@contextmanager
def serving() -> Iterator[None]:
    """While the web app runs: young collections every :data:`YOUNG_WHILE_SERVING`
    allocations; the collector's thresholds are as they were afterwards."""
    before = gc.get_threshold()
    gc.set_threshold(YOUNG_WHILE_SERVING, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
