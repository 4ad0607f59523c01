"""Usage errors exit 2 with usage; --config works before and after the subcommand."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.cli import aduan


@pytest.mark.parametrize(
    "args",
    [("bogus",), ("query",), ("query", "select 1", "--format", "xml"), ("db",), ("--config",)],
)
def test_usage_errors_exit_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = aduan(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "Usage:" in result.stderr or "Usage:" in result.stdout or "--config" in result.stderr


@pytest.mark.parametrize("where", ["before", "after"])
def test_config_before_or_after_subcommand(tmp_path: Path, where: str) -> None:
    db = tmp_path / "elsewhere.db"
    config = tmp_path / "c.toml"
    config.write_text(f'database_url = "sqlite:///{db}"\n')
    args = ["--config", str(config), "db", "upgrade"]
    if where == "after":
        args = ["db", "upgrade", f"--config={config}"]
    result = aduan(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert db.exists()
    assert aduan("db", "current", "--config", str(config), cwd=tmp_path).stdout.endswith(
        "(up to date)\n"
    )
