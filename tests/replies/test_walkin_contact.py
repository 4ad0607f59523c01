"""The walk-in desk asks how the citizen wants to hear about the complaint (``kabari``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from aduan.channels.base import ChannelContext
from aduan.channels.walkin import WalkinChannel, WalkinConfig
from aduan.config.desk import DeskSettings
from aduan.desk.entry import check_entry
from aduan.store.models import complaints
from tests.desk.helpers import GOOD_FORM, client_for, csrf_of, entry_id_of, login, make_runtime
from tests.replies.conftest import Run, outbox_rows


@pytest.mark.parametrize(
    ("kabari", "drop", "error"),
    [
        ("", None, None),
        ("telepon", None, None),
        ("email", None, None),
        ("telepon", "telepon", "Isi telepon pelapor untuk mengabarinya."),
        ("email", "email", "Isi email pelapor untuk mengabarinya."),
        ("merpati", None, "Pilih: tidak perlu, SMS ke telepon, atau email."),
    ],
)
def test_the_contact_choice_needs_that_contact(
    kabari: str, drop: str | None, error: str | None
) -> None:
    form = {**GOOD_FORM, "kabari": kabari}
    if drop:
        form[drop] = ""
    checked = check_entry(form, True, [], DeskSettings())
    assert checked.errors.get("kabari") == error


def test_the_choice_travels_in_the_entry_and_the_backlog(tmp_path: Path) -> None:
    channel = WalkinChannel("loket", WalkinConfig(), ChannelContext(tmp_path))
    row = {"nomor": "7", "isi_aduan": "Got mampet di RT 03", "telepon": "0812-0001-2345"}
    silent = channel.read(channel.csv_record(row, 2))
    told = channel.read(channel.csv_record({**row, "kabari": "SMS"}, 2))
    assert "contact" not in silent.extra
    assert told.extra["contact"] == "phone" and "tel:+6281200012345" in told.identities


def test_the_desk_form_choice_reaches_the_outbox(
    engine: Engine, tmp_path: Path, normalize: Run
) -> None:
    with client_for(make_runtime(engine, tmp_path)) as client:
        login(client)
        page = client.get("/desk")
        assert 'name="kabari"' in page.text
        form = {
            **GOOD_FORM,
            "kabari": "email",
            "csrf": csrf_of(page.text),
            "entry_id": entry_id_of(page.text),
        }
        answer = client.post("/desk", data=form)
        assert answer.status_code == 200, answer.text
    normalize()
    [row] = outbox_rows(engine)
    assert (row.channel, row.recipient, row.event) == (
        "email",
        "mailto:budi@example.com",
        "received",
    )
    with engine.connect() as conn:
        reference = conn.execute(select(complaints.c.reference)).scalar_one()
    assert reference in row.text and row.subject == f"Aduan {reference}"
    assert "Budi" not in row.text and "3174051203850001" not in row.text
