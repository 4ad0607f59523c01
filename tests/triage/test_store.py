"""Triage in the store (SQLite and PostgreSQL): pending, re-triage, manual, escalation, CLI."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from structlog.testing import capture_logs

from aduan.cli import main
from aduan.cli.common import state
from aduan.config.triage import EscalationSettings
from aduan.core.errors import AduanError
from aduan.core.text import matching_form
from aduan.daemon.jobs import PERIODIC_JOBS
from aduan.daemon.triage_jobs import run_escalate, run_triage
from aduan.runtime import Runtime
from aduan.runtime.loader import load_settings
from aduan.store.models import complaints
from aduan.triage import configure, due_at
from aduan.triage.apply import audit_log, retriage, set_manual, triage_decisions, triage_pending
from aduan.triage.escalate import complaint_events, escalate

MONDAY_10_WIB = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _packaged_rules() -> None:
    configure()


_counter = iter(range(1, 1_000_000))


def add(engine: Engine, text: str, **values: Any) -> str:
    """Insert a complaint row directly; returns its reference."""
    reference = f"ADU-2026-{next(_counter):06d}"
    now = datetime.now(UTC)
    row: dict[str, Any] = {
        "reference": reference,
        "channel": "sms",
        "account": "kannel",
        "text": text,
        "original_text": text,
        "match_text": matching_form(text),
        "received_at": MONDAY_10_WIB,
        "created_at": now,
        "updated_at": now,
        "status": "new",
        "extra": {},
    }
    row.update(values)
    with engine.begin() as conn:
        conn.execute(complaints.insert().values(**row))
    return reference


def complaint(engine: Engine, reference: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(select(complaints).where(complaints.c.reference == reference)).one()


def decisions(engine: Engine, reference: str) -> list[Any]:
    row = complaint(engine, reference)
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(triage_decisions)
                .where(triage_decisions.c.complaint_id == row.id)
                .order_by(triage_decisions.c.id)
            ).all()
        )


def test_pending_complaints_are_routed_and_recorded(engine: Engine) -> None:
    pending = add(engine, "pju mati di gang kenanga")
    unclear = add(engine, "selamat pagi admin")
    done = add(engine, "got mampet", category="waste", triage_source="rules")
    closed = add(engine, "got mampet", status="closed")
    assert triage_pending(engine) == 2
    row = complaint(engine, pending)
    assert (row.category, row.agency, row.priority, row.track) == (
        "street_lighting",
        "sudin-bina-marga",
        "normal",
        "same_day",
    )
    assert row.due_at == due_at(MONDAY_10_WIB) == datetime(2026, 11, 5, 3, 0, tzinfo=UTC)
    assert row.triage_source == "rules"
    assert row.extra["needs_review"] is False
    (decision,) = decisions(engine, pending)
    assert decision.source == "rules" and decision.score > 0
    assert "street_lighting:pju" in decision.rules
    other = complaint(engine, unclear)
    assert other.category == "other" and other.extra["needs_review"] is True
    assert decisions(engine, unclear)[0].rules[-1] == "needs_review"
    assert complaint(engine, done).category == "waste"
    assert complaint(engine, closed).category is None
    assert triage_pending(engine) == 0


def test_retriage_records_changes_and_keeps_manual_decisions(engine: Engine) -> None:
    stale = add(
        engine,
        "Got mampet depan rumah",
        category="other",
        priority="normal",
        track="coordination",
        due_at=due_at(MONDAY_10_WIB),
        triage_source="rules",
    )
    manual = add(
        engine,
        "pju mati",
        category="roads",
        agency="sudin-bina-marga",
        priority="high",
        track="coordination",
        triage_source="manual",
    )
    old = add(
        engine,
        "Got mampet",
        category="other",
        triage_source="rules",
        received_at=datetime(2025, 1, 6, 3, tzinfo=UTC),
    )
    preview = retriage(engine, since=datetime(2026, 1, 1, tzinfo=UTC), dry_run=True)
    assert (preview.examined, preview.changed, preview.manual_kept) == (2, 1, 1)
    assert complaint(engine, stale).category == "other"  # dry run wrote nothing
    outcome = retriage(engine, since=datetime(2026, 1, 1, tzinfo=UTC))
    assert (outcome.changed, outcome.manual_kept) == (1, 1)
    row = complaint(engine, stale)
    assert (row.category, row.agency) == ("drainage_flooding", "sudin-sda")
    (decision,) = decisions(engine, stale)
    assert decision.changes["category"] == {"from": "other", "to": "drainage_flooding"}
    assert decision.changes["agency"] == {"from": None, "to": "sudin-sda"}
    assert "due_at" not in decision.changes
    assert complaint(engine, manual).category == "roads"
    assert decisions(engine, manual) == []
    assert complaint(engine, old).category == "other"  # before --since
    assert retriage(engine).changed == 1  # --all reaches the old one
    assert retriage(engine).changed == 0  # nothing left to change


def test_manual_decision_is_audited_and_never_overwritten(engine: Engine) -> None:
    ref = add(engine, "pju mati")
    triage_pending(engine)
    changes = set_manual(engine, ref, category="roads", priority="high", actor="petugas-1")
    assert changes["category"] == {"from": "street_lighting", "to": "roads"}
    assert changes["priority"] == {"from": "normal", "to": "high"}
    row = complaint(engine, ref)
    assert (row.category, row.priority, row.triage_source) == ("roads", "high", "manual")
    assert row.track == "coordination"  # roads' default track
    last = decisions(engine, ref)[-1]
    assert (last.source, last.actor, last.rules) == ("manual", "petugas-1", ["manual"])
    with engine.connect() as conn:
        audit = conn.execute(select(audit_log)).one()
    assert (audit.actor, audit.action, audit.subject) == ("petugas-1", "triage_set", ref)
    assert retriage(engine).manual_kept == 1
    assert complaint(engine, ref).category == "roads"
    with pytest.raises(AduanError, match="no complaint"):
        set_manual(engine, "ADU-2026-999999", category="roads", actor="x")
    with pytest.raises(AduanError, match="unknown category"):
        set_manual(engine, ref, category="potholes", actor="x")
    with pytest.raises(AduanError, match="unknown agency"):
        set_manual(engine, ref, category="roads", agency="dinas-x", actor="x")


def test_escalation_marks_overdue_and_warns_once(engine: Engine) -> None:
    now = datetime(2026, 11, 5, 6, 0, tzinfo=UTC)
    late = add(
        engine,
        "pju mati",
        category="street_lighting",
        agency="sudin-bina-marga",
        priority="normal",
        due_at=now - timedelta(hours=1),
    )
    soon = add(engine, "got mampet", category="drainage_flooding", due_at=now + timedelta(hours=2))
    later = add(engine, "sampah", category="waste", due_at=now + timedelta(days=2))
    resolved = add(
        engine, "sampah", category="waste", status="resolved", due_at=now - timedelta(days=1)
    )
    settings = EscalationSettings(due_soon_hours=4)
    with capture_logs() as logs:
        result = escalate(engine, settings, now=now)
    assert (result.overdue, result.due_soon) == (1, 1)
    row = complaint(engine, late)
    assert row.overdue is True and row.overdue_at == now
    for ref in (soon, later, resolved):
        assert complaint(engine, ref).overdue is False
    with engine.connect() as conn:
        events = {(e.complaint_id, e.kind) for e in conn.execute(select(complaint_events))}
    assert events == {(row.id, "overdue"), (complaint(engine, soon).id, "due_soon")}
    overdue_logs = [e for e in logs if e["event"] == "complaint_overdue"]
    assert len(overdue_logs) == 1
    entry = overdue_logs[0]
    assert entry["reference"] == late and entry["agency"] == "sudin-bina-marga"
    assert entry["late_minutes"] == 60
    assert "pju" not in str(entry)  # no complaint text (it may hold personal data)
    assert [e["reference"] for e in logs if e["event"] == "complaint_due_soon"] == [soon]
    again = escalate(engine, settings, now=now)
    assert (again.overdue, again.due_soon) == (0, 0)


def test_jobs_are_registered_and_run(engine: Engine, tmp_path: Path) -> None:
    names = [job.name for job in PERIODIC_JOBS]
    assert names.count("triage") == 1 and names.count("escalate") == 1
    settings = load_settings(env={}, data_dir=tmp_path)
    runtime = Runtime(settings, engine)
    ref = add(engine, "Sampah TPS belum diangkut", received_at=datetime(2026, 1, 5, 3, tzinfo=UTC))
    assert run_triage(runtime, lambda: False) == 1
    assert complaint(engine, ref).category == "waste"
    assert run_escalate(runtime, lambda: False) == 1
    assert complaint(engine, ref).overdue is True


@pytest.fixture
def cli_config(store_url: str, tmp_path: Path) -> Iterator[Path]:
    config = tmp_path / "aduan.toml"
    config.write_text(
        f'database_url = "{store_url}"\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8"
    )
    state._settings = None
    yield config
    state._settings = None
    state.config_path = None


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out, err


def test_cli_set_and_retriage(
    engine: Engine, cli_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = add(engine, "Got mampet", category="other", triage_source="rules")
    keep = add(engine, "pju mati", category="roads", triage_source="manual")
    code, out, _ = run_cli(capsys, "--config", str(cli_config), "triage", "--all")
    assert code == 0, out
    assert f"{ref}  category: other -> drainage_flooding" in out
    assert "2 examined, 1 changed, 1 manual decisions kept" in out
    code, out, _ = run_cli(
        capsys,
        "--config",
        str(cli_config),
        "triage",
        "set",
        ref,
        "--category",
        "waste",
        "--priority",
        "high",
        "--actor",
        "petugas-2",
    )
    assert code == 0
    assert f"{ref}  category: drainage_flooding -> waste" in out
    assert complaint(engine, ref).triage_source == "manual"
    assert complaint(engine, keep).category == "roads"
    code, _, err = run_cli(
        capsys, "--config", str(cli_config), "triage", "set", ref, "--category", "nope"
    )
    assert code == 1 and "unknown category" in err
    code, _, err = run_cli(capsys, "--config", str(cli_config), "triage")
    assert code == 2 and "--all or --since" in err
