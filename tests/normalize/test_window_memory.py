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

from aduan.config.normalize import NormalizeSettings
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


def test_features_share_one_empty_set_for_what_a_text_does_not_name() -> None:
    texts = [f"lampu pju mati di jalan mawar{i} sejak kemarin" for i in range(2000)]

    held, kept = _traced(lambda: [extract(t) for t in texts])
    assert isinstance(kept, list)
    first: Features = kept[0]
    assert not first.house and not first.landmarks and not first.rt
    # ~600 bytes; with a frozenset of its own (216 bytes) for each of house, landmarks,
    # RT, RW and kelurahan named by none of them, ~1,700.
    per_text = held / len(texts)
    assert per_text < 1100, f"{per_text:.0f} bytes per text's features"
