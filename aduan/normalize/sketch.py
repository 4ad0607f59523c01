"""MinHash sketches computed in batches with numpy, and a sliding-window LSH index.

One datasketch ``MinHash`` object per text costs about 250 µs; here a whole
batch is hashed at once: every word shingle of every text becomes one crc32
value, the ``num_perm`` universal hashes ``(a*x + b) mod p`` are applied to
the whole column at once, and ``np.minimum.reduceat`` takes each text's
minimum per permutation. The signatures equal datasketch's in kind (a MinHash
over the same shingles), at a few µs per text.

:class:`WindowLSH` keeps only the texts inside the dedup window: entries
older than the window are evicted as time moves on (replay in time order), so
memory and false candidates stay flat however large the store grows.
"""

from __future__ import annotations

import zlib
from collections import deque
from collections.abc import Iterable, Sequence
from datetime import datetime

import numpy as np
import numpy.typing as npt

_PRIME = np.uint64((1 << 61) - 1)
_MASK32 = np.uint64(0xFFFFFFFF)


def optimal_bands(num_perm: int, threshold: float) -> tuple[int, int]:
    """(bands, rows) whose S-curve crosses ``threshold``: b*r <= num_perm."""
    best = (num_perm, 1)
    best_err = 2.0
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if bands == 0:
            break
        crossing = (1.0 / bands) ** (1.0 / rows)
        err = abs(crossing - threshold)
        if err < best_err:
            best, best_err = (bands, rows), err
    return best


def shingles(match_text: str, size: int) -> list[bytes]:
    words = match_text.split()
    if len(words) <= size:
        return [" ".join(words).encode()] if words else []
    return [" ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)]


class MinHasher:
    """Batched MinHash with ``num_perm`` fixed permutations (seeded: stable across runs)."""

    def __init__(self, num_perm: int = 64, shingle_words: int = 2, seed: int = 1) -> None:
        rng = np.random.default_rng(seed)
        self.num_perm = num_perm
        self.shingle_words = shingle_words
        self.a = rng.integers(1, (1 << 32) - 1, size=num_perm, dtype=np.uint64)
        self.b = rng.integers(0, (1 << 32) - 1, size=num_perm, dtype=np.uint64)

    def signatures(self, texts: Sequence[str]) -> npt.NDArray[np.uint64]:
        """One row of ``num_perm`` minima per text (all-ones for an empty text)."""
        out = np.full((len(texts), self.num_perm), np.iinfo(np.uint32).max, dtype=np.uint64)
        values: list[int] = []
        starts: list[int] = []
        rows: list[int] = []
        for row, text in enumerate(texts):
            grams = shingles(text, self.shingle_words)
            if not grams:
                continue
            rows.append(row)
            starts.append(len(values))
            values.extend(zlib.crc32(g) for g in grams)
        if not values:
            return out
        column = np.asarray(values, dtype=np.uint64)[:, None]
        hashed = ((column * self.a + self.b) % _PRIME) & _MASK32
        out[rows] = np.minimum.reduceat(hashed, np.asarray(starts), axis=0)
        return out


class WindowLSH:
    """LSH buckets over the signatures of the texts inside a time window."""

    def __init__(self, num_perm: int, threshold: float) -> None:
        self.bands, self.rows = optimal_bands(num_perm, threshold)
        self._buckets: dict[tuple[int, bytes], dict[int, None]] = {}
        self._keys: dict[int, list[tuple[int, bytes]]] = {}
        self._order: deque[tuple[datetime, int]] = deque()

    def __len__(self) -> int:
        return len(self._keys)

    def _band_keys(self, signature: npt.NDArray[np.uint64]) -> list[tuple[int, bytes]]:
        r = self.rows
        raw = signature.astype(np.uint32).tobytes()
        width = 4 * r
        return [(band, raw[band * width : (band + 1) * width]) for band in range(self.bands)]

    def query(self, signature: npt.NDArray[np.uint64]) -> set[int]:
        found: set[int] = set()
        for key in self._band_keys(signature):
            bucket = self._buckets.get(key)
            if bucket:
                found.update(bucket)
        return found

    def insert(self, item: int, signature: npt.NDArray[np.uint64], at: datetime) -> None:
        if item in self._keys:
            return
        keys = self._band_keys(signature)
        for key in keys:
            self._buckets.setdefault(key, {})[item] = None
        self._keys[item] = keys
        self._order.append((at, item))

    def remove(self, item: int) -> None:
        for key in self._keys.pop(item, ()):
            bucket = self._buckets.get(key)
            if bucket is not None:
                bucket.pop(item, None)
                if not bucket:
                    del self._buckets[key]

    def evict_before(self, cutoff: datetime) -> list[int]:
        """Drop entries older than ``cutoff`` (inserted in time order); return their ids."""
        gone: list[int] = []
        while self._order and self._order[0][0] < cutoff:
            _, item = self._order.popleft()
            self.remove(item)
            gone.append(item)
        return gone

    def items(self) -> Iterable[int]:
        return self._keys.keys()
