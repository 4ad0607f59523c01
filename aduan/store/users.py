"""Desk users kept in the store (``desk_users``): add, read, list, change password, disable.

The hash is made by the caller (:func:`aduan.desk.auth.hash_password`); this
module stores rows and never sees a password. Role and agency are checked by
the caller too (the roles live in :mod:`aduan.desk.access`, the agencies in the
routing rules); the table keeps what it is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from aduan.core.clock import utcnow
from aduan.core.errors import AduanError
from aduan.store.models import desk_users


class UserError(AduanError):
    """A user that already exists, or one that does not."""


@dataclass(frozen=True, slots=True)
class StoredUser:
    username: str
    password_hash: str
    role: str
    agency: str | None
    display_name: str | None
    desk: str | None
    disabled: bool
    created_at: datetime
    updated_at: datetime


def add_user(
    engine: Engine,
    username: str,
    password_hash: str,
    role: str,
    *,
    agency: str | None = None,
    display_name: str | None = None,
    desk: str | None = None,
) -> StoredUser:
    now = utcnow()
    row = {
        "username": username,
        "password_hash": password_hash,
        "role": role,
        "agency": agency,
        "display_name": display_name,
        "desk": desk,
        "disabled": False,
        "created_at": now,
        "updated_at": now,
    }
    try:
        with engine.begin() as conn:
            conn.execute(desk_users.insert().values(**row))
    except IntegrityError:
        raise UserError(f"user {username!r} already exists") from None
    return StoredUser(**row)  # type: ignore[arg-type]


def get_user(engine: Engine, username: str) -> StoredUser | None:
    with engine.connect() as conn:
        row = conn.execute(select(desk_users).where(desk_users.c.username == username)).first()
    return StoredUser(**row._mapping) if row is not None else None


def any_user(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(desk_users.c.username).limit(1)).first() is not None


def list_users(engine: Engine) -> list[StoredUser]:
    with engine.connect() as conn:
        rows = conn.execute(select(desk_users).order_by(desk_users.c.username)).all()
    return [StoredUser(**row._mapping) for row in rows]


def _change(engine: Engine, username: str, **values: object) -> None:
    with engine.begin() as conn:
        done = conn.execute(
            update(desk_users)
            .where(desk_users.c.username == username)
            .values(updated_at=utcnow(), **values)
        )
    if done.rowcount != 1:
        raise UserError(f"no user {username!r} in the store")


def set_password_hash(engine: Engine, username: str, password_hash: str) -> None:
    _change(engine, username, password_hash=password_hash)


def set_disabled(engine: Engine, username: str, disabled: bool = True) -> None:
    _change(engine, username, disabled=disabled)


__all__ = [
    "StoredUser",
    "UserError",
    "add_user",
    "any_user",
    "get_user",
    "list_users",
    "set_disabled",
    "set_password_hash",
]
