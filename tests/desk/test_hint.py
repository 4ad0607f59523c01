"""The desk's category hint stays structured: never glued into the complaint text or subject."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from aduan.config.normalize import NormalizeSettings
from aduan.daemon.normalize_job import normalize_pending
from aduan.normalize.pipeline import Normalizer
from aduan.normalize.readers import Readers
from aduan.store.models import complaints
from aduan.triage.writer import BatchTriage
from tests.desk.helpers import GOOD_FORM, client_for, csrf_of, entry_id_of, login, make_runtime

TYPED = "Lampu jalan  di depan rumah mati,\r\nsudah seminggu gelap. Mohon diperbaiki!"


def test_the_citizens_text_is_stored_as_typed_and_the_hint_apart(
    engine: Engine, tmp_path: Path
) -> None:
    runtime = make_runtime(engine, tmp_path)
    with client_for(runtime) as client:
        login(client)
        page = client.get("/desk")
        form = {**GOOD_FORM, "isi": TYPED, "csrf": csrf_of(page.text)}
        form["entry_id"] = entry_id_of(page.text)
        assert client.post("/desk", data=form).status_code == 200
    data = runtime.settings.data_dir
    normalizer = Normalizer(
        NormalizeSettings(), Readers(data_dir=data), triage=BatchTriage, data_dir=data
    )
    normalize_pending(engine, normalizer, batch_size=10)
    with engine.connect() as conn:
        row = conn.execute(select(complaints)).one()
    assert row.original_text == TYPED
    assert "street_lighting" not in row.text and row.subject is None
    assert row.extra["hint"] == "street_lighting"
    assert row.category == "street_lighting"
