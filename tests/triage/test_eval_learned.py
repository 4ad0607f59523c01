"""``aduan eval triage --cv/--train`` and ``aduan triage train/model`` through the CLI."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from aduan.cli import main

DATA = Path(__file__).parent / "data"
DEV = DATA / "triage_dev.jsonl"
HELDOUT = DATA / "heldout.jsonl"
SYSTEMS = ("rules", "model", "blend")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out, err


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six complaints of each category from the dev set."""
    kept: list[str] = []
    seen: Counter[str] = Counter()
    for line in DEV.read_text(encoding="utf-8").splitlines():
        category = json.loads(line)["category"]
        if seen[category] < 6:
            seen[category] += 1
            kept.append(line)
    path = tmp_path_factory.mktemp("eval") / "small.jsonl"
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return path


def test_cross_validation_reports_three_systems(
    capsys: pytest.CaptureFixture[str], small: Path
) -> None:
    code, out, _ = run(capsys, "eval", "triage", str(small), "--cv", "3", "--json")
    assert code == 0
    report = json.loads(out)
    assert (report["mode"], report["folds"]) == ("cv", 3)
    for name in SYSTEMS:
        part = report[name]
        assert part["total"] == 90
        assert {"accuracy", "macro_recall", "high_priority_recall", "per_category"} <= set(part)
        assert 0.0 <= part["high_priority_precision"] <= 1.0
    assert report["rules"]["accuracy"] >= 0.9
    assert report["model"]["accuracy"] >= 0.5
    assert report["blend"]["human_queue"] >= 0
    assert set(report["danger"]) >= {"high_priority_recall", "high_priority_precision"}


def test_train_on_files_test_on_path(capsys: pytest.CaptureFixture[str], small: Path) -> None:
    code, out, _ = run(
        capsys, "eval", "triage", str(HELDOUT), "--train", str(small), "--train", str(small),
        "--level", "0.6", "--json",
    )  # fmt: skip
    assert code == 0
    report = json.loads(out)
    assert report["mode"] == "train" and report["trained"] == 180 and report["level"] == 0.6
    assert report["blend"]["total"] == 62


def test_table_output(capsys: pytest.CaptureFixture[str], small: Path) -> None:
    code, out, _ = run(capsys, "eval", "triage", str(HELDOUT), "--train", str(small))
    assert code == 0
    for word in ("rules", "model", "blend", "danger", "hp precision", "human queue"):
        assert word in out


def test_without_flags_the_output_is_unchanged(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "eval", "triage", str(HELDOUT), "--json")
    assert code == 0
    report = json.loads(out)
    assert "rules" not in report and "high_priority_precision" not in report
    assert report["total"] == 62


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cv", "2", "--train", str(DEV)], "not both"),
        (["--cv", "1"], "2 folds or more"),
        (["--cv", "40"], "every category needs 40"),
        (["--train", "/nonexistent/x.jsonl"], "cannot read"),
    ],
)
def test_bad_flags_are_clear_errors(
    capsys: pytest.CaptureFixture[str], small: Path, args: list[str], message: str
) -> None:
    code, _, err = run(capsys, "eval", "triage", str(small), *args)
    assert code in (1, 2)
    assert message in err
    assert "Traceback" not in err


def test_train_then_show_the_model(
    capsys: pytest.CaptureFixture[str], small: Path, tmp_path: Path
) -> None:
    code, out, err = run(capsys, "triage", "train", str(small), "--dir", str(tmp_path), "--cv", "3")
    assert code == 0, err
    assert "90 labels" in out and "rule terms" in out and "cross-validated accuracy" in out
    code, out, _ = run(capsys, "triage", "model", "--dir", str(tmp_path), "--json")
    assert code == 0
    meta = json.loads(out)
    assert meta["rows"] == 90 and meta["cv_folds"] == 3 and meta["sources"] == [str(small)]
    code, _, err = run(capsys, "triage", "model", "--dir", str(tmp_path / "none"))
    assert code == 1 and "aduan triage train" in err
