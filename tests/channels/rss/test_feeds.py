"""News feeds from a local portal: fixture table, conditional GET (304), word matching."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine

from aduan.channels.base import ChannelContext, PullChannel
from aduan.channels.registry import REGISTRY
from aduan.core.errors import BadPayload, FatalChannelError, TransientError
from aduan.core.messages import Disposition
from aduan.daemon.ingest import poll_channel
from aduan.store import read_cursor
from tests.channels.local_http import Answer, Fake, Seen, serve
from tests.channels.rss.fake_portal import FakePortal
from tests.channels.test_contract import stored_raws
from tests.conftest import free_port

FIXTURES = Path(__file__).parents[1] / "fixtures" / "rss"


def make(urls: list[str], tmp_path: Path, **options: object) -> PullChannel:
    cls = REGISTRY["rss"]
    config = cls.Config.model_validate({"feeds": urls, **options})
    channel = cls("portal", config, ChannelContext(tmp_path))
    assert isinstance(channel, PullChannel)
    return channel


@dataclass
class Replay(Fake):
    status: int = 200
    body: bytes = b""

    def handle(self, request: Seen) -> Answer:
        return self.status, {"Content-Type": "application/rss+xml"}, self.body


@dataclass
class Case:
    fixture: str
    outcomes: tuple[Disposition | None, ...] = ()
    """Per stored row in key order; None: read raises BadPayload (quarantined)."""
    status: int = 200
    error: type[Exception] | None = None


CASES = [
    Case("normal.xml", (Disposition.COMPLAINT, Disposition.IGNORE)),
    Case("duplicate.xml", (Disposition.COMPLAINT,)),
    Case("missing_sender.xml", (Disposition.COMPLAINT,)),
    Case("unknown_update_type.xml", (None,)),
    Case("invalid_json.html", (None,)),
    Case("bad_signature.txt", status=403, error=FatalChannelError),
    Case("bad_signature.txt", status=503, error=TransientError),
    Case("oversize.xml", error=FatalChannelError),
]


@pytest.fixture
def replay() -> Iterator[tuple[Replay, str]]:
    fake = Replay()
    with serve(fake) as url:
        yield fake, url + "/rss"


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.fixture}-{c.status}")
def test_case(
    replay: tuple[Replay, str], tmp_path: Path, sqlite_engine: Engine, case: Case
) -> None:
    fake, url = replay
    fake.status, fake.body = case.status, (FIXTURES / case.fixture).read_bytes()
    words = ["warga mengeluh", "keluhan", "Pasar Minggu"]
    channel = make([url], tmp_path, words=words, max_feed_bytes=100_000)
    if case.error is not None:
        with pytest.raises(case.error):
            poll_channel(sqlite_engine, channel)
        assert read_cursor(sqlite_engine, "rss", "portal") is None
    else:
        poll_channel(sqlite_engine, channel)
        poll_channel(sqlite_engine, channel)  # the same feed again adds nothing
    raws = sorted(stored_raws(sqlite_engine), key=lambda r: r.payload)
    assert len(raws) == len(case.outcomes)
    for raw, outcome in zip(raws, case.outcomes, strict=True):
        if outcome is None:
            with pytest.raises(BadPayload):
                channel.read(raw)
        else:
            assert channel.read(raw).disposition == outcome


def test_normal_item_read(replay: tuple[Replay, str], tmp_path: Path) -> None:
    fake, url = replay
    fake.body = (FIXTURES / "normal.xml").read_bytes()
    channel = make([url], tmp_path)
    raws = {r.external_id: r for r in channel.fetch(None, 100).messages}
    assert set(raws) == {"portal-berita-2026-11-29-001", "portal-berita-2026-11-29-002"}
    message = channel.read(raws["portal-berita-2026-11-29-001"])
    assert message.disposition == Disposition.COMPLAINT
    assert message.subject == "Warga mengeluh banjir setinggi 40 cm di Jl. Kemang Raya"
    assert "genangan yang tak kunjung surut" in message.text and "<p>" not in message.text
    assert message.ref == "https://portal.example.org/berita/banjir-kemang"
    assert (
        message.sent_at is not None and message.sent_at.isoformat() == "2026-11-29T00:00:00+00:00"
    )
    assert message.display_name == "Redaksi"
    assert "warga mengeluh" in message.extra["matched"]
    festival = channel.read(raws["portal-berita-2026-11-29-002"])
    assert festival.disposition == Disposition.IGNORE and festival.ignore_reason


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
