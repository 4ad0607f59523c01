"""``aduan stats`` figures on the seven known complaints of ``dataset``, on both databases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from aduan.analytics.period import parse_period
from aduan.analytics.stats import By, compute
from tests.analytics import dataset
from tests.helpers.cli import aduan

JAKARTA = ZoneInfo("Asia/Jakarta")


def figures(
    engine: Engine, by: By | None, since: str | None = None, until: str | None = None
) -> Any:
    with engine.connect() as conn:
        report = compute(conn, by, parse_period(since, until, JAKARTA), JAKARTA)
    return report


def row(
    complaints: int, resolved: int, overdue: int, median: float | None, met: int, decided: int
) -> dict[str, Any]:
    return {
        "complaints": complaints,
        "resolved": resolved,
        "overdue": overdue,
        "overdue_share": round(overdue / complaints, 4),
        "median_hours_to_resolve": median,
        "sla_met": met,
        "sla_decided": decided,
        "sla_compliance": round(met / decided, 4) if decided else None,
    }


# Expected figures worked out by hand from the table in tests/analytics/dataset.py.
EXPECTED: dict[By, dict[str | None, dict[str, Any]]] = {
    By.channel: {
        "sms": row(3, 2, 1, 72.0, 1, 3),  # A met 24 h, B missed 120 h, G overdue
        "email": row(2, 0, 1, None, 0, 1),  # C overdue, D untriaged
        "twitter": row(2, 1, 0, 6.0, 1, 1),  # E met 6 h, F not yet due
    },
    By.category: {
        "banjir": row(3, 1, 1, 6.0, 1, 2),  # ties in count: by name
        "lampu": row(3, 2, 1, 72.0, 1, 3),
        None: row(1, 0, 0, None, 0, 0),
    },
    By.agency: {
        "dinas-bina-marga": row(3, 2, 1, 72.0, 1, 3),
        "dinas-sda": row(3, 1, 1, 6.0, 1, 2),
        None: row(1, 0, 0, None, 0, 0),
    },
    By.day: {  # local (WIB) days: B moves to 11-03
        "2026-11-02": row(1, 1, 0, 24.0, 1, 1),
        "2026-11-03": row(2, 1, 1, 120.0, 0, 2),
        "2026-11-04": row(1, 0, 1, None, 0, 1),
        "2026-11-09": row(1, 0, 0, None, 0, 0),
        "2026-11-10": row(2, 1, 0, 6.0, 1, 1),
    },
    By.week: {
        "2026-W45": row(4, 2, 2, 72.0, 1, 4),
        "2026-W46": row(3, 1, 0, 6.0, 1, 1),
    },
    By.kecamatan: {  # only A names its kecamatan
        None: row(6, 2, 2, 63.0, 1, 4),
        "Kebayoran Baru": row(1, 1, 0, 24.0, 1, 1),
    },
    By.kelurahan: {
        None: row(6, 2, 2, 63.0, 1, 4),
        "Gandaria Utara": row(1, 1, 0, 24.0, 1, 1),
    },
}
TOTAL = row(7, 3, 2, 24.0, 2, 5)


@pytest.mark.parametrize("by", list(By))
def test_figures_by_each_dimension(engine: Engine, by: By) -> None:
    dataset.seed(engine)
    report = figures(engine, by)
    got = {g.pop("key"): g for g in report.groups}
    assert got == EXPECTED[by]
    assert list(got) == list(EXPECTED[by])  # busiest first; days and weeks in order
    total = dict(report.total)
    assert total.pop("key") == "total" and total == TOTAL


def test_period_is_local_days(engine: Engine) -> None:
    dataset.seed(engine)
    report = figures(engine, By.channel, "2026-11-03", "2026-11-04")
    # B (03:00 WIB on the 3rd), C and G; not A (08:00 WIB on the 2nd)
    assert report.total["complaints"] == 3
    assert {g["key"]: g["complaints"] for g in report.groups} == {"sms": 2, "email": 1}


def test_cli_json_and_table(engine: Engine, store_url: str, tmp_path: Path) -> None:
    dataset.seed(engine)
    result = aduan("stats", "--by", "channel", "--format", "json", url=store_url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["by"] == "channel" and data["total"]["sla_compliance"] == 0.4
    assert [g["key"] for g in data["groups"]] == ["sms", "email", "twitter"]
    table = aduan("stats", "--by", "week", url=store_url, cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    assert "2026-W45" in table.stdout and "40.0%" in table.stdout


def test_bad_dates_are_usage_errors(engine: Engine, store_url: str, tmp_path: Path) -> None:
    for args in (("--since", "kemarin"), ("--since", "2026-11-05", "--until", "2026-11-01")):
        result = aduan("stats", *args, url=store_url, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
    bad_by = aduan("stats", "--by", "district", url=store_url, cwd=tmp_path)
    assert bad_by.returncode == 2
