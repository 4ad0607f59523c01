"""``aduan eval dedup`` on the labelled dev pairs: the quality bar dedup must keep."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

DEV = Path(__file__).resolve().parent / "data" / "dedup_dev.jsonl"  # a copy of shared/data's
PLACES = DEV.with_name("dedup_dev_places.jsonl")  # one event in other words; same-place negatives


def eval_dedup(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aduan", "eval", "dedup", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
        env={"PATH": "/usr/bin:/bin", "ADUAN_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"},
    )


@pytest.mark.slow
def test_dev_set_meets_the_targets(tmp_path: Path) -> None:
    done = eval_dedup(tmp_path, str(DEV), "--json")
    assert done.returncode == 0, done.stderr
    scores = json.loads(done.stdout)
    assert set(scores["precision"]) >= {"same_complaint", "same_incident", "different", "same"}
    assert scores["precision"]["same"] >= 0.95, scores
    assert scores["recall"]["same"] >= 0.85, scores


@pytest.mark.slow
def test_dev_sets_together_meet_the_place_targets(tmp_path: Path) -> None:
    done = eval_dedup(tmp_path, str(DEV), str(PLACES), "--json")
    assert done.returncode == 0, done.stderr
    combined = json.loads(done.stdout)["combined"]
    assert combined["precision"]["same"] >= 0.95, combined
    assert combined["recall"]["same"] >= 0.85, combined
    assert combined["recall"]["same_incident"] >= 0.80, combined


def test_several_files_report_each_and_together(tmp_path: Path) -> None:
    lines = DEV.read_text(encoding="utf-8").splitlines()
    first, second = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    first.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    second.write_text("\n".join(lines[3:5]) + "\n", encoding="utf-8")
    done = eval_dedup(tmp_path, str(first), str(second), "--json")
    assert done.returncode == 0, done.stderr
    scores = json.loads(done.stdout)
    assert scores["combined"]["pairs"] == 5
    assert [v["pairs"] for v in scores["files"].values()] == [3, 2]


def test_bad_file_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "pairs.jsonl"
    bad.write_text('{"id": "x", "a": {}}\n')
    done = eval_dedup(tmp_path, str(bad))
    assert done.returncode == 1
    assert "not a labelled pair" in done.stderr and "Traceback" not in done.stderr
