"""The normalizer on both databases: one complaint per problem, sources, incidents, reporters."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from aduan.config.normalize import NormalizeSettings
from aduan.core.messages import Attachment, Disposition, Fragment, Message, RawMessage, Receipt
from aduan.daemon.normalize_job import normalize_pending
from aduan.normalize import reading
from aduan.normalize.features import Features
from aduan.normalize.pipeline import Normalizer
from aduan.normalize.readers import MESSAGE_JSON, Readers
from aduan.normalize.replay import Slice, replay
from aduan.normalize.reporters import merges_table, reporters_table, split_merge
from aduan.normalize.rows import attachments_table
from aduan.normalize.window import incidents_table
from aduan.store import save_batch
from aduan.store.models import complaint_sources, complaints, raw_messages
from aduan.triage.writer import BatchTriage
from tests.normalize.conftest import T0, Run, raw, replay_normalizer

LAMP = "Lampu PJU di Jl. Kemuning Raya RT 04 mati sejak Senin, gelap sekali. Mohon diperbaiki."


def rows(engine: Engine, table: Any, *cols: Any) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(*(cols or (table,))).order_by(*(cols or ()))).all())


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def status_of(engine: Engine) -> dict[str, str]:
    return dict(rows(engine, raw_messages, raw_messages.c.external_id, raw_messages.c.status))


def test_resend_and_followup_join_one_complaint(engine: Engine, normalize: Run) -> None:
    stats = normalize(
        raw("1", LAMP, "tel:+6281200011111"),
        raw("2", LAMP + " ", "tel:+6281200011111", minutes=3),
        raw(
            "3",
            "Pak, lampu jalan Kemuning Raya RT 4 msh mati. Gimana kelanjutannya?",
            "tel:+6281200011111",
            minutes=60 * 24 * 2,
        ),
    )
    assert stats.created == 1 and stats.attached == 2
    (complaint,) = rows(engine, complaints)
    assert complaint.source_count == 3
    assert complaint.reference.startswith("ADU-2026-")
    assert complaint.received_at == T0
    roles = sorted(r.role for r in rows(engine, complaint_sources))
    assert roles == ["first", "followup", "resend"]
    assert set(status_of(engine).values()) == {"normalized"}


def test_phone_written_in_another_channel_links_the_reporter(
    engine: Engine, normalize: Run
) -> None:
    normalize(
        raw(
            "s1",
            "Air PAM di Kel. Cipedak RT 03 keruh kecoklatan sejak kemarin.",
            "tel:+6281200022222",
        ),
        raw(
            "f1",
            "Sudah SMS dari 0812-0002-2222 tapi belum ada respon: air PAM Cipedak RT 03 "
            "masih keruh, bau lumpur.",
            "facebook:5550001",
            channel="facebook",
            minutes=300,
        ),
    )
    assert count(engine, complaints) == 1
    assert count(engine, reporters_table) == 1


def test_other_reporters_same_problem_form_one_incident(engine: Engine, normalize: Run) -> None:
    normalize(
        raw(
            "a",
            "Ada lubang besar di Jl. Moh. Kahfi I depan minimarket, bahaya.",
            "tel:+6281200033333",
        ),
        raw(
            "b",
            "kubangan di kahfi 1 dpn minimarket makin gede, td ada yg jatoh",
            "twitter:777",
            channel="twitter",
            minutes=90,
        ),
        raw(
            "c",
            "Jalan berlubang di Jl. Kahfi I depan minimarket belum ditambal.",
            "telegram:888",
            channel="telegram",
            minutes=200,
        ),
    )
    found = rows(engine, complaints, complaints.c.id, complaints.c.incident_id)
    assert len(found) == 3
    assert len({r.incident_id for r in found}) == 1 and found[0].incident_id is not None
    with engine.connect() as conn:
        incident = conn.execute(select(func.max(complaints.c.incident_id))).scalar_one()
        inc = conn.execute(select(incidents_table).where(incidents_table.c.id == incident)).one()
    assert inc.complaint_count == 3 and inc.reference.startswith("INC-2026-")


def test_neighbouring_rt_is_another_complaint(engine: Engine, normalize: Run) -> None:
    text = "Mohon pengangkutan sampah di RT {} RW 02 Kel. Manggarai Selatan, sudah 4 hari."
    normalize(
        raw("a", text.format("03"), "tel:+6281200044444"),
        raw("b", text.format("09"), "tel:+6281200055555", minutes=5),
    )
    found = rows(engine, complaints, complaints.c.id, complaints.c.incident_id)
    assert len(found) == 2 and all(r.incident_id is None for r in found)


def test_busy_street_still_finds_the_same_rt(engine: Engine, normalize: Run) -> None:
    """More recent reports from other RTs of the street than ``max_candidates``
    must not hide the one report of the same RT."""
    text = "Sampah menumpuk belum diangkut di Jl. Kemuning Raya RT {:02d} RW 05, bau sekali."
    same_rt = raw("first", text.format(7), "tel:+6281200060000")
    others = [
        raw(f"o{i}", text.format(10 + i % 20), f"tel:+62812000{61000 + i}", minutes=1 + i)
        for i in range(NormalizeSettings().max_candidates + 6)
    ]
    later = raw("last", text.format(7), "twitter:4242", channel="twitter", minutes=120)
    normalize(same_rt, *others, later)
    with engine.connect() as conn:
        incidents = conn.execute(
            select(complaints.c.incident_id).order_by(complaints.c.received_at)
        ).scalars()
        first, *_, last = list(incidents)
    assert last is not None and last == first


def test_equally_close_candidates_join_the_newest(engine: Engine, normalize: Run) -> None:
    """Two earlier reports (two house numbers, so two places) both match a third that
    names no number, equally well: it joins the newer one, whatever order the
    candidates come out of their sets in."""
    text = "Lampu PJU mati di Jl. Kemuning Raya{}, gelap sekali"
    normalize(
        raw("a", text.format(" No. 5"), "tel:+6281200071111"),
        raw("b", text.format(" No. 7"), "tel:+6281200072222", minutes=30),
        raw("c", text.format(""), "telegram:9090", channel="telegram", minutes=60),
    )
    found = dict(rows(engine, complaints, complaints.c.reference, complaints.c.incident_id))
    with engine.connect() as conn:
        by_raw = dict(
            conn.execute(
                select(raw_messages.c.external_id, complaints.c.incident_id).join(
                    complaints, complaints.c.id == raw_messages.c.complaint_id
                )
            ).all()
        )
    assert len(found) == 3
    assert by_raw["a"] is None
    assert by_raw["b"] is not None and by_raw["b"] == by_raw["c"]


def test_text_the_cleanup_chokes_on_is_quarantined_and_the_batch_goes_on(
    engine: Engine, normalize: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = reading.extract

    def choke(match: str) -> Features:
        if "kabel" in match:
            raise ValueError("a bug in the cleanup")
        return real(match)

    monkeypatch.setattr(reading, "extract", choke)
    stats = normalize(
        raw("a", LAMP, "tel:+6281200070001"),
        raw("b", "Kabel listrik menjuntai di Gg. Mawar", "tel:+6281200070002", minutes=1),
        raw("c", "Digits of other scripts: jalan kemang ፩ rt ᧚ rw ٣", "tel:+6281200070003"),
    )
    assert stats.quarantined == 1 and stats.created == 2
    assert status_of(engine) == {"a": "normalized", "b": "quarantined", "c": "normalized"}
    with engine.connect() as conn:
        error = conn.execute(
            select(raw_messages.c.error).where(raw_messages.c.external_id == "b")
        ).scalar_one()
    assert error == "normalize: ValueError: a bug in the cleanup"


def test_reply_edit_fragments_ignore_and_quarantine(engine: Engine, normalize: Run) -> None:
    bad = RawMessage("sms", "main", "bad", b"{not json", MESSAGE_JSON, T0)
    stats = normalize(
        raw(
            "m1",
            "Saluran di Gg. Swadaya mampet, air meluap.",
            "telegram:1",
            channel="telegram",
            ref="tg-1",
        ),
        bad,
        raw("m2", "Ini fotonya", "telegram:1", channel="telegram", minutes=2, refs=("tg-1",)),
        raw(
            "m3",
            "Saluran di Gg. Swadaya Pela Mampang mampet, air hitam meluap ke jalan.",
            "telegram:1",
            channel="telegram",
            minutes=3,
            disposition=Disposition.EDIT,
            edit_of="m1",
        ),
        raw(
            "p2",
            "rusak parah, mohon segera.",
            "tel:+6281200066666",
            minutes=10,
            fragment=Fragment(group="g1", index=2, total=2),
        ),
        raw(
            "p1",
            "Jalan di Gg. Mawar RT 02 berlubang ",
            "tel:+6281200066666",
            minutes=10,
            fragment=Fragment(group="g1", index=1, total=2),
        ),
        raw(
            "auto",
            "Terima kasih, pesan Anda diterima",
            "mailto:noreply@example.org",
            channel="email",
            disposition=Disposition.IGNORE,
            ignore_reason="auto-reply",
        ),
    )
    assert stats.quarantined == 1 and stats.ignored == 1
    status = status_of(engine)
    assert status["bad"] == "quarantined" and status["auto"] == "ignored"
    with engine.connect() as conn:
        error = conn.execute(
            select(raw_messages.c.error).where(raw_messages.c.external_id == "bad")
        ).scalar_one()
    assert error
    texts = {r.text for r in rows(engine, complaints, complaints.c.text)}
    assert "Saluran di Gg. Swadaya Pela Mampang mampet, air hitam meluap ke jalan." in texts
    assert "Jalan di Gg. Mawar RT 02 berlubang rusak parah, mohon segera." in texts
    assert len(texts) == 2
    roles = sorted(r.role for r in rows(engine, complaint_sources, complaint_sources.c.role))
    assert roles == ["edit", "first", "first", "followup", "fragment"]


def test_fragment_waits_for_its_other_part(engine: Engine, normalize: Run) -> None:
    first = raw(
        "p1",
        "Pohon tumbang di Jl. Duren ",
        "tel:+6281200077777",
        fragment=Fragment(group="g9", index=1, total=2),
    )
    assert normalize(first).waiting == 1
    assert count(engine, complaints) == 0
    second = raw(
        "p2",
        "Tiga Raya, nutup jalan.",
        "tel:+6281200077777",
        minutes=1,
        fragment=Fragment(group="g9", index=2, total=2),
    )
    normalize(second)
    (c,) = rows(engine, complaints, complaints.c.text, complaints.c.source_count)
    assert c.text == "Pohon tumbang di Jl. Duren Tiga Raya, nutup jalan." and c.source_count == 2


def _desk_reader(stored: RawMessage) -> Message:
    """A fake walk-in channel: JSON with the clerk's text and a scanned photo."""
    data = json.loads(stored.payload)
    photo = Attachment(filename="lubang.jpg", content_type="image/jpeg", data=b"\xff\xd8jpeg")
    return Message(text=data["text"], identities=(data["nik"],), attachments=(photo,))


def test_reserved_reference_and_attachments(engine: Engine, tmp_path: Path) -> None:
    text = "Pelapor melaporkan jalan berlubang di Jl. Ampera Raya RT 01."
    desk = [
        RawMessage(
            "walkin",
            "desk1",
            f"w{i}",
            json.dumps({"text": text, "nik": "nik:abc123"}).encode(),
            "application/json",
            T0 + timedelta(minutes=30 * i),
            {"reference": f"ADU-2026-90000{i}"},
        )
        for i in (1, 2)
    ]
    save_batch(engine, desk)
    readers = Readers(extra={"walkin": _desk_reader})
    normalizer = Normalizer(
        NormalizeSettings(), readers, triage=BatchTriage, data_dir=tmp_path / "data"
    )
    normalize_pending(engine, normalizer)
    (c,) = rows(engine, complaints, complaints.c.reference)
    assert c.reference == "ADU-2026-900001"
    refs = {r.reference for r in rows(engine, complaint_sources, complaint_sources.c.reference)}
    assert "ADU-2026-900002" in refs
    found = rows(engine, attachments_table)
    assert len(found) == 2 and all(a.stored for a in found)
    sha = found[0].sha256
    assert (tmp_path / "data" / "blobs" / sha[:2] / sha[2:]).read_bytes() == b"\xff\xd8jpeg"


def test_replay_equals_first_run(engine: Engine, normalize: Run) -> None:
    normalize(
        raw("1", LAMP, "tel:+6281200011111"),
        raw("2", LAMP, "tel:+6281200011111", minutes=5),
        raw("3", "Ada lubang di Jl. Kahfi I depan minimarket.", "tel:+6281200088888", minutes=9),
        raw("4", "lubang di kahfi 1 dpn minimarket", "twitter:5", channel="twitter", minutes=20),
    )
    before = rows(
        engine,
        complaints,
        complaints.c.id,
        complaints.c.reference,
        complaints.c.incident_id,
        complaints.c.source_count,
    )
    sources = count(engine, complaint_sources)
    fresh = replay_normalizer()
    dry = replay(engine, fresh, Slice(), dry_run=True)
    assert dry.created == 0 and dry.attached == 0 and dry.unchanged == 4
    stats = replay(engine, replay_normalizer(), Slice(channel="sms"))
    assert stats.created == 0
    after = rows(
        engine,
        complaints,
        complaints.c.id,
        complaints.c.reference,
        complaints.c.incident_id,
        complaints.c.source_count,
    )
    assert after == before and count(engine, complaint_sources) == sources


def test_wrong_merge_is_split(engine: Engine, normalize: Run) -> None:
    normalize(
        raw("t1", "Sampah di Jl. Siaga II belum diangkut.", "telegram:42", channel="telegram"),
        raw("s1", "Halo", "tel:+6281200099999", minutes=1),
        raw(
            "t2",
            "Kontak: +6281200099999",
            "telegram:42",
            channel="telegram",
            minutes=2,
            linked_identities=("tel:+6281200099999",),
        ),
    )
    (merge,) = rows(engine, merges_table)
    assert merge.identities == ["tel:+6281200099999"]
    with engine.begin() as conn:
        split_merge(conn, merge.id, "operator", T0)
    with engine.connect() as conn:
        owners = dict(
            conn.execute(select(reporters_table.c.id, reporters_table.c.merged_into_id)).all()
        )
    assert all(v is None for v in owners.values()) and len(owners) == 2
    (merge,) = rows(engine, merges_table)
    assert merge.undone_by == "operator"


def test_two_workers_never_normalize_one_raw_twice(engine: Engine) -> None:
    texts = [f"Sampah di Gg. Kenanga RT {i:02d} belum diangkut." for i in range(1, 41)]
    save_batch(
        engine,
        [raw(str(i), t, f"tel:+62812000{i:05d}", minutes=i) for i, t in enumerate(texts)],
    )
    errors: list[BaseException] = []

    def work() -> None:
        try:
            normalize_pending(engine, replay_normalizer(), batch_size=5)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert count(engine, complaints) == 40
    assert count(engine, complaint_sources) == 40
    assert set(status_of(engine).values()) == {"normalized"}


def test_normalize_job_is_registered() -> None:
    from aduan.daemon.jobs import PERIODIC_JOBS

    assert "normalize" in {job.name for job in PERIODIC_JOBS}


def test_a_delivery_report_is_never_a_complaint(engine: Engine, normalize: Run) -> None:
    stats = normalize(
        raw(
            "dlr-1",
            "",
            "tel:+6281200077777",
            disposition=Disposition.RECEIPT,
            receipt=Receipt(provider_id="SM123", status="delivered"),
        )
    )
    assert stats.ignored == 1
    assert count(engine, complaints) == 0
    assert status_of(engine)["dlr-1"] == "ignored"


def _comment(key: str, text: str, sender: str, media: str, minutes: float) -> RawMessage:
    thread = {"kind": "comment", "thread": f"instagram:media:{media}", "media_id": media}
    return raw(key, text, sender, channel="instagram", minutes=minutes, extra=thread)


LIGHTS = (
    "Lampu jalannya mati semua pak, gelap banget kalau malam",
    "iya betul PJU di situ padam sejak minggu lalu, rawan begal",
)


def test_comments_under_one_post_about_one_problem_form_one_incident(
    engine: Engine, normalize: Run
) -> None:
    normalize(
        _comment("c1", LIGHTS[0], "instagram:6200000000000001", "18000000000000001", 0),
        _comment("c2", LIGHTS[1], "instagram:6200000000000002", "18000000000000001", 30),
        _comment(
            "c3",
            "Sampah menumpuk di pinggir kali, bau sekali",
            "instagram:6200000000000003",
            "18000000000000001",
            40,
        ),
    )
    found = dict(rows(engine, complaints, complaints.c.original_text, complaints.c.incident_id))
    assert len(found) == 3
    assert found[LIGHTS[0]] is not None and found[LIGHTS[0]] == found[LIGHTS[1]]
    assert found["Sampah menumpuk di pinggir kali, bau sekali"] is None  # another problem


def test_the_same_comments_under_two_posts_stay_apart(engine: Engine, normalize: Run) -> None:
    normalize(
        _comment("d1", LIGHTS[0], "instagram:6200000000000001", "18000000000000001", 0),
        _comment("d2", LIGHTS[1], "instagram:6200000000000002", "18000000000000002", 30),
    )
    found = rows(engine, complaints, complaints.c.id, complaints.c.incident_id)
    assert len(found) == 2 and all(r.incident_id is None for r in found)


def test_a_thread_is_remembered_by_a_fresh_normalizer(engine: Engine, tmp_path: Path) -> None:
    """The thread is read back from the stored complaint (``extra``), not only from memory."""
    first = _comment("e1", LIGHTS[0], "instagram:6200000000000001", "18000000000000005", 0)
    save_batch(engine, [first])
    normalize_pending(engine, replay_normalizer(tmp_path / "a"), batch_size=50)
    second = _comment("e2", LIGHTS[1], "instagram:6200000000000002", "18000000000000005", 30)
    save_batch(engine, [second])
    normalize_pending(engine, replay_normalizer(tmp_path / "b"), batch_size=50)
    found = rows(engine, complaints, complaints.c.id, complaints.c.incident_id)
    assert len(found) == 2 and found[0].incident_id is not None
    assert found[0].incident_id == found[1].incident_id


def test_a_batch_past_its_time_places_one_message_and_leaves_the_rest_pending(
    engine: Engine, tmp_path: Path
) -> None:
    split = "Pohon tumbang di Jl. Ampera Raya, ", "menutup separuh jalan sejak pagi."
    save_batch(
        engine,
        [
            raw("a", LAMP, "tel:+6281200000001", minutes=0),
            raw("b", "Got mampet di Gg. Kenari 3, air meluap.", "tel:+6281200000002", minutes=1),
            raw("c", LAMP, "tel:+6281200000001", minutes=2),  # a resend: joins a
            *(
                raw(f"d{i}", text, "tel:+6281200000003", minutes=3, fragment=part)
                for i, text, part in (
                    (1, split[0], Fragment(group="g", index=1, total=2)),
                    (2, split[1], Fragment(group="g", index=2, total=2)),
                )
            ),
        ],
    )
    normalizer = replay_normalizer(tmp_path / "data")
    placed = []
    for _ in range(10):
        with engine.begin() as conn:
            pending = select(*reading.RAW_COLUMNS).where(raw_messages.c.status == "pending")
            batch = [reading.to_stored(r) for r in conn.execute(pending).all()]
            if not batch:
                break
            stats = normalizer.process(conn, batch, until=0.0)  # long past
        placed.append(sum(stats.by_channel.values()))
    assert placed == [1, 1, 1, 1]  # a, b, c, then d's two parts joined
    assert set(status_of(engine).values()) == {"normalized"}
    assert count(engine, complaints) == 3
    assert count(engine, complaint_sources) == 5
