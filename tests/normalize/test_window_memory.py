"""The dedup window's memory: a week of complaints is held in a few KB each.

A replay holds a week's window (about 20,000 complaints at a city desk's pace); what it
costs per complaint is most of the replay's peak memory. Measured with tracemalloc,
so the figures are the window's own, not the process's.
"""

from __future__ import annotations

import random
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from aduan.config.normalize import NormalizeSettings
from aduan.normalize import features
from aduan.normalize.features import Features, extract
from aduan.normalize.reporters import ReporterBook
from aduan.normalize.window import Entry, Window, block_keys
from aduan.places.extract import default_extractor

PROBLEMS = ["lampu pju mati", "jalan berlubang", "got mampet", "sampah menumpuk", "pohon tumbang"]
STREETS = [f"jalan mawar{i} blok{i % 7}" for i in range(300)]


def _texts(n: int) -> list[str]:
    rng = random.Random(5)
    return [
        f"{rng.choice(PROBLEMS)} di {rng.choice(STREETS)} rt {rng.randint(1, 15)}"
        f" rw {rng.randint(1, 9)} sejak {i % 9} hari"
        for i in range(n)
    ]


def _traced(work: Callable[[], object]) -> tuple[int, object]:
    """Bytes that ``work`` allocated and still holds, and its result."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = work()
        return tracemalloc.get_traced_memory()[0] - before, kept
    finally:
        tracemalloc.stop()


def test_the_block_index_costs_little_per_complaint() -> None:
    n = 3000
    texts = _texts(n)
    features = [extract(t) for t in texts]
    window = Window(NormalizeSettings(), ReporterBook(), default_extractor())
    keys = window.keys(texts)
    start = datetime(2026, 1, 5, tzinfo=UTC)

    def fill() -> None:
        for i, (text, f, k) in enumerate(zip(texts, features, keys, strict=True)):
            entry = Entry(i + 1, i % 700, start + timedelta(minutes=i), text, f, None, 1)
            window.register(entry, k)

    held, _ = _traced(fill)
    assert len(window.entries) == n
    per_entry = held / n
    # The LSH buckets, the entries, the block keys and their lists: ~2,300 bytes. A
    # deque(maxlen=...) per block key (760 bytes, however few ids it held) made it ~5,300.
    assert per_entry < 3500, f"{per_entry:.0f} bytes per complaint"
    # Each block still keeps its key's most recent ``max_candidates`` ids, oldest first.
    filed: dict[str, list[int]] = {}
    for i, f in enumerate(features):
        for key in block_keys(f):
            filed.setdefault(key, []).append(i + 1)
    limit = window.settings.max_candidates
    assert window.blocks == {key: ids[-limit:] for key, ids in filed.items()}
    assert max(len(ids) for ids in filed.values()) > limit


def test_features_share_the_sets_texts_have_in_common() -> None:
    texts = [
        f"lampu pju mati di jalan mawar{i} rt {i % 3 + 1} rw 5 kelurahan kebagusan"
        for i in range(2000)
    ]

    held, kept = _traced(lambda: [extract(t) for t in texts])
    assert isinstance(kept, list)
    first: Features = kept[0]
    assert first.rt == {1} and first.rw == {5} and first.kelurahan == {"kebagusan"}
    assert not first.house and not first.landmarks
    # Only each text's own places take a set of their own: ~400 bytes a text. With a set
    # of its own for its problem, kelurahan, RT and RW, ~1,260; and for each empty one
    # (house numbers, landmarks) too, ~1,700.
    per_text = held / len(texts)
    assert per_text < 800, f"{per_text:.0f} bytes per text's features"


def test_the_shared_sets_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(features, "_SHARED", {})
    monkeypatch.setattr(features, "_SHARED_LIMIT", 50)
    found = [extract(f"lampu mati di rt {i} rw {i + 1}") for i in range(1, 200)]
    assert len(features._SHARED) <= 50
    assert [f.rt for f in found] == [{i} for i in range(1, 200)]
