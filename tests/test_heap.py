"""settle(): survivors of a batch leave the collector's walks; frozen cycles still die."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from aduan.core import heap


class Node:
    other: Node | None = None


@pytest.fixture(autouse=True)
def _thawed() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def _cycle() -> weakref.ref[Node]:
    a, b = Node(), Node()
    a.other, b.other = b, a
    return weakref.ref(a)


def test_settle_freezes_what_survived(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heap, "_settled", 0)
    kept = [Node() for _ in range(100)]
    heap.settle()
    assert gc.get_freeze_count() >= len(kept)


def test_young_cycles_are_collected_before_freezing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heap, "_settled", 0)
    ref = _cycle()
    heap.settle()
    assert ref() is None


def test_frozen_cycle_is_freed_by_the_periodic_full_collection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(heap, "_settled", 0)
    ref = _cycle()
    gc.freeze()  # the cycle became garbage only after a batch froze it
    for _ in range(heap.FULL_EVERY - 1):
        heap.settle()
        assert ref() is not None
    heap.settle()
    assert ref() is None


def test_serving_makes_young_collections_rarer_and_restores_the_thresholds() -> None:
    before = gc.get_threshold()
    with heap.serving():
        young, *older = gc.get_threshold()
        assert young == heap.YOUNG_WHILE_SERVING > before[0]
        assert tuple(older) == before[1:]
    assert gc.get_threshold() == before
