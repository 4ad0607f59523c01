"""The danger detector: what raises a complaint to high priority, and what does not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aduan.core.text import matching_form
from aduan.triage import active, decide
from aduan.triage.danger import DangerDetector


@pytest.fixture(scope="module")
def detector() -> DangerDetector:
    return DangerDetector(active())


@pytest.mark.parametrize(
    "text",
    [
        "KEBAKARAN di gg sempit blkg pasar, api udh gede!!",
        "rumah tetangga kebakar, asap item ngebul",
        "ada anak kesetrum di tiang listrik dpn sekolah",
        "kabel listrik putus menjuntai ke jalan, masih nyala",
        "pohon tumbang menimpa mobil di Jl. Ampera",
        "pohon roboh nutup jalan, kendaraan masih lewat",
        "banjir, ada lansia kejebak di lantai 2 gak bisa keluar",
        "orang terjebak banjir di rumahnya, tolong perahu",
        "anak saya hilang dari tadi sore di taman, belum ketemu",
        "tetangga dipukuli suaminya, teriak2 minta tolong",
        "ada begal bawa celurit di jalan raya",
        "ibu2 pingsan di halte, gak sadar2",
        "bapak itu kejang-kejang di pinggir jalan",
        "bau gas elpiji nyengat bgt dr rumah kosong",
        "tembok rumah ambruk, ada yg kejepit di dalam",
        "ruko runtuh, ada tukang yang ketimbun di dalem",
        "adik saya umur 5 thn ilang di pasar dari siang",
        "anak saya laki2 umur 7 tahun hilang di sekitar pasar, belum ketemu",
        "anak tetangga blm pulang dr kmrn sore, katanya dibawa org",
        "barusan ada motor nyungsep ke lubang, pengendaranya masih di dalam",
        "dahan patah nyangkut di kabel di atas jalan, bisa jatuh kapan aja",
        "my grandparents are stuck, air banjir udah setinggi dada",
        "bau gas nyengat dr dapur warung, pegawai pd keluar takut meledak",
        # a break that blocks a road, and English mixed in
        "dahan mahoni patah, batangnya melintang di jalan, motor masih lewat",
        "rumah di ujung gang caught fire, tetangga masih di dalam",
        "lift apartemen macet, ada 4 orang trapped di dalam sejak 20 menit",
        "water rising fast di kampung kami, tolong perahu",
        "bapak tua fainted di halte, not breathing",
        "someone got stabbed dekat stasiun, pelakunya kabur",
        "my son is missing since noon, umur 6 tahun, baju merah",
    ],
)
def test_danger_to_people_is_high(detector: DangerDetector, text: str) -> None:
    verdict = detector.detect(matching_form(text))
    assert verdict.high, text
    assert verdict.signs


@pytest.mark.parametrize(
    "text",
    [
        "mohon sosialisasi pencegahan kebakaran di RW kami",
        "kami takut kebakaran karena instalasi listrik semrawut",
        "kalau pohon itu tumbang bisa kena rumah, mohon dipangkas",
        "bukan kebakaran ya, itu asap org bakar sampah",
        "api di ruko kemarin sudah padam, tinggal puing",
        "banjir minggu lalu sudah surut, lumpurnya masih ada",
        "kantor kelurahan kebakaran jenggot gara2 viral",
        "warung sebelah banjir orderan sampai antre",
        "semangat warga membara kayak api",
        "macet parah, bus kejebak macet sejam di Mampang",
        "kabel colokan numpuk, sering nyetrum",
        "lampu jalan mati sudah seminggu",
        "rambu hilang, anak anak sekolah susah menyeberang",
        # over: a past time right after the sign
        "pohon yang tumbang kemarin sudah dipotong, batangnya masih di trotoar",
        "minggu lalu ada tawuran di dekat flyover, sekarang sudah aman",
        # only feared, the fear a few words before
        "kabel semrawut, takut nanti korsleting lalu kebakaran",
        "tiang PJU depan SD sudah karatan, takut nanti roboh kalau angin kencang",
        # habits, animals, idioms and look-alikes
        "setiap hujan air dari selokan naik ke teras rumah kami",
        "kucing kejebak di atas pohon tinggi, mohon bantuan damkar",
        "mohon damkar evakuasi sarang tawon di pohon depan rumah",
        "darurat sampah nih, tps penuh sampai luber",
        "rumput taman udah setinggi lutut, ayunannya patah",
        # a habit further back, a past "pernah", a feeling, a traffic jam in English
        "tiap musim hujan gang depan rumah kami langsung banjir sepinggang, mohon dikeruk",
        "trafo di ujung gang kadang keluar percikan api kalau hujan deras",
        "dulu kakek saya pernah kena serangan jantung, mohon ada posyandu lansia di RW",
        "hati saya kebakar lihat pungli di terminal tiap hari",
        "stuck in traffic for two hours di Mampang, lampu merahnya rusak",
    ],
)
def test_hedged_figurative_and_ordinary_complaints_are_not(
    detector: DangerDetector, text: str
) -> None:
    verdict = detector.detect(matching_form(text))
    assert not verdict.high, (text, verdict.signs)


def test_an_unhedged_sign_outlives_a_calm_phrase(detector: DangerDetector) -> None:
    """The fire is out, but someone is still trapped: still high."""
    verdict = detector.detect(matching_form("api sudah padam tapi ada orang terjebak di lantai 3"))
    assert verdict.high
    assert any(s.startswith("water:") for s in verdict.signs)


def test_hedged_signs_are_kept_for_the_explanation(detector: DangerDetector) -> None:
    verdict = detector.detect(matching_form("kami khawatir kebakaran, kabel semrawut"))
    assert not verdict.high
    assert verdict.hedged
    assert verdict.explain() == "no danger sign"


def test_rules_danger_terms_are_used(detector: DangerDetector) -> None:
    """The routing rules' [danger] terms count without being repeated in the detector."""
    verdict = detector.detect(matching_form("air sudah sepinggang di dalam rumah"))
    assert verdict.high
    assert any(s.startswith("danger:") for s in verdict.signs)


def test_the_rules_decision_can_stand_in_for_scoring_again(detector: DangerDetector) -> None:
    """Given the rules' decision, the verdict is the same as from scoring the form anew."""
    lines = (Path(__file__).parent / "data" / "triage_dev.jsonl").read_text(encoding="utf-8")
    for line in lines.splitlines():
        form = matching_form(json.loads(line)["text"])
        assert detector.detect(form, decide(form).rules) == detector.detect(form), form
