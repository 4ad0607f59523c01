"""In-process turns to write one SQLite file: the webhook sink never waits behind more than
one background transaction, and background work is never starved."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager

from sqlalchemy import Engine

from aduan.store import open_store
from aduan.store.turns import Kind, Turns, turns_for
from tests.helpers.databases import reset_schema


class Holder(threading.Thread):
    """Takes a turn, records it in ``order``, and holds it until released."""

    def __init__(
        self, name: str, turn: Callable[[], AbstractContextManager[None]], order: list[str]
    ) -> None:
        super().__init__(name=name, daemon=True)
        self.turn, self.order = turn, order
        self.inside = threading.Event()
        self.release = threading.Event()

    def run(self) -> None:
        with self.turn():
            self.order.append(self.name)
            self.inside.set()
            self.release.wait(10)


def waiting(turns: Turns, kind: Kind, n: int) -> None:
    """Until ``n`` writers of ``kind`` wait for their turn."""
    deadline = time.monotonic() + 10
    while turns._waiting[kind] != n:
        assert time.monotonic() < deadline, f"{kind} writers never waited"
        time.sleep(0.001)


def turn_order(*writers: tuple[str, Kind]) -> list[str]:
    """The first writer holds the turn while the others queue, in this order; then each
    lets go as soon as it has its turn: the order in which they had it."""
    turns, order = Turns(), []
    holders = [Holder(name, getattr(turns, kind), order) for name, kind in writers]
    holders[0].start()
    assert holders[0].inside.wait(10)
    queued = {"urgent": 0, "background": 0}
    for holder, (_, kind) in zip(holders[1:], writers[1:], strict=True):
        holder.start()
        queued[kind] += 1
        waiting(turns, kind, queued[kind])
    for holder in holders:
        holder.release.set()
    for holder in holders:
        holder.join(10)
    return order


def test_an_urgent_writer_goes_before_background_work_that_waited_longer() -> None:
    order = turn_order(("batch 1", "background"), ("batch 2", "background"), ("intake", "urgent"))
    assert order == ["batch 1", "intake", "batch 2"]


def test_a_stream_of_urgent_writers_lets_waiting_background_work_in_between() -> None:
    order = turn_order(("intake 1", "urgent"), ("batch", "background"), ("intake 2", "urgent"))
    assert order == ["intake 1", "batch", "intake 2"]


def test_engines_of_one_file_share_their_turns(sqlite_engine: Engine) -> None:
    from aduan.store.engine import make_engine

    other = make_engine(str(sqlite_engine.url))
    try:
        assert turns_for(other) is turns_for(sqlite_engine)
    finally:
        other.dispose()


def test_postgresql_writers_never_wait_for_a_turn(pg_database: str) -> None:
    reset_schema(pg_database)
    engine = open_store(pg_database)
    turns, order = turns_for(engine), []
    batch = Holder("batch", turns.background, order)
    batch.start()
    assert batch.inside.wait(10)
    intake = Holder("intake", turns.urgent, order)
    intake.start()
    assert intake.inside.wait(10)  # while the batch still holds its turn
    batch.release.set()
    intake.release.set()
    engine.dispose()
    assert order == ["batch", "intake"]
