"""``aduan eval places``: the labelled sets through the CLI, with the issue's targets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aduan.cli import main

DATA = Path(__file__).parents[1] / "data"
SETS = [
    (DATA / "places_dev.jsonl", 80),
    (DATA / "places_heldout.jsonl", 88),
    (DATA / "places_fresh.jsonl", 42),
]


def run_eval(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(["eval", "places", *args])
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out, err


@pytest.mark.parametrize(("path", "total"), SETS)
def test_targets(capsys: pytest.CaptureFixture[str], path: Path, total: int) -> None:
    code, out, _ = run_eval(capsys, str(path), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["total"] == total
    assert set(report) == {"kelurahan", "kecamatan", "rt", "rw", "street", "total"}
    assert set(report["rt"]) == {"precision", "recall", "f1"}
    assert report["kecamatan"]["f1"] >= 0.95, report
    assert report["kelurahan"]["f1"] >= 0.90, report
    assert report["kelurahan"]["precision"] >= 0.97, report


def test_table_and_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    row = {"id": "x-1", "text": "banjir di Kel. Bangka", "kelurahan": "Pondok Labu"}
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    code, out, _ = run_eval(capsys, str(path), "--errors")
    assert code == 0
    assert "kelurahan      0.000   0.000  0.000    0   1   1" in out
    assert "x-1: kelurahan: expected 'Pondok Labu', got 'Bangka'" in out
    assert "x-1: kecamatan: expected None, got 'Mampang Prapatan'" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json\n", "not JSON"),
        ('{"kelurahan": "Bangka"}\n', "needs a string 'text'"),
        ('{"text": "x", "rt": 5}\n', "'rt' must be a string or null"),
        ("", "no labelled complaints"),
    ],
)
def test_bad_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    code, _, err = run_eval(capsys, str(path))
    assert code == 1
    assert message in err


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run_eval(capsys, str(tmp_path / "nope.jsonl"))
    assert code == 1 and "cannot read" in err
