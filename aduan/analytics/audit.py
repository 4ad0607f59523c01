"""Audit rows for exports: who exported what, with or without personal data.

Every ``aduan export`` writes one ``audit_log`` row (action ``export``)
*before* the first complaint is written, with the actor (the operating-system
user), the format, the output path, the filters and
``include_personal_data``; when the file is complete the same row gets
``rows`` and ``completed: true``. An export that died midway stays visible as
``completed: false``. If the audit row cannot be written, nothing is exported.
"""

from __future__ import annotations

import getpass
import os
from typing import Any

from sqlalchemy import Engine, insert, update
from sqlmodel import SQLModel

from aduan.core.clock import utcnow
from aduan.store.models import AuditEntry  # noqa: F401 - registers the table

ACTION = "export"
audit_log = SQLModel.metadata.tables["audit_log"]


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid:{os.getuid()}"


def start(engine: Engine, subject: str, details: dict[str, Any]) -> int:
    """Insert the export's audit row; its id."""
    with engine.begin() as conn:
        row = conn.execute(
            insert(audit_log)
            .values(
                at=utcnow(),
                actor=os_user(),
                action=ACTION,
                subject=subject,
                details={**details, "rows": None, "completed": False},
            )
            .returning(audit_log.c.id)
        ).scalar_one()
    return int(row)


def finish(engine: Engine, audit_id: int, details: dict[str, Any], rows: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(audit_log)
            .where(audit_log.c.id == audit_id)
            .values(details={**details, "rows": rows, "completed": True})
        )
