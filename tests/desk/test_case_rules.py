"""The case rules in the store (codes, not only sentences) and their Indonesian messages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

import aduan.store.cases
import aduan.store.casework
from aduan.config.triage import CalendarSettings
from aduan.desk.messages import MESSAGES, indonesian
from aduan.store.cases import CaseError, update_status
from aduan.store.casework import add_note, mark_duplicate, split_source
from aduan.triage.calendar import OfficeCalendar
from aduan.triage.deadline import deadline_state
from tests.helpers.complaints import insert_complaint


def code_of(call, *args, **kwargs) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(CaseError) as caught:
        call(*args, **kwargs)
    return caught.value.code


def test_a_finished_case_reopens_only_by_reopen(engine: Engine) -> None:
    insert_complaint(engine, reference="ADU-2026-400001")
    assert code_of(update_status, engine, "ADU-2026-400001", "resolved", actor="a") == (
        "note_required"
    )
    update_status(engine, "ADU-2026-400001", "resolved", actor="a", note="Selesai")
    refused = code_of(update_status, engine, "ADU-2026-400001", "in_progress", actor="a")
    assert refused == "closed_use_reopen"
    assert update_status(engine, "ADU-2026-400001", "reopen", actor="a").after == "in_progress"
    assert code_of(update_status, engine, "ADU-2026-400001", "reopen", actor="a") == "reopen_open"
    assert code_of(update_status, engine, "ADU-2026-400001", "rejected", actor="a") == (
        "agency_required"
    )
    assert code_of(update_status, engine, "ADU-2026-999999", "closed", actor="a") == "not_found"


def test_notes_duplicates_and_splits_refuse_with_codes(engine: Engine) -> None:
    insert_complaint(engine, reference="ADU-2026-400002")
    insert_complaint(engine, reference="ADU-2026-400003")
    assert code_of(add_note, engine, "ADU-2026-400002", "  ", actor="a") == "note_empty"
    assert code_of(add_note, engine, "ADU-2026-400002", "x" * 5000, actor="a") == "note_long"
    dup = mark_duplicate
    assert code_of(dup, engine, "ADU-2026-400002", "ADU-2026-400002", actor="a") == (
        "duplicate_self"
    )
    dup(engine, "ADU-2026-400002", "ADU-2026-400003", actor="a")
    assert code_of(dup, engine, "ADU-2026-400002", "ADU-2026-400003", actor="a") == "is_duplicate"
    insert_complaint(engine, reference="ADU-2026-400004")
    assert code_of(dup, engine, "ADU-2026-400004", "ADU-2026-400002", actor="a") == (
        "target_duplicate"
    )
    assert code_of(update_status, engine, "ADU-2026-400002", "closed", actor="a") == (
        "is_duplicate"
    )
    assert code_of(split_source, engine, "ADU-2026-400003", 12345, actor="a") == "no_source"


def test_every_code_the_store_raises_has_an_indonesian_message() -> None:
    codes: set[str] = set()
    for module in (aduan.store.cases, aduan.store.casework):
        source = Path(module.__file__ or "").read_text()
        codes |= set(re.findall(r'CaseError\(\s*(?:f?"[^"]*"|[^,]+),\s*"(\w+)"', source, re.S))
    assert {"not_found", "note_required", "closed_use_reopen", "split_first"} <= codes
    assert codes <= set(MESSAGES)
    assert indonesian("closed_use_reopen", {"status": "resolved"}) == (
        "Aduan ini sudah selesai ditangani. Pilih \u201cBuka kembali\u201d untuk menanganinya lagi."
    )
    assert (
        indonesian("not_found", {"reference": "ADU-2026-1"}) == "Aduan ADU-2026-1 tidak ditemukan."
    )
    assert indonesian("no-such-code") == MESSAGES["invalid"]
    assert indonesian("not_found", {}).startswith("Aduan")  # a missing value never raises
    for text in MESSAGES.values():
        assert "--" not in text and "complaint" not in text


def test_deadline_states_on_the_office_calendar() -> None:
    calendar = OfficeCalendar(CalendarSettings())
    due = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # Wednesday 10:00 WIB
    late = deadline_state(due, "triaged", due + timedelta(minutes=1), calendar)
    assert (late.state, late.label) == ("late", "Melewati target penyelesaian 2 Des 2026")
    soon = deadline_state(due, "in_progress", due - timedelta(days=1), calendar)
    assert soon.state == "soon" and "2 Des 2026 10:00 WIB" in soon.label
    friday = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
    assert deadline_state(due, "triaged", friday, calendar).state == "ok"
    # Friday, and the next working day is Monday: a Monday deadline is due soon
    monday = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
    assert deadline_state(monday, "triaged", friday, calendar).state == "soon"
    done = deadline_state(due, "resolved", due + timedelta(days=9), calendar)
    assert done.state == "done"
