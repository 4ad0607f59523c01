"""Who may see and do what on the desk: one rule, asked by every page and query.

Roles: a **clerk** takes complaints at the desk and sees every case; an
**officer** belongs to one agency and sees only that agency's cases (update
status, add notes, reject to another agency); a **supervisor** sees every case
and may also reassign and open the dashboard; an **admin** manages users.
Pages never test roles themselves: they ask :func:`may` (an action on a case of
some agency) and filter queries with :func:`scope`, so an officer cannot reach
another agency's case through the inbox, the search or a typed-in URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import ColumnElement, false, true
from sqlalchemy.sql.elements import ColumnClause

Role = Literal["clerk", "officer", "supervisor", "admin"]
ROLES: tuple[Role, ...] = ("clerk", "officer", "supervisor", "admin")

Action = Literal[
    "see",  # open the case
    "status",  # change its status (resolve with a note, in progress, reopen)
    "note",  # add an internal note
    "reject",  # pass it to another agency
    "correct",  # correct category, agency or place (a human decision)
    "reassign",  # give it to another agency without a rejection
    "merge",  # mark as duplicate of another case, split a wrongly merged source
    "reply",  # write to the citizen through the outbox
    "intake",  # take a complaint at the desk
    "dashboard",
    "users",
]

_ALLOWED: dict[Role, frozenset[str]] = {
    "clerk": frozenset({"see", "status", "note", "correct", "merge", "reply", "intake"}),
    "officer": frozenset({"see", "status", "note", "reject", "reply"}),
    "supervisor": frozenset(
        {
            "see",
            "status",
            "note",
            "reject",
            "correct",
            "reassign",
            "merge",
            "reply",
            "intake",
            "dashboard",
        }
    ),
    "admin": frozenset({"users", "dashboard"}),
}


@dataclass(frozen=True, slots=True)
class Viewer:
    """The logged-in desk user as the rules see them."""

    user: str
    role: Role
    agency: str | None = None
    """The agency an officer works for (its routing id, e.g. ``sudin-sda``)."""
    display_name: str | None = None


def may(viewer: Viewer, action: Action, agency: str | None = None) -> bool:
    """Whether ``viewer`` may do ``action`` on a case routed to ``agency``."""
    if action not in _ALLOWED[viewer.role]:
        return False
    if viewer.role == "officer":
        return viewer.agency is not None and agency == viewer.agency
    return True


def scope(
    viewer: Viewer, agency_column: ColumnClause[str] | ColumnElement[str]
) -> ColumnElement[bool]:
    """The SQL condition that keeps a query to the cases ``viewer`` may see."""
    if "see" not in _ALLOWED[viewer.role]:
        return false()
    if viewer.role == "officer":
        if viewer.agency is None:
            return false()
        return agency_column == viewer.agency
    return true()


__all__ = ["ROLES", "Action", "Role", "Viewer", "may", "scope"]
