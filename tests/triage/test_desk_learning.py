"""The model learns from the desk: manual decisions are labels, the retrain job fits on them,
the writer blends the new model in; without a model (or switched off) the rules decide alone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from structlog.testing import capture_logs

from aduan.config.triage import TriageSettings
from aduan.daemon.jobs import PERIODIC_JOBS
from aduan.daemon.triage_jobs import run_retrain
from aduan.runtime import Runtime
from aduan.runtime.loader import load_settings
from aduan.triage import configure
from aduan.triage.apply import set_manual, triage_decisions, triage_pending
from aduan.triage.labels import count_since, read_labels
from aduan.triage.retrain import dev_set, due, retrain
from aduan.triage.router import Router, current_model, model_directory
from tests.triage.test_store import add, cli_config, complaint, run_cli

__all__ = ["cli_config"]  # the fixture, shared with test_store

KIND = "warung kopi di gang {n} buka sampai subuh, parkiran motor meluber ke jalan kampung"
STREETS = [f"{name} {i}" for name in ("mawar", "melati", "kenanga") for i in range(10)]


@pytest.fixture
def runtime(engine: Engine, tmp_path: Path) -> Iterator[Runtime]:
    env = {"ADUAN_TRIAGE__MODEL__ENABLED": "true", "ADUAN_TRIAGE__MODEL__RETRAIN_MIN_LABELS": "30"}
    settings = load_settings(env=env, data_dir=tmp_path)
    configure(settings.triage, settings.timezone, settings.data_dir)
    yield Runtime(settings, engine)
    configure()


def decisions(engine: Engine, reference: str) -> list[Any]:
    row = complaint(engine, reference)
    with engine.connect() as conn:
        query = select(triage_decisions).where(triage_decisions.c.complaint_id == row.id)
        return list(conn.execute(query.order_by(triage_decisions.c.id)))


def test_thirty_corrections_retrain_and_route_the_next_one(
    runtime: Runtime, engine: Engine
) -> None:
    """The issue's test: correct 30 complaints of one kind, retrain, the next goes there."""
    with capture_logs() as logs:
        references = [add(engine, KIND.format(n=street)) for street in STREETS]
        assert triage_pending(engine) == 30  # no model yet: the rules decide, logged once
    assert [e["event"] for e in logs].count("triage_model_missing") == 1
    ruled = complaint(engine, references[0]).category
    assert ruled != "land_building"
    assert run_retrain(runtime, lambda: False) == 0  # nothing new to learn from
    for reference in references:
        set_manual(engine, reference, category="land_building", actor="clerk-a")
    labels = read_labels(engine)
    assert len(labels) == 30 and {lb.actor for lb in labels} == {"clerk-a"}
    assert {lb.category for lb in labels} == {"land_building"}
    assert run_retrain(runtime, lambda: False) == 30
    directory = model_directory(runtime.settings.triage.model, runtime.settings.data_dir)
    assert current_model(directory) is not None
    assert due(engine, runtime.settings.triage, runtime.settings.data_dir) == 0
    fresh = add(engine, KIND.format(n="anggrek"))
    assert triage_pending(engine) == 1
    row = complaint(engine, fresh)
    assert (row.category, row.triage_source) == ("land_building", "model")
    recorded = decisions(engine, fresh)[-1].rules
    assert any(name.startswith("model:land_building:") for name in recorded)
    why = next(name for name in recorded if name.startswith("why:"))
    assert why.startswith(f"why:rules: {ruled}") and "-> model" in why
    assert any(name.startswith("model_at:") for name in recorded)


def test_switched_off_the_rules_decide_alone(engine: Engine, tmp_path: Path) -> None:
    settings = TriageSettings()
    configure(settings, data_dir=tmp_path)
    try:
        retrain(engine, settings, tmp_path, cv_folds=0)  # a model exists, but is not on
        router = Router()
        assert router.model is None
        text = "jalan berlubang besar di depan sekolah"
        blended = router.decide(text, channel="sms", hint=None)
        rules = router.triage.decide(text, channel="sms", hint=None)
        assert blended.decision.category == rules.category
        assert router.recorded(blended) == blended.decision
    finally:
        configure()


def test_an_unusable_model_file_is_logged_once_and_the_rules_decide(
    runtime: Runtime, engine: Engine
) -> None:
    directory = model_directory(runtime.settings.triage.model, runtime.settings.data_dir)
    directory.mkdir(parents=True)
    (directory / "model.joblib").write_bytes(b"not a model")
    (directory / "model.json").write_text('{"format": 1}', encoding="utf-8")
    with capture_logs() as logs:
        first = add(engine, "lampu jalan mati total di gang buntu")
        add(engine, "sampah menumpuk di pinggir kali")
        assert triage_pending(engine, limit=1) == 1
        assert triage_pending(engine, limit=1) == 1
    assert [e["event"] for e in logs].count("triage_model_unusable") == 1
    assert complaint(engine, first).triage_source == "rules"


def test_labels_count_desk_decisions_and_imported_history(engine: Engine) -> None:
    configure()
    add(engine, "pohon tumbang di taman kota", extra={"label": {"category": "parks_trees"}})
    add(engine, "kategori lama tidak dikenal", extra={"label": {"category": "jalan_rusak"}})
    ref = add(engine, "lampu taman mati")
    assert count_since(engine, None) == 1
    set_manual(engine, ref, category="street_lighting", actor="clerk-b")
    labels = sorted((lb.origin, lb.category, lb.actor) for lb in read_labels(engine))
    assert labels == [("desk", "street_lighting", "clerk-b"), ("import", "parks_trees", None)]


def test_the_dev_set_ships_with_the_package_and_the_job_is_listed() -> None:
    assert len(dev_set()) == 240
    assert [job.name for job in PERIODIC_JOBS].count("triage-retrain") == 1


def test_train_from_store_then_show_the_model(
    engine: Engine, cli_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = add(engine, "lampu taman mati sejak kemarin malam")
    set_manual(engine, ref, category="street_lighting", actor="clerk-c")
    args = ("--config", str(cli_config), "triage")
    code, out, _ = run_cli(capsys, *args, "train", "--from-store", "--cv", "0")
    assert code == 0 and "241 labels" in out, out
    code, out, _ = run_cli(capsys, *args, "model", "--json")
    meta = json.loads(out)
    assert meta["rows"] == 241 and meta["bytes"] > 0 and meta["trained_at"]
    assert meta["sources"] == ["store: 1 labels", "dev set: 240 labels"]


def test_thirty_corrections_through_the_cli_then_train_from_the_store(
    engine: Engine, cli_config: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The same through the commands a clerk and an operator run: ``aduan triage set`` 30
    times, ``aduan triage train --from-store``; the next complaint of the kind goes there."""
    args = ("--config", str(cli_config), "triage")
    references = [add(engine, KIND.format(n=street)) for street in STREETS]
    for reference in references:
        code, _, err = run_cli(
            capsys, *args, "set", reference, "--category", "land_building", "--actor", "clerk-b"
        )
        assert code == 0, err
    assert {lb.actor for lb in read_labels(engine)} == {"clerk-b"}
    code, out, _ = run_cli(capsys, *args, "train", "--from-store", "--cv", "0")
    assert code == 0 and "270 labels" in out, out
    env = {"ADUAN_TRIAGE__MODEL__ENABLED": "true", "ADUAN_TRIAGE__MODEL__RETRAIN": "false"}
    settings = load_settings(env=env, data_dir=tmp_path / "data")
    configure(settings.triage, settings.timezone, settings.data_dir)
    try:
        fresh = add(engine, KIND.format(n="anggrek"))
        assert triage_pending(engine) == 1
        row = complaint(engine, fresh)
        assert (row.category, row.triage_source) == ("land_building", "model")
    finally:
        configure()
