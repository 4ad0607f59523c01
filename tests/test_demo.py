"""``aduan demo``: every channel's stories through the real pipeline, once."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from tests.helpers.cli import aduan


def test_demo_fills_an_empty_store_once(tmp_path: Path) -> None:
    first = aduan("demo", "--if-empty", cwd=tmp_path, timeout=600)
    assert first.returncode == 0, first.stderr
    assert "Where to look" in first.stdout and "Traceback" not in first.stderr
    engine = create_engine(f"sqlite:///{tmp_path / 'aduan.db'}")
    with engine.connect() as conn:
        by_status = dict(
            conn.execute(text("SELECT status, count(*) FROM raw_messages GROUP BY status")).all()
        )
        channels = {row[0] for row in conn.execute(text("SELECT DISTINCT channel FROM complaints"))}
        triaged = conn.execute(
            text("SELECT count(*) FROM complaints WHERE category IS NULL OR due_at IS NULL")
        ).scalar_one()
    assert by_status["quarantined"] == 1  # the one broken SMS
    assert by_status["ignored"] == 2  # the out-of-office reply and the bot command
    assert channels == {"sms", "telegram", "twitter", "email", "facebook", "walkin", "open311"}
    assert triaged == 0
    config = (tmp_path / "aduan.toml").read_text()
    assert "[desk.users.demo]" in config and "password_hash" in config
    again = aduan("demo", "--if-empty", cwd=tmp_path, timeout=600)
    assert again.returncode == 0 and "nothing added" in again.stdout
    engine.dispose()
