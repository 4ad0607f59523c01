"""Two replicas on one PostgreSQL store send every message once between them.

Two threads, each a replica (its own engine, worker name and Sender), drain
one outbox concurrently against one Twilio fake that counts what it took and
answers slowly enough that the claims overlap.
"""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import Engine

from aduan.config.outbox import OutboxSettings
from aduan.runtime.outbox import Sender
from aduan.store import make_engine, open_store
from aduan.store import outbox as ob
from tests.helpers.databases import reset_schema
from tests.outbox.helpers import CHANNEL, CountingTwilio, twilio_channel
from tests.outbox.test_send import put, statuses

MESSAGES = 120


def test_two_replicas_never_send_a_message_twice(pg_database: str, tmp_path: Path) -> None:
    reset_schema(pg_database)
    engine = open_store(pg_database)
    put(engine, MESSAGES)
    fake = CountingTwilio(delay=0.002)
    settings = OutboxSettings(batch=7, rate_per_second=10_000, burst=100)
    errors: list[BaseException] = []
    sent: dict[str, int] = {}
    with twilio_channel(tmp_path, fake) as channel:

        def replica(name: str) -> None:
            own: Engine = make_engine(pg_database)
            try:
                sender = Sender(own, {CHANNEL: channel}, settings, name)
                total = 0
                while (result := sender.run()).claimed:
                    total += result.sent
                sent[name] = total
            except BaseException as exc:  # reported by the test thread
                errors.append(exc)
            finally:
                own.dispose()

        threads = [threading.Thread(target=replica, args=(f"r{i}",)) for i in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert errors == []
    assert len(fake.accepted) == MESSAGES
    assert len(set(fake.accepted)) == MESSAGES
    assert statuses(engine) == ["sent"] * MESSAGES
    assert sum(sent.values()) == MESSAGES and all(sent.values())  # both did some of it
    assert {r.attempts for r in ob.list_rows(engine, ob.Filters(limit=MESSAGES))} == {1}
    engine.dispose()
