"""Human-friendly reference numbers: ``ADU-2026-000123``, unique and never reused.

Numbers come from the ``counters`` table (one row per prefix and year) and
are never decremented, so a number handed out is never handed out again,
even when its transaction is the only thing that used it.

Channels that must answer at once (the walk-in desk, Open311) reserve a
reference at intake and put it in the raw message's ``meta["reference"]``;
the normalizer gives that reference to the complaint it creates from that
raw, or records it on the source when the raw joins an existing complaint.

Every reference has a check code (:func:`check_code`, ``ADU-2026-000123-K7QF``):
the public surfaces show a complaint only to who holds both.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import re
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import Connection, Engine, select

from aduan.core.clock import utcnow
from aduan.core.messages import RawMessage
from aduan.store.models import Counter
from aduan.store.raw import upsert_statement

counters = Counter.__table__  # type: ignore[attr-defined]


def format_reference(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:06d}"


def allocate(conn: Connection, prefix: str, year: int, count: int = 1) -> list[str]:
    """Reserve ``count`` consecutive references inside the caller's transaction."""
    name = f"{prefix}-{year}"
    stmt = upsert_statement(conn, counters).values(name=name, value=count)
    stmt = stmt.on_conflict_do_update(
        index_elements=["name"], set_={"value": counters.c.value + count}
    )
    conn.execute(stmt)
    last = conn.execute(select(counters.c.value).where(counters.c.name == name)).scalar_one()
    return [format_reference(prefix, year, n) for n in range(last - count + 1, last + 1)]


def with_references(
    engine: Engine, raws: Sequence[RawMessage], wanted: Callable[[RawMessage], bool]
) -> list[RawMessage]:
    """``raws`` where each ``wanted`` one (without a reference yet) has one reserved."""
    chosen = [i for i, raw in enumerate(raws) if "reference" not in raw.meta and wanted(raw)]
    if not chosen:
        return list(raws)
    with engine.begin() as conn:
        numbers = allocate(conn, "ADU", utcnow().year, len(chosen))
    out = list(raws)
    for index, reference in zip(chosen, numbers, strict=True):
        raw = out[index]
        out[index] = dataclasses.replace(raw, meta={**raw.meta, "reference": reference})
    return out


def reserve_reference(engine: Engine, when: datetime, prefix: str = "ADU") -> str:
    """One new reference, committed at once (for intake that must answer immediately)."""
    with engine.begin() as conn:
        return allocate(conn, prefix, when.year)[0]


# -- check codes ------------------------------------------------------------------------
# A reference is a counter, so anyone can guess the next one. A stranger reads a complaint
# only with its check code, given with the reference on every receipt: four letters from an
# HMAC of the reference under a key derived from the store's secret key, so nothing new is
# stored and every process sharing the store computes the same code.

CHECK_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""32 letters and digits a person cannot confuse (no 0/O, 1/I)."""
CHECK_LENGTH = 4
_TRACKING = re.compile(r"([A-Z]{2,8}-\d{4}-\d{6,})(?:[-\s+]+([A-Z0-9]{4}))?")


def check_key(store_key: bytes) -> bytes:
    """The check codes' key, derived from the store's key (never the key itself)."""
    return hmac.new(store_key, b"aduan/reference-check-code/v1", hashlib.sha256).digest()


def check_code(key: bytes, reference: str) -> str:
    """The check code of ``reference`` under ``key`` (from :func:`check_key`)."""
    digest = hmac.new(key, reference.encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    letters = []
    for _ in range(CHECK_LENGTH):
        number, index = divmod(number, len(CHECK_ALPHABET))
        letters.append(CHECK_ALPHABET[index])
    return "".join(letters)


def tracking_id(key: bytes, reference: str) -> str:
    """``ADU-2026-000123-K7QF``: the reference and its check code, as receipts show it."""
    return f"{reference}-{check_code(key, reference)}"


def parse_tracking(text: str) -> tuple[str, str | None] | None:
    """(reference, check code or None) from what a citizen typed; None when no reference."""
    found = _TRACKING.fullmatch(text.strip().upper())
    return (found.group(1), found.group(2)) if found else None


def check_ok(key: bytes, reference: str, code: str | None) -> bool:
    """Whether ``code`` is the check code of ``reference`` (constant-time)."""
    return bool(code) and hmac.compare_digest(check_code(key, reference), str(code))


def receipt_code(store_key: Callable[[], bytes] | None, reference: str) -> str:
    """The check code a receipt gives with ``reference`` ('' when no key is at hand)."""
    return check_code(check_key(store_key()), reference) if store_key and reference else ""
