"""Batched MinHash estimates shingle Jaccard; the window LSH finds near-duplicates and forgets."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

import numpy as np

from aduan.normalize.sketch import MinHasher, WindowLSH, optimal_bands

VOCABULARY = [f"kata{i}" for i in range(400)]


def _text(rng: random.Random, n: int = 40) -> str:
    return " ".join(rng.choice(VOCABULARY) for _ in range(n))


def _jaccard(a: str, b: str) -> float:
    def grams(text: str) -> set[tuple[str, str]]:
        words = text.split()
        return set(itertools.pairwise(words))

    x, y = grams(a), grams(b)
    return len(x & y) / len(x | y)


def _edit(rng: random.Random, text: str, changes: int) -> str:
    words = text.split()
    for _ in range(changes):
        words[rng.randrange(len(words))] = rng.choice(VOCABULARY)
    return " ".join(words)


def test_signature_estimates_jaccard_and_is_batch_independent() -> None:
    rng = random.Random(3)
    hasher = MinHasher(num_perm=128)
    pairs = []
    for changes in (0, 2, 5, 10, 20):
        base = _text(rng)
        pairs.append((base, _edit(rng, base, changes)))
    texts = [t for pair in pairs for t in pair]
    together = hasher.signatures(texts)
    alone = np.vstack([hasher.signatures([t]) for t in texts])
    assert (together == alone).all()
    for i, (a, b) in enumerate(pairs):
        estimate = float((together[2 * i] == together[2 * i + 1]).mean())
        assert abs(estimate - _jaccard(a, b)) < 0.15, (i, estimate, _jaccard(a, b))


def test_short_and_empty_texts() -> None:
    hasher = MinHasher(shingle_words=2)
    sigs = hasher.signatures(["", "banjir", "banjir", "kata0 kata1", "banjir lagi"])
    assert (sigs[0] == 0xFFFFFFFF).all()  # nothing to hash
    assert (sigs[1] == sigs[2]).all()
    assert not (sigs[1] == sigs[3]).all()
    assert (sigs < 2**32).all()


def test_window_lsh_finds_near_duplicates_not_strangers() -> None:
    rng = random.Random(5)
    hasher = MinHasher(num_perm=64, threshold=0.7)
    assert (hasher.bands, hasher.rows) == optimal_bands(64, 0.7)
    lsh = WindowLSH(hasher.bands)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    stored = [_text(rng) for _ in range(300)]
    for i, keys in enumerate(hasher.keys(stored)):
        lsh.insert(i, keys, start + timedelta(minutes=i))
    near = [_edit(rng, stored[i], 2) for i in range(100)]
    found = sum(i in lsh.query(keys) for i, keys in enumerate(hasher.keys(near)))
    assert found >= 95
    strangers = hasher.keys([_text(rng) for _ in range(100)])
    assert sum(len(lsh.query(keys)) for keys in strangers) <= 5


def test_window_lsh_evicts_in_time_order() -> None:
    hasher = MinHasher()
    lsh = WindowLSH(hasher.bands)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    texts = ["lampu jalan mati di gang mawar", "got mampet air meluap ke jalan"]
    keys = hasher.keys(texts)
    lsh.insert(1, keys[0], start)
    lsh.insert(2, keys[1], start + timedelta(days=3))
    assert lsh.query(keys[0]) == {1}
    assert lsh.evict_before(start + timedelta(days=1)) == [1]
    assert lsh.query(keys[0]) == set() and lsh.query(keys[1]) == {2}
    assert len(lsh) == 1
