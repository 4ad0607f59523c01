"""The ``aduan`` command.

Subcommands live in one module each and are added in :func:`_register`.
``--config PATH`` is accepted anywhere on the line, before or after the
subcommand. Exit codes: 0 ok, 1 failure at run time, 2 usage or config
error. No traceback is ever the user interface: an unexpected error prints
one line and its traceback goes to a crash file under the data directory.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import typer
from typer._click import exceptions as click  # typer vendors click since 0.20

from aduan.cli.common import app, state
from aduan.core.errors import AduanError, ConfigError


def _register() -> None:
    # One import per subcommand module; each adds its commands to ``app``.
    import aduan.cli.complaint
    import aduan.cli.db
    import aduan.cli.demo
    import aduan.cli.desk
    import aduan.cli.desk_users
    import aduan.cli.evaluate
    import aduan.cli.export
    import aduan.cli.importer
    import aduan.cli.learned
    import aduan.cli.outbox
    import aduan.cli.places
    import aduan.cli.poll
    import aduan.cli.quarantine
    import aduan.cli.query
    import aduan.cli.replay
    import aduan.cli.reporter
    import aduan.cli.run
    import aduan.cli.stats
    import aduan.cli.triage  # noqa: F401


def _extract_config(argv: list[str]) -> tuple[list[str], Path | None]:
    rest: list[str] = []
    path: Path | None = None
    args = iter(argv)
    for arg in args:
        if arg == "--":
            rest.append(arg)
            rest.extend(args)
            break
        if arg == "--config":
            value = next(args, None)
            if value is None:
                raise click.UsageError("--config needs a PATH")
            path = Path(value)
        elif arg.startswith("--config="):
            path = Path(arg.split("=", 1)[1])
        else:
            rest.append(arg)
    return rest, path


def _crash_file(exc: BaseException) -> Path | None:
    try:
        folder = state.crash_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"crash-{datetime.now():%Y%m%d-%H%M%S}.log"
        path.write_text("".join(traceback.format_exception(exc)))
        return path
    except OSError:
        return None


def main(argv: Sequence[str] | None = None) -> None:
    _register()
    command = typer.main.get_command(app)
    try:
        args, state.config_path = _extract_config(list(sys.argv[1:] if argv is None else argv))
        # With standalone_mode=False click returns (not raises) the code of a typer.Exit.
        code = command.main(args=args, prog_name="aduan", standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except click.UsageError as exc:
        exc.show()
        sys.exit(2)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        print("aduan: interrupted", file=sys.stderr)
        sys.exit(130)
    except ConfigError as exc:
        for line in exc.problems:
            print(f"aduan: config: {line}", file=sys.stderr)
        sys.exit(2)
    except AduanError as exc:
        print(f"aduan: {exc}", file=sys.stderr)
        sys.exit(1)
    except Exception as exc:
        where = _crash_file(exc)
        detail = f" (traceback in {where})" if where else ""
        print(f"aduan: internal error: {type(exc).__name__}: {exc}{detail}", file=sys.stderr)
        sys.exit(1)
    sys.exit(0)
