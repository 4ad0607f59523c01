"""Case follow-up on both databases: transitions, notes, reopening, the record of who and when."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from aduan.core.clock import utcnow
from aduan.core.messages import RawMessage
from aduan.store import open_store, save_batch
from aduan.store.cases import CaseError, history, update_status
from aduan.store.models import complaint_sources, complaints, raw_messages
from tests.helpers.cli import aduan
from tests.helpers.complaints import insert_complaint


def row(engine: Engine, complaint_id: int):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return conn.execute(select(complaints).where(complaints.c.id == complaint_id)).one()


def test_resolve_close_reopen(engine: Engine) -> None:
    cid = insert_complaint(engine, reference="ADU-2026-100001")
    update_status(engine, "ADU-2026-100001", "in_progress", actor="sudin-bm")
    with pytest.raises(CaseError, match="note"):
        update_status(engine, "ADU-2026-100001", "resolved", actor="sudin-bm")
    update_status(engine, "ADU-2026-100001", "resolved", actor="sudin-bm", note="Lampu diganti")
    resolved = row(engine, cid)
    assert resolved.status == "resolved" and resolved.resolved_at is not None
    update_status(engine, "ADU-2026-100001", "reopen", actor="operator", note="Mati lagi")
    reopened = row(engine, cid)
    assert reopened.status == "in_progress" and reopened.resolved_at is None
    kinds = [(e.kind, e.from_status, e.to_status, e.actor) for e in history(engine, cid)]
    assert kinds == [
        ("status", "triaged", "in_progress", "sudin-bm"),
        ("status", "in_progress", "resolved", "sudin-bm"),
        ("reopened", "resolved", "in_progress", "operator"),
    ]


def test_reject_needs_agency_and_closes(engine: Engine) -> None:
    cid = insert_complaint(engine, reference="ADU-2026-100002")
    with pytest.raises(CaseError, match="agency"):
        update_status(engine, "ADU-2026-100002", "rejected", actor="x", note="bukan kami")
    update_status(
        engine, "ADU-2026-100002", "rejected", actor="x", note="jalan nasional", agency="BBPJN"
    )
    rejected = row(engine, cid)
    assert rejected.status == "rejected" and rejected.closed_at is not None


def test_unknown_reference_and_status(engine: Engine) -> None:
    insert_complaint(engine, reference="ADU-2026-100003")
    with pytest.raises(CaseError, match="no complaint"):
        update_status(engine, "ADU-2026-000000", "closed", actor="x")
    with pytest.raises(CaseError, match="unknown status"):
        update_status(engine, "ADU-2026-100003", "done", actor="x")
    with pytest.raises(CaseError, match="can reopen"):
        update_status(engine, "ADU-2026-100003", "reopen", actor="x")


def test_reference_reserved_on_a_source_reaches_the_complaint(engine: Engine) -> None:
    cid = insert_complaint(engine, reference="ADU-2026-100004")
    saved = save_batch(
        engine, [RawMessage("walkin", "desk", "w1", b"{}", "application/json", utcnow())]
    )
    with engine.begin() as conn:
        conn.execute(
            complaint_sources.insert().values(
                complaint_id=cid,
                raw_message_id=saved.new["w1"],
                role="duplicate",
                channel="walkin",
                received_at=utcnow(),
                reference="ADU-2026-100099",
            )
        )
    update_status(engine, "ADU-2026-100099", "in_progress", actor="x")
    assert row(engine, cid).status == "in_progress"
    with engine.connect() as conn:
        assert conn.execute(select(raw_messages.c.id)).scalar_one() == saved.new["w1"]


def test_cli_update_and_show(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    engine = open_store(url)
    insert_complaint(engine, reference="ADU-2026-100005")
    engine.dispose()
    bad = aduan(
        "complaint", "update", "ADU-2026-100005", "--status", "resolved", url=url, cwd=tmp_path
    )
    assert bad.returncode == 1 and "note" in bad.stderr and "Traceback" not in bad.stderr
    ok = aduan(
        "complaint",
        "update",
        "ADU-2026-100005",
        "--status",
        "resolved",
        "--note",
        "Selesai",
        "--actor",
        "ops",
        url=url,
        cwd=tmp_path,
    )
    assert ok.returncode == 0 and "triaged -> resolved" in ok.stdout
    shown = aduan("complaint", "show", "ADU-2026-100005", url=url, cwd=tmp_path)
    assert "resolved" in shown.stdout and "ops" in shown.stdout and "Selesai" in shown.stdout
    done = aduan("complaint", "update", "ADU-2026-100005", url=url, cwd=tmp_path)
    assert done.returncode == 2
