"""``aduan eval triage``: quality on the labelled dev set, with the targets from the issue."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aduan.cli import main

DATA = Path(__file__).parent / "data"
DEV = DATA / "triage_dev.jsonl"
HELDOUT = DATA / "heldout.jsonl"
FRESH = DATA / "fresh.jsonl"


def run_eval(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(["eval", "triage", *args])
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out, err


def test_dev_set_meets_targets(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_eval(capsys, str(DEV), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["accuracy"] >= 0.85, report
    assert report["macro_recall"] >= 0.80, report
    assert report["high_priority_recall"] >= 0.90, report
    assert set(report["per_category"]["roads"]) >= {"precision", "recall"}


@pytest.mark.parametrize(("path", "total"), [(HELDOUT, 62), (FRESH, 24)])
def test_sets_in_other_voices(capsys: pytest.CaptureFixture[str], path: Path, total: int) -> None:
    """Written without looking at the dev set; a floor well under the dev targets."""
    code, out, _ = run_eval(capsys, str(path), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["total"] == total
    assert report["accuracy"] >= 0.80, report
    assert report["high_priority_recall"] >= 0.75, report


def test_table_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_eval(capsys, str(HELDOUT))
    assert code == 0
    assert "street_lighting" in out
    assert "accuracy" in out and "macro recall" in out and "high-priority recall" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"text": "x", "category": "nope"}\n', "unknown category 'nope'"),
        ("not json\n", "not JSON"),
        ('{"category": "roads"}\n', "needs a string 'text'"),
        ("", "no labelled complaints"),
    ],
)
def test_bad_files_are_clear_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    code, _, err = run_eval(capsys, str(path))
    assert code == 1
    assert message in err
    assert "Traceback" not in err
