"""``aduan query``: read-only on both databases, formats, clear refusals."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine, func, select

from aduan.core.clock import utcnow
from aduan.core.messages import RawMessage
from aduan.store import save_batch
from aduan.store.models import raw_messages
from tests.helpers.cli import aduan


def seed(engine: Engine) -> None:
    rows = [RawMessage("sms", "main", str(i), b"x", "text/plain", utcnow()) for i in range(3)]
    save_batch(engine, rows)


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(raw_messages)).scalar_one())


def test_delete_refused_and_nothing_deleted(engine: Engine, store_url: str, tmp_path: Path) -> None:
    seed(engine)
    for sql in (
        "DELETE FROM raw_messages",
        "UPDATE raw_messages SET status = 'x'",
        "DROP TABLE raw_messages",
        "CREATE TABLE evil (x int)",
    ):
        result = aduan("query", sql, url=store_url, cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        assert "read-only" in result.stderr
        assert "Traceback" not in result.stderr
    assert count(engine) == 3


def test_postgres_cannot_escape_the_read_only_transaction(
    engine: Engine, store_url: str, tmp_path: Path
) -> None:
    seed(engine)
    sql = "COMMIT; SET default_transaction_read_only = off; DELETE FROM raw_messages"
    result = aduan("query", sql, url=store_url, cwd=tmp_path)
    assert result.returncode == 1
    assert count(engine) == 3


def test_formats(engine: Engine, store_url: str, tmp_path: Path) -> None:
    seed(engine)
    sql = "SELECT external_id, channel FROM raw_messages ORDER BY external_id"
    as_json = aduan("query", sql, "--format", "json", url=store_url, cwd=tmp_path)
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout) == [
        {"external_id": str(i), "channel": "sms"} for i in range(3)
    ]
    as_csv = aduan("query", "--format", "csv", sql, url=store_url, cwd=tmp_path)
    assert as_csv.stdout.splitlines() == ["external_id,channel", "0,sms", "1,sms", "2,sms"]
    table = aduan("query", sql, url=store_url, cwd=tmp_path)
    assert table.returncode == 0 and "external_id" in table.stdout and "(3 rows)" in table.stderr


def test_bad_sql_is_a_clear_error(engine: Engine, store_url: str, tmp_path: Path) -> None:
    result = aduan("query", "SELECT nothing FROM no_such_table", url=store_url, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1].startswith("aduan: query failed:")
