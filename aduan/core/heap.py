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
"""

from __future__ import annotations

import gc
import threading

FULL_EVERY = 200
"""Batches between two full collections of everything."""

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
