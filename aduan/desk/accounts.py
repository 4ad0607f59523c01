"""Desk users from the store and from the config, as one account each; logging in.

A user in the store (``aduan desk user add``) is the one that counts; a user
only in ``[desk.users.<name>]`` still logs in (the bootstrap: the first admin,
a small office without a database of users), with a password changed by
``aduan desk passwd`` overriding the config's hash. A disabled store user
cannot log in, and every page refuses their session at the next request
(:meth:`aduan.desk.web.DeskPages.clerk` reads the account afresh each time).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Engine

from aduan.config.desk import DeskSettings
from aduan.desk.access import ROLES, Role
from aduan.desk.auth import _DUMMY, Clerk, check_password
from aduan.desk.logins import SessionState
from aduan.store.users import UserError, get_user

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")


@dataclass(frozen=True, slots=True)
class Account:
    user: str
    role: Role
    agency: str | None
    display_name: str | None
    desk: str | None
    disabled: bool
    password_hash: str
    stored: bool
    """True for a user in the store, False for one from the config."""


def account(engine: Engine, settings: DeskSettings, user: str) -> Account | None:
    """``user``'s account: the store's row, else the config's entry, else None."""
    if not user:
        return None
    row = get_user(engine, user)
    if row is not None:
        role: Role = row.role if row.role in ROLES else "clerk"
        return Account(
            row.username,
            role,
            row.agency,
            row.display_name,
            row.desk,
            row.disabled,
            row.password_hash,
            True,
        )
    entry = settings.users.get(user)
    if entry is None:
        return None
    return Account(
        user,
        entry.role,
        entry.agency,
        entry.display_name,
        entry.desk,
        False,
        entry.password_hash,
        False,
    )


def log_in(
    engine: Engine, settings: DeskSettings, state: SessionState, user: str, password: str
) -> Clerk | None:
    """The clerk ``user`` when ``password`` is theirs and they are not disabled. An unknown
    or disabled user still costs one scrypt, so timing tells nothing."""
    found = account(engine, settings, user)
    if found is None or found.disabled:
        check_password(password, _DUMMY.password_hash)
        return None
    stored = found.password_hash
    if not found.stored:
        stored = state.password_hash(user) or stored
    if not check_password(password, stored):
        return None
    return Clerk(found.user, found.desk or settings.default_desk, found.display_name or user)


def agencies() -> dict[str, str]:
    """The agencies of the routing rules in force: routing id -> full name."""
    from aduan.triage import active

    return dict(active().rules.agencies)


def check_user(username: str, role: str, agency: str | None) -> None:
    """Refuse a bad name, an unknown role, an officer without a known agency."""
    if not USERNAME.fullmatch(username):
        raise UserError(
            f"bad username {username!r}: 2-64 of a-z, 0-9, '.', '_', '-', starting with a "
            "letter or digit"
        )
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; one of: {', '.join(ROLES)}")
    known = agencies()
    if role == "officer" and not agency:
        raise UserError(f"an officer needs --agency (one of: {', '.join(sorted(known))})")
    if agency and role != "officer":
        raise UserError(f"only an officer belongs to an agency (role {role})")
    if agency and agency not in known:
        raise UserError(f"unknown agency {agency!r}; one of: {', '.join(sorted(known))}")


__all__ = ["Account", "account", "agencies", "check_user", "log_in"]
