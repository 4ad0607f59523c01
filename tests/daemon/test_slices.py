"""The normalize job's batches are sized by the time their transaction holds the store."""

from __future__ import annotations

import time

import pytest

from aduan.daemon.slices import FIRST_ROWS, Slices


def run(slices: Slices, fixed: float, per_row: float, batches: int) -> list[int]:
    """Feed ``slices`` batches costing ``fixed + per_row * n`` seconds; the sizes it chose."""
    sizes = []
    for _ in range(batches):
        sizes.append(slices.size)
        slices.took(slices.size, fixed + per_row * slices.size)
    return sizes


def test_the_size_settles_where_the_whole_transaction_fits() -> None:
    slices = Slices(0.05, 1000)
    sizes = run(slices, fixed=0.010, per_row=0.002, batches=30)
    assert sizes[0] == FIRST_ROWS
    # 10 ms + 2 ms x 20 rows = 50 ms: fixed costs count, not only the rows.
    assert sizes[-5:] == pytest.approx([20] * 5, abs=1)


def test_a_fast_batch_at_most_doubles_the_next_and_a_slow_one_shrinks_it_at_once() -> None:
    slices = Slices(0.05, 1000)
    for expected in (2 * FIRST_ROWS, 4 * FIRST_ROWS, 8 * FIRST_ROWS):
        slices.took(slices.size, 0.0)  # all duplicates: nearly free
        assert slices.size == expected
    slices.took(slices.size, 2.0)  # a stalled commit
    assert slices.size < 10


@pytest.mark.parametrize(("per_row", "expected"), [(1e-7, 300), (10.0, 1)])
def test_the_size_stays_between_one_row_and_the_cap(per_row: float, expected: int) -> None:
    slices = Slices(0.05, 300)
    run(slices, fixed=0.0, per_row=per_row, batches=20)
    assert slices.size == expected


def test_nothing_taken_changes_nothing() -> None:
    slices = Slices(0.05, 300)
    slices.took(0, 3.0)
    assert slices.size == FIRST_ROWS


def test_a_batch_is_timed_from_its_begin_and_stops_placing_at_its_share() -> None:
    slices = Slices(0.05, 1000)
    before = time.perf_counter()
    until = slices.begin()
    assert before + 0.05 <= until <= time.perf_counter() + 0.05
    time.sleep(0.02)
    slices.end(FIRST_ROWS)  # under half the budget: the next batch is larger
    assert FIRST_ROWS < slices.size <= 2 * FIRST_ROWS
