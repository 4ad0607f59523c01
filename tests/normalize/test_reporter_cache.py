"""The reporter book's identity cache starts afresh past its bound; reporters are the same."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

from aduan.normalize import reporters
from aduan.normalize.reporters import reporters_table
from tests.normalize.conftest import Run, raw


def test_a_reporter_is_found_again_after_the_cache_starts_afresh(
    engine: Engine, normalize: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reporters, "IDENTITY_CACHE", 2)
    senders = [f"tel:+6281200033{i}{i}{i}" for i in range(4)]
    for i, sender in enumerate(senders):  # one batch each: the fourth starts afresh
        normalize(raw(f"a{i}", f"Lampu jalan mati di Jl. Mawar {i + 1} RT 0{i + 1}", sender))

    stats = normalize(raw("again", "Lampu jalan mati di Jl. Mawar 1 RT 01", senders[0], minutes=5))

    assert stats.created == 0 and stats.attached == 1  # the same reporter's resend
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(reporters_table)).scalar_one() == 4
