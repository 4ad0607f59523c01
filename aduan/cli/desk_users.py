"""``aduan desk user add|list|passwd|disable``: desk users kept in the store.

A user has a role (clerk, officer, supervisor, admin — see
:mod:`aduan.desk.access`); an officer belongs to one agency of the routing
rules (``--agency sudin-sda``). Passwords are read from a hidden prompt or,
with ``--password-stdin``, from the first line of standard input — never from
the command line, where ``ps`` and the shell's history would keep them.
Changing a password or disabling a user ends all of that user's sessions.
"""

from __future__ import annotations

import typer

from aduan.cli.common import state
from aduan.cli.desk import _read_password, desk_app
from aduan.core.errors import AduanError
from aduan.desk.accounts import check_user
from aduan.desk.auth import hash_password
from aduan.desk.logins import SessionState
from aduan.store import open_store
from aduan.store.users import (
    add_user,
    get_user,
    list_users,
    set_disabled,
    set_password_hash,
)
from aduan.triage import configure as configure_triage

user_app = typer.Typer(help="Desk users in the store: roles and agencies.", no_args_is_help=True)
desk_app.add_typer(user_app, name="user")

PASSWORD_STDIN = typer.Option(
    False, "--password-stdin", help="Read the password from standard input."
)


@user_app.command("add")
def add_command(
    username: str = typer.Argument(..., help="Login name (a-z, 0-9, '.', '_', '-')."),
    role: str = typer.Option(..., "--role", help="clerk, officer, supervisor or admin."),
    agency: str | None = typer.Option(None, "--agency", help="An officer's agency (routing id)."),
    name: str | None = typer.Option(None, "--name", help="Name shown in the page header."),
    desk: str | None = typer.Option(None, "--desk", help="The desk (loket) a clerk sits at."),
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Add a desk user with a role (and an officer's agency)."""
    settings = state.settings()
    configure_triage(settings.triage, settings.timezone, settings.data_dir)  # its agencies
    check_user(username, role, agency)
    password = _read_password(password_stdin)
    engine = open_store(settings.database_url)
    try:
        add_user(
            engine,
            username,
            hash_password(password),
            role,
            agency=agency,
            display_name=name,
            desk=desk,
        )
    finally:
        engine.dispose()
    where = f" of {agency}" if agency else ""
    typer.echo(f"user {username} added: {role}{where}")


@user_app.command("list")
def list_command() -> None:
    """List the store's desk users (name, role, agency, state)."""
    engine = open_store(state.settings().database_url)
    try:
        users = list_users(engine)
    finally:
        engine.dispose()
    for user in users:
        flag = "disabled" if user.disabled else "active"
        created = user.created_at.strftime("%Y-%m-%d")
        typer.echo(f"{user.username}\t{user.role}\t{user.agency or '-'}\t{flag}\t{created}")


@user_app.command("passwd")
def passwd_command(
    username: str = typer.Argument(..., help="A store user, or a config user (desk.users)."),
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Change a user's password and end all of their sessions."""
    settings = state.settings()
    engine = open_store(settings.database_url)
    try:
        stored = get_user(engine, username) is not None
        if not stored and username not in settings.desk.users:
            raise AduanError(f"no user {username!r} in the store or in desk.users")
        hashed = hash_password(_read_password(password_stdin))
        sessions = SessionState(engine)
        if stored:
            set_password_hash(engine, username, hashed)
            sessions.revoke_all(username)
        else:
            sessions.set_password(username, hashed)
    finally:
        engine.dispose()
    typer.echo(f"password of {username} changed; their sessions have ended")


@user_app.command("disable")
def disable_command(
    username: str = typer.Argument(..., help="A store user."),
    enable: bool = typer.Option(False, "--enable", help="Let a disabled user log in again."),
) -> None:
    """Stop a user from logging in; their open sessions stop working at once."""
    engine = open_store(state.settings().database_url)
    try:
        set_disabled(engine, username, not enable)
        SessionState(engine).revoke_all(username)
    finally:
        engine.dispose()
    typer.echo(f"user {username} {'enabled' if enable else 'disabled'}")
