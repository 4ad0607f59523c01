"""News feeds beyond the payload table (cases.py): conditional GET (304), an unreachable portal."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from aduan.core.errors import TransientError
from aduan.daemon.ingest import poll_channel
from aduan.store import read_cursor
from tests.channels.local_http import serve
from tests.channels.rss.cases import make
from tests.channels.rss.fake_portal import FakePortal
from tests.conftest import free_port


@pytest.mark.parametrize("etags", [True, False], ids=["etag", "last-modified"])
def test_conditional_get(tmp_path: Path, engine: Engine, etags: bool) -> None:
    portal = FakePortal(etags=etags)
    portal.add("Warga mengeluh jalan berlubang di Jl. Ampera", "Sudah tiga bulan.")
    with serve(portal) as base:
        url = base + "/rss"
        channel = make([url], tmp_path)
        assert poll_channel(engine, channel).stored == 1
        cursor = read_cursor(engine, "rss", "portal")
        assert cursor is not None and cursor["feeds"][url]["modified"]
        assert poll_channel(engine, channel).fetched == 0
        assert portal.not_modified == 1
        sent = portal.seen[-1].headers
        assert ("if-none-match" in sent) is etags and "if-modified-since" in sent
        portal.add("Keluhan warga soal parkir liar di trotoar Blok M")
        assert poll_channel(engine, channel).stored == 1  # the old item is a duplicate
        assert read_cursor(engine, "rss", "portal") != cursor


def test_unreachable_portal_is_transient(tmp_path: Path) -> None:
    channel = make([f"http://127.0.0.1:{free_port()}/rss"], tmp_path)
    with pytest.raises(TransientError):
        channel.fetch(None, 100)
