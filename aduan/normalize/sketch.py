"""MinHash LSH in batches with numpy, and a sliding-window LSH index.

One datasketch ``MinHash`` object per text costs about 250 µs; here a whole
batch is sketched at once. Each word is hashed once (crc32, remembered), a
shingle of ``shingle_words`` consecutive words is a polynomial of its words'
hashes, the ``num_perm`` multiply-shift hashes ``(a*x + b) >> 32`` are
applied to the whole column of shingles at once, and ``np.minimum.reduceat``
takes each text's minimum per permutation. The LSH band keys (``rows``
minima folded into one 64-bit number per band) come out of the same arrays,
so a text costs a few µs and the index only ever sees Python ints.

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

_MASK32 = np.uint64(0xFFFFFFFF)
_SHIFT = np.uint64(32)
_SHINGLE_MULTIPLIER = np.uint64(0x9E3779B1)
_EMPTY = np.uint64(0xFFFFFFFF)
_VOCABULARY_LIMIT = 200_000
_TEXTS_PER_PASS = 128
"""Texts sketched per numpy pass: the shingles x permutations arrays stay in cache."""

Column = npt.NDArray[np.uint64]
BandKeys = list[int]
"""One key per LSH band: texts whose keys agree in any band are candidates."""


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


class MinHasher:
    """Batched MinHash with ``num_perm`` fixed permutations (seeded: stable across runs),
    banded for LSH so that texts of shingle Jaccard ``threshold`` meet half the time."""

    def __init__(
        self, num_perm: int = 64, shingle_words: int = 2, threshold: float = 0.7, seed: int = 1
    ) -> None:
        rng = np.random.default_rng(seed)
        self.num_perm = num_perm
        self.shingle_words = shingle_words
        self.a = rng.integers(1, 1 << 63, size=num_perm, dtype=np.uint64) | np.uint64(1)
        self.b = rng.integers(0, 1 << 63, size=num_perm, dtype=np.uint64)
        self.bands, self.rows = optimal_bands(num_perm, threshold)
        self.fold = rng.integers(1, 1 << 63, size=self.rows, dtype=np.uint64) | np.uint64(1)
        self._words: dict[str, int] = {}

    def _word_hashes(self, words: list[str]) -> list[int]:
        known = self._words
        if len(known) > _VOCABULARY_LIMIT:
            known.clear()
        out = []
        for word in words:
            value = known.get(word)
            if value is None:
                value = known[word] = zlib.crc32(word.encode())
            out.append(value)
        return out

    def _shingles(
        self, texts: Sequence[str]
    ) -> tuple[npt.NDArray[np.uint64], list[int], list[int]]:
        """Every text's shingle hashes in one column, with each text's row and first index."""
        k = self.shingle_words
        flat: list[int] = []
        owner: list[int] = []  # the row of each word
        short: list[tuple[int, list[int]]] = []  # texts with fewer than k words
        for row, text in enumerate(texts):
            hashes = self._word_hashes(text.split())
            if len(hashes) >= k:
                flat.extend(hashes)
                owner.extend([row] * len(hashes))
            elif hashes:
                short.append((row, hashes))
        words = np.asarray(flat, dtype=np.uint64)
        rows = np.asarray(owner, dtype=np.int64)
        n = len(words) - k + 1
        if n > 0:
            values = words[:n].copy()
            for j in range(1, k):
                values = (values * _SHINGLE_MULTIPLIER + words[j : j + n]) & _MASK32
            keep = rows[:n] == rows[k - 1 :]  # a shingle never spans two texts
            values, value_rows = values[keep], rows[:n][keep]
        else:
            values, value_rows = words[:0], rows[:0]
        if short:
            extra = []
            for _row, hashes in short:
                value = hashes[0]
                for h in hashes[1:]:
                    value = (value * 0x9E3779B1 + h) & 0xFFFFFFFF
                extra.append(value)
            values = np.concatenate([values, np.asarray(extra, dtype=np.uint64)])
            value_rows = np.concatenate([value_rows, np.asarray([r for r, _ in short])])
            order = np.argsort(value_rows, kind="stable")
            values, value_rows = values[order], value_rows[order]
        present, starts = np.unique(value_rows, return_index=True)
        return values, present.tolist(), starts.tolist()

    def signatures(self, texts: Sequence[str]) -> npt.NDArray[np.uint64]:
        """One row of ``num_perm`` minima per text (all-ones for an empty text)."""
        out = np.full((len(texts), self.num_perm), _EMPTY, dtype=np.uint64)
        for first in range(0, len(texts), _TEXTS_PER_PASS):
            part = texts[first : first + _TEXTS_PER_PASS]
            values, rows, starts = self._shingles(part)
            if len(values):
                hashed = values[:, None] * self.a
                hashed += self.b
                hashed >>= _SHIFT
                out[first + np.asarray(rows)] = np.minimum.reduceat(
                    hashed, np.asarray(starts), axis=0
                )
        return out

    def band_keys(self, signatures: npt.NDArray[np.uint64]) -> list[BandKeys]:
        """Each signature's ``bands`` keys: its ``rows`` minima per band folded into one."""
        used = signatures[:, : self.bands * self.rows].reshape(-1, self.bands, self.rows)
        folded: list[BandKeys] = (used * self.fold).sum(axis=2, dtype=np.uint64).tolist()
        return folded

    def keys(self, texts: Sequence[str]) -> list[BandKeys]:
        return self.band_keys(self.signatures(texts))


class WindowLSH:
    """LSH buckets over the band keys of the texts inside a time window.

    Most buckets hold one text: they keep its id as a plain int and become a set
    only when a second text arrives, which spares the garbage collector a few
    hundred thousand sets in a week's window."""

    def __init__(self, bands: int) -> None:
        self._buckets: list[dict[int, int | set[int]]] = [{} for _ in range(bands)]
        self._keys: dict[int, tuple[int, ...]] = {}
        self._order: deque[tuple[datetime, int]] = deque()

    def __len__(self) -> int:
        return len(self._keys)

    def query(self, keys: BandKeys) -> set[int]:
        found: set[int] = set()
        for buckets, key in zip(self._buckets, keys, strict=True):
            bucket = buckets.get(key)
            if bucket is None:
                continue
            if isinstance(bucket, int):
                found.add(bucket)
            else:
                found |= bucket
        return found

    def insert(self, item: int, keys: BandKeys, at: datetime) -> None:
        if item in self._keys:
            return
        for buckets, key in zip(self._buckets, keys, strict=True):
            bucket = buckets.get(key)
            if bucket is None:
                buckets[key] = item
            elif isinstance(bucket, int):
                buckets[key] = {bucket, item}
            else:
                bucket.add(item)
        self._keys[item] = tuple(keys)
        self._order.append((at, item))

    def remove(self, item: int) -> None:
        for buckets, key in zip(self._buckets, self._keys.pop(item, ()), strict=False):
            bucket = buckets.get(key)
            if bucket == item:
                del buckets[key]
            elif isinstance(bucket, set):
                bucket.discard(item)
                if len(bucket) == 1:
                    buckets[key] = bucket.pop()

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
