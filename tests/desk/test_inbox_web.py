"""``/desk/`` and ``/`` in a test client: who sees which cases, links, labels, bad filters."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from aduan.desk.auth import hash_password
from aduan.store.users import add_user
from tests.desk.helpers import client_for, login, make_runtime
from tests.helpers.complaints import insert_complaint


def _seed(engine: Engine) -> None:
    now = datetime.now(UTC)
    insert_complaint(
        engine,
        reference="ADU-2026-100001",
        agency="sudin-sda",
        category="drainage_flooding",
        text="Saluran <script>alert(1)</script> tersumbat, banjir di gang.",
        due_at=now - timedelta(hours=2),
        kecamatan="Tebet",
        kelurahan="Manggarai",
    )
    insert_complaint(
        engine,
        reference="ADU-2026-100002",
        agency="sudin-bina-marga",
        category="street_lighting",
        text="Lampu jalan mati di depan masjid.",
        due_at=now + timedelta(days=10),
        channel="telegram",
    )


def test_a_clerk_sees_every_case_with_links_labels_and_deadlines(
    engine: Engine, tmp_path: Path
) -> None:
    _seed(engine)
    with client_for(make_runtime(engine, tmp_path)) as client:
        answer = client.get("/desk/", follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/login?next=/desk/"
        assert client.get("/", follow_redirects=False).headers["location"] == "/track"
        login(client)
        assert client.get("/", follow_redirects=False).headers["location"] == "/desk/"
        page = client.get("/desk/")
        assert page.status_code == 200
        html = page.text
        assert '<a href="/desk/aduan/ADU-2026-100001">' in html
        assert '<a href="/desk/aduan/ADU-2026-100002">' in html
        assert html.index("ADU-2026-100001") < html.index("ADU-2026-100002")  # by deadline
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
        assert "Lewat tenggat" in html
        assert "Suku Dinas Sumber Daya Air" in html and "Telegram" in html
        assert "drainage_flooding</td>" not in html
        searched = client.get("/desk/", params={"q": "lampu masjid"}).text
        assert "ADU-2026-100002" in searched and "ADU-2026-100001" not in searched
        late = client.get("/desk/", params={"tenggat": "lewat"}).text
        assert "ADU-2026-100001" in late and "ADU-2026-100002" not in late
        # Each filter's choices carry their counts, within the other filters.
        assert re.search(r'value="telegram">Telegram \(1\)</option>', html)
        assert re.search(r'value="sudin-sda">Suku Dinas Sumber Daya Air[^<]* \(1\)</option>', html)
        assert re.search(r'value="Tebet">Tebet \(1\)</option>', html)
        assert re.search(r'value="telegram">Telegram \(0\)</option>', late)
        assert 'value="Manggarai">Manggarai</option>' in html  # kelurahan: not counted
        tebet = client.get("/desk/", params={"kecamatan": "Tebet"}).text
        assert 'value="Manggarai">Manggarai (1)</option>' in tebet


def test_bad_filter_values_get_a_message_not_a_500(engine: Engine, tmp_path: Path) -> None:
    _seed(engine)
    with client_for(make_runtime(engine, tmp_path)) as client:
        login(client)
        for params in (
            {"hal": "abc"},
            {"dari": "31-12-2026"},
            {"status": "<b>x</b>"},
            {"tenggat": "kemarin", "q": "banjir"},
            {"kanal": "' OR 1=1 --"},
            {"q": "x" * 500},
        ):
            page = client.get("/desk/", params=params)
            assert page.status_code == 400, params
            assert "Sebagian saringan tidak dipakai" in page.text
            assert "Traceback" not in page.text and "<b>x</b>" not in page.text
        kept = client.get("/desk/", params={"tenggat": "kemarin", "q": "banjir"}).text
        assert "ADU-2026-100001" in kept and "ADU-2026-100002" not in kept


def test_an_officer_sees_only_their_agency_and_an_admin_no_cases(
    engine: Engine, tmp_path: Path
) -> None:
    _seed(engine)
    add_user(engine, "dewi", hash_password("air-bersih-1"), "officer", agency="sudin-sda")
    add_user(engine, "adi", hash_password("admin-kota-1"), "admin")
    with client_for(make_runtime(engine, tmp_path)) as client:
        login(client, "dewi", "air-bersih-1")
        for params in ({}, {"q": "lampu"}, {"instansi": "sudin-bina-marga"}, {"hal": "2"}):
            html = client.get("/desk/", params=params).text
            assert "ADU-2026-100002" not in html and "Lampu jalan" not in html
        html = client.get("/desk/").text
        assert "ADU-2026-100001" in html and 'id="instansi"' not in html
        assert "Suku Dinas Sumber Daya Air" in html
    with client_for(make_runtime(engine, tmp_path)) as client:
        login(client, "adi", "admin-kota-1")
        assert client.get("/desk/").status_code == 403
