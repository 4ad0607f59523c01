"""``aduan triage train``, ``aduan triage model`` and the learned half of ``aduan eval triage``.

* ``aduan triage train [FILE...] [--from-store] [--dir DIR] [--cv 5] [--no-rule-terms]``:
  train the classifier on labelled files (``aduan eval triage`` format,
  ``agency`` optional) and/or the store's labels (the desk's decisions,
  imported history, plus the shipped dev set unless ``[triage.model]
  use_dev_set = false``), plus the rules' terms, and save it with its
  metadata in the model directory (``DATA_DIR/triage-model``, or DIR).
* ``aduan triage model [--dir DIR]``: what the saved model is (trained when, on
  how many labels, cross-validated accuracy, library versions); an error if
  it cannot be used by this aduan.
* ``aduan eval triage PATH --cv K`` / ``--train FILE...``: rules, model and
  blend side by side (:mod:`aduan.triage.measure`).

scikit-learn is imported only by these commands, never at start-up.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import typer

from aduan.cli.common import state
from aduan.cli.triage import triage_app
from aduan.triage import configure
from aduan.triage.router import model_directory


def model_dir(given: Path | None) -> Path:
    settings = state.settings()
    return given if given is not None else model_directory(settings.triage.model, settings.data_dir)


@triage_app.command("train")
def train_command(
    files: list[Path] = typer.Argument(None, help="Labelled JSON lines: text, category[, agency]."),
    from_store: bool = typer.Option(
        False, "--from-store", help="The store's labels (and the dev set, as configured)."
    ),
    directory: Path | None = typer.Option(None, "--dir", help="Default: DATA_DIR/triage-model."),
    cv: int = typer.Option(5, "--cv", help="Folds for the accuracy in the metadata; 0: skip."),
    rule_terms: bool = typer.Option(
        True, "--rule-terms/--no-rule-terms", help="Also learn from the rules' terms."
    ),
) -> None:
    """Train the learned classifier and save it with its metadata."""
    from aduan.triage.learned import rule_examples, save, train
    from aduan.triage.measure import read_examples

    settings = state.settings()
    files = files or []
    if not files and not from_store:
        raise typer.BadParameter("give labelled FILEs, --from-store, or both")
    ruleset = configure(settings.triage, settings.timezone, settings.data_dir).rules
    examples = [e for path in files for e in read_examples(path)]
    sources = [str(p) for p in files]
    if from_store:
        from aduan.runtime import Runtime
        from aduan.triage.retrain import examples as store_examples

        runtime = Runtime.create(settings, logging=False)
        try:
            stored, stored_sources = store_examples(runtime.engine, settings.triage)
        finally:
            runtime.close()
        examples += stored
        sources += stored_sources
    prior = rule_examples(ruleset) if rule_terms else []
    model = train(examples, prior=prior, cv_folds=cv, sources=sources)
    path = save(model, model_dir(directory))
    meta = model.metadata
    accuracy = "-" if meta.cv_accuracy is None else f"{meta.cv_accuracy:.3f}"
    typer.echo(
        f"{path}: {meta.rows} labels + {meta.prior_rows} rule terms, "
        f"{len(meta.categories)} categories, cross-validated accuracy {accuracy}"
    )


@triage_app.command("model")
def model_command(
    directory: Path | None = typer.Option(None, "--dir", help="Default: DATA_DIR/triage-model."),
    as_json: bool = typer.Option(False, "--json", help="The metadata as JSON."),
) -> None:
    """Show the saved model's metadata (an error if this aduan cannot use it)."""
    from aduan.triage.learned import MODEL_FILE, load

    where = model_dir(directory)
    model = load(where)
    meta = {**asdict(model.metadata), "bytes": (where / MODEL_FILE).stat().st_size}
    if as_json:
        typer.echo(json.dumps(meta, ensure_ascii=False))
        return
    for key, value in meta.items():
        typer.echo(f"{key:12} {value}")


def eval_learned(
    path: Path,
    *,
    cv: int | None,
    train_files: list[Path],
    level: float | None,
    override: float | None,
    as_json: bool,
) -> None:
    """``aduan eval triage PATH --cv K | --train FILE...``."""
    from aduan.triage.blend import DEFAULT_LEVEL, DEFAULT_OVERRIDE
    from aduan.triage.evaluate import read_labelled
    from aduan.triage.measure import cross_validation, train_test

    if cv is not None and train_files:
        raise typer.BadParameter("give --cv K or --train FILE, not both")
    settings = state.settings()
    configure(settings.triage, settings.timezone)
    rows = read_labelled(path)
    lvl = DEFAULT_LEVEL if level is None else level
    ovr = DEFAULT_OVERRIDE if override is None else override
    if cv is not None:
        report = cross_validation(rows, cv, level=lvl, override=ovr)
    else:
        report = train_test(train_files, rows, level=lvl, override=ovr)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    _table(report)


def _table(report: dict[str, Any]) -> None:
    head = f"{'system':8} {'accuracy':>8} {'macro':>6} {'hp recall':>9} {'hp precision':>12}"
    typer.echo(head)
    for name in ("rules", "model", "blend"):
        r = report[name]
        typer.echo(
            f"{name:8} {r['accuracy']:8.3f} {r['macro_recall']:6.3f} "
            f"{r['high_priority_recall']:9.3f} {r['high_priority_precision']:12.3f}"
        )
    d = report["danger"]
    typer.echo(
        f"{'danger':8} {'':8} {'':6} {d['high_priority_recall']:9.3f} "
        f"{d['high_priority_precision']:12.3f}"
    )
    typer.echo(
        f"{report['blend']['total']} complaints, {report['blend']['human_queue']} to the human "
        f"queue by the blend (level {report['level']}, override {report['override']})"
    )
