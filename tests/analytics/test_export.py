"""``aduan export``: three formats read back, masking, the audit row, clear errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine, select

from aduan.analytics.export import COLUMNS
from aduan.store.models import AuditEntry
from tests.analytics import dataset
from tests.analytics.seed import add_complaint, add_reporter, utc
from tests.helpers.cli import aduan

PII_TEXT = (
    "Nama: Budi Santoso\n"
    "Lampu jalan mati di depan SDN 03. Hubungi 0812-0001-2345 atau budi.s@example.com.\n"
    "NIK 3174051203900001\n\n"
    "Terima kasih,\n"
    "Budi Santoso"
)
SECRETS = ["Santoso", "0812-0001-2345", "budi.s@example.com", "3174051203900001", "Jl. Melati"]


def seed_personal(engine: Engine) -> None:
    dataset.seed(engine)
    with engine.begin() as conn:
        rid = add_reporter(
            conn,
            "r-santoso",
            "Budi Santoso",
            "tel:+6281200012345",
            "mailto:budi.s@example.com",
            "nik:0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        )
        add_complaint(
            conn,
            "ADU-2026-000100",
            "email",
            utc("2026-11-11 02:00"),
            reporter_id=rid,
            subject="Lampu mati - Budi Santoso 081200012345",
            text=PII_TEXT,
            address="Jl. Melati No. 5",
            lat=-6.2445678,
            lon=106.8001234,
            kecamatan="Kebayoran Baru",
        )


def read_back(fmt: str, path: Path) -> list[dict[str, Any]]:
    if fmt == "csv":
        with path.open(newline="", encoding="utf-8") as f:
            return [{k: (v or None) for k, v in row.items()} for row in csv.DictReader(f)]
    if fmt == "jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return list(pq.read_table(path).to_pylist())


def audit_rows(engine: Engine) -> list[Any]:
    table = AuditEntry.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        return list(conn.execute(select(table).order_by(table.c.id)))


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_masked_export(engine: Engine, store_url: str, tmp_path: Path, fmt: str) -> None:
    seed_personal(engine)
    out = tmp_path / f"aduan.{fmt}"
    result = aduan("export", "--format", fmt, "--out", str(out), url=store_url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "exported 8 complaints" in result.stderr
    rows = read_back(fmt, out)
    assert [r["reference"] for r in rows][:2] == [dataset.ref("A"), dataset.ref("B")]
    assert len(rows) == 8 and list(rows[0]) == list(COLUMNS)
    if fmt == "parquet":
        assert pq.ParquetFile(out).schema_arrow.names == list(COLUMNS)
    body = out.read_bytes()
    for secret in SECRETS:
        assert secret.encode() not in body, secret
    personal = rows[-1]
    assert personal["text"].startswith("Nama: <name>\nLampu jalan mati di depan SDN 03.")
    assert "<phone>" in personal["text"] and "<email>" in personal["text"]
    assert "<nik>" in personal["text"] and personal["text"].endswith("Terima kasih,\n<name>")
    assert personal["subject"] == "Lampu mati - <name> <phone>"
    assert personal["address"] is None and personal["reporter_name"] is None
    assert float(personal["lat"]) == -6.245 and float(personal["lon"]) == 106.8
    assert personal["reporter_key"] == "r-santoso" and personal["kecamatan"] == "Kebayoran Baru"
    overdue = {r["reference"]: r["overdue"] for r in rows}
    assert overdue[dataset.ref("C")] in (True, "1") and overdue[dataset.ref("A")] in (False, "0")
    [entry] = audit_rows(engine)
    assert (entry.actor, entry.action, entry.subject) == ("analis", "export", str(out))
    assert entry.details["include_personal_data"] is False
    assert entry.details["rows"] == 8 and entry.details["completed"] is True


def test_personal_data_on_request_is_audited(
    engine: Engine, store_url: str, tmp_path: Path
) -> None:
    seed_personal(engine)
    out = tmp_path / "pribadi.jsonl"
    result = aduan(
        "export",
        "--format",
        "jsonl",
        "--out",
        str(out),
        "--include-personal-data",
        "--since",
        "2026-11-10",
        "--until",
        "2026-11-11",
        url=store_url,
        cwd=tmp_path,
        user="kepala.seksi",
    )
    assert result.returncode == 0, result.stderr
    rows = read_back("jsonl", out)
    # local days 10 and 11 November: E, F and the personal one (09:00 WIB on the 11th)
    assert [r["reference"] for r in rows] == [dataset.ref("E"), dataset.ref("F"), "ADU-2026-000100"]
    personal = rows[-1]
    assert personal["text"] == PII_TEXT and personal["address"] == "Jl. Melati No. 5"
    assert personal["reporter_name"] == "Budi Santoso"
    assert personal["reporter_contacts"] == "mailto:budi.s@example.com; tel:+6281200012345"
    assert personal["lat"] == -6.2445678
    [entry] = audit_rows(engine)
    assert entry.actor == "kepala.seksi" and entry.action == "export"
    details = entry.details
    assert details["include_personal_data"] is True and details["format"] == "jsonl"
    assert details["rows"] == 3 and details["completed"] is True
    assert (
        details["filters"]["since"] == "2026-11-10" and details["filters"]["until"] == "2026-11-11"
    )
    assert details["filters"]["received_from"] == "2026-11-09T17:00:00+00:00"
    assert details["filters"]["received_before"] == "2026-11-11T17:00:00+00:00"


def test_clear_errors_and_no_partial_file(engine: Engine, store_url: str, tmp_path: Path) -> None:
    dataset.seed(engine)
    cases = [
        ("--out", str(tmp_path / "missing" / "x.csv")),
        ("--out", str(tmp_path)),
        ("--out", str(tmp_path / "x.csv"), "--since", "2026-13-01"),
        ("--out", str(tmp_path / "x.csv"), "--since", "2026-11-05", "--until", "2026-11-01"),
    ]
    for args in cases:
        result = aduan("export", "--format", "csv", *args, url=store_url, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        assert "Traceback" not in result.stderr and "Error" in result.stderr
    bad_format = aduan("export", "--format", "xlsx", "--out", "x", url=store_url, cwd=tmp_path)
    assert bad_format.returncode == 2
    assert not list(tmp_path.glob("x.csv*"))
    assert audit_rows(engine) == []


def test_missing_store_is_a_runtime_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'none.db'}"
    result = aduan(
        "export", "--format", "csv", "--out", str(tmp_path / "x.csv"), url=url, cwd=tmp_path
    )
    assert result.returncode == 1 and "no store" in result.stderr
