"""The desk's success page: reference, tracking link with its check code, a printable receipt."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import Engine

from aduan.config.city import CitySettings
from aduan.config.desk import DeskOffice
from tests.desk.helpers import GOOD_FORM, client_for, csrf_of, entry_id_of, login, make_runtime


def test_the_receipt_a_walk_in_citizen_takes_home(engine: Engine, tmp_path: Path) -> None:
    office = DeskOffice(name="loket-2", kecamatan="Mampang Prapatan")
    runtime = make_runtime(engine, tmp_path, offices=[office])
    runtime.settings.city = CitySettings(
        name="Kota Administrasi Jakarta Selatan",
        contact="Call center 112 · aduan@jakarta.go.id",
        office_hours="Senin–Jumat 08.00–16.00",
    )
    with client_for(runtime) as client:
        login(client)
        page = client.get("/desk")
        form = {**GOOD_FORM, "csrf": csrf_of(page.text), "entry_id": entry_id_of(page.text)}
        done = client.post("/desk", data=form)
        assert done.status_code == 200
        html = done.text
        reference = re.search(r'id="reference">([^<]+)<', html)
        code = re.search(r'id="check-code">([^<]+)<', html)
        assert reference and code
        link = re.search(r'id="track-link" href="([^"]+)"', html)
        assert link and link.group(1).endswith(f"/track/{reference.group(1)}-{code.group(1)}")
        for shown in (
            "Kota Administrasi Jakarta Selatan",
            "Call center 112",
            "Senin–Jumat 08.00–16.00",
            "Penerangan jalan umum (PJU)",  # the clerk's category, as a label
            "WIB",
            "@media print",
            f'href="/desk/aduan/{reference.group(1)}"',
        ):
            assert shown in html, shown
        assert re.search(r'id="receipt-due">\d+ \w{3} \d{4} \d\d:\d\d WIB', html)
        assert 'id="receipt-office">loket-2<' in html
        assert "street_lighting" not in html
        path = link.group(1).split("://", 1)[-1].split("/", 1)[1]
        tracked = client.get(f"/{path}")
        assert tracked.status_code == 200 and reference.group(1) in tracked.text
        # the case page answers "being processed" until the message is a complaint
        pending = client.get(f"/desk/aduan/{reference.group(1)}")
        assert pending.status_code == 200 and "sedang diproses" in pending.text


def test_the_office_printed_for_a_clerks_desk() -> None:
    from aduan.config.desk import DeskSettings
    from aduan.desk.auth import Clerk
    from aduan.desk.receipt import office_of

    plain = DeskSettings()
    assert office_of(plain, Clerk("sari", "loket-3", "Sari")) == "Loket 3"
    assert office_of(plain, Clerk("sari", "2", "Sari")) == "Loket 2"
    assert office_of(plain, Clerk("sari", "", "Sari")) == "Loket pengaduan"
    tebet = DeskSettings(offices=[DeskOffice(name="Kantor Kecamatan Tebet", kecamatan="Tebet")])
    assert office_of(tebet, Clerk("sari", "Tebet", "Sari")) == "Kantor Kecamatan Tebet"
