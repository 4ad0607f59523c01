"""``aduan import --channel telegram FILE.jsonl``: idempotent, a bad line quarantined, exit 1."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from aduan.store import open_store
from aduan.store.models import raw_messages
from tests.helpers.cli import aduan

FIXTURES = Path(__file__).parents[1] / "fixtures" / "telegram"


def test_import_twice(tmp_path: Path) -> None:
    lines = [
        json.dumps(json.loads((FIXTURES / name).read_text()))
        for name in (
            "update_message_drain.json",
            "update_photo.json",
            "update_edited_message.json",
            "update_channel_post.json",
        )
    ]
    lines.insert(2, (FIXTURES / "truncated_update.json").read_text().strip())
    backlog = tmp_path / "updates.jsonl"
    backlog.write_text("\n".join(lines) + "\n")
    db = tmp_path / "aduan.db"
    config = tmp_path / "aduan.toml"
    config.write_text(f'database_url = "sqlite:///{db}"\ndata_dir = "{tmp_path / "data"}"\n')
    first = aduan(
        "--config", str(config), "import", "--channel", "telegram", str(backlog), cwd=tmp_path
    )
    assert first.returncode == 1, first.stderr
    assert "5 new, 0 already present, 1 quarantined" in first.stdout
    assert "Traceback" not in first.stderr
    second = aduan(
        "--config", str(config), "import", "--channel", "telegram", str(backlog), cwd=tmp_path
    )
    assert second.returncode == 0, second.stderr
    assert "0 new, 5 already present, 0 quarantined" in second.stdout
    engine = open_store(f"sqlite:///{db}")
    with engine.connect() as conn:
        rows = conn.execute(select(raw_messages.c.external_id, raw_messages.c.status)).all()
    engine.dispose()
    statuses = {key: status for key, status in rows}
    assert len(statuses) == 5
    assert statuses["3527065:11"] == "pending"
    assert statuses["update:900108"] == "pending"
    assert [s for k, s in statuses.items() if k.startswith("sha256:")] == ["quarantined"]
