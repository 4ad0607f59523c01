"""What every subcommand shares: the typer app, the settings, output helpers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import typer

from aduan.config import Settings
from aduan.runtime.loader import load_settings

app = typer.Typer(
    name="aduan",
    help="Citizens' complaints from every channel: intake, dedup, routing, the 3-day clock.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@dataclass
class _State:
    config_path: Path | None = None
    _settings: Settings | None = None

    def settings(self, *, secrets: bool = True) -> Settings:
        """Load (once) and validate the configuration; ConfigError stops the command.

        Commands that only read the store pass ``secrets=False``: the channels'
        secrets are then not required (they run no channel).
        """
        if self._settings is None:
            settings = load_settings(self.config_path, secrets=secrets)
            if not secrets:
                return settings
            self._settings = settings
        return self._settings

    def crash_dir(self) -> Path:
        return (self._settings.data_dir if self._settings else Path("aduan-data")) / "crash"


state = _State()


def eval_group() -> typer.Typer:
    """The shared ``aduan eval`` group: each part adds its own quality measurement."""
    for group in app.registered_groups:
        if group.name == "eval" and group.typer_instance is not None:
            return group.typer_instance
    group_app = typer.Typer(help="Measure quality on labelled files.", no_args_is_help=True)
    app.add_typer(group_app, name="eval")
    return group_app
