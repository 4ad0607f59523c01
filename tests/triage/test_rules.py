"""Routing rules: a table of complaints in many voices, negatives, danger, bad rule files."""

from __future__ import annotations

from pathlib import Path

import pytest

from aduan.config.triage import TriageSettings
from aduan.core.errors import ConfigError
from aduan.core.text import matching_form
from aduan.triage import CATEGORIES, Decision, configure, decide
from aduan.triage.rules import PACKAGED, load_rules


@pytest.fixture(autouse=True)
def _packaged_rules() -> None:
    configure()


def route(text: str, **kwargs: str) -> Decision:
    return decide(matching_form(text), **kwargs)


ROUTES = [
    # (text, category, priority)
    ("pju mati gg kenanga", "street_lighting", "normal"),
    ("Lampu merah di perempatan mati sejak pagi, macet semua arah", "traffic_parking", "normal"),
    ("Bangjo perempatan pasar ijonya kecepetan", "traffic_parking", "normal"),
    ("Postingan kelurahan banjir komentar warga soal lomba 17an", "other", "normal"),
    ("Mohon perantingan pohon di depan musala, sudah kena kabel", "parks_trees", "normal"),
    ("minta pengerukan saluran di RW 02, lumpur tinggi", "drainage_flooding", "normal"),
    ("Plengsengan kali ambrol, monggo dicek. Maturnuwun", "drainage_flooding", "normal"),
    ("Got mampet, air nggenang depan rumah", "drainage_flooding", "normal"),
    ("Paving gang rusak, pada lepas", "roads", "normal"),
    ("Trotoar di Jl. Taman Sari pecah pecah", "roads", "normal"),
    ("Sampah di Jl. Pasar Minggu blm diangkut, TPS penuh", "waste", "normal"),
    ("Kagak ada yang ngangkut sampah udeh seminggu", "waste", "normal"),
    ("Jukir liar minta 5rb di minimarket", "traffic_parking", "normal"),
    ("PKL jualan di trotoar depan stasiun", "public_order", "normal"),
    ("KJP anak saya belum cair", "education", "normal"),
    ("Kami MBR mohon dipindah ke PBI BPJS", "social_welfare", "normal"),
    ("Rumah nenek RTLH atapnya hampir roboh, bisa bedah rumah?", "social_welfare", "normal"),
    ("KTP elektronik belum jadi 2 bulan di Dukcapil", "civil_registry", "normal"),
    ("Bangunan 4 lantai tanpa PBG", "land_building", "normal"),
    ("PDAM mati 2 hari", "water_utilities", "normal"),
    ("Puskesmas tutup jam 12 padahal jadwal sampai sore", "health", "normal"),
    ("Pohon tumbang nutup jalan", "parks_trees", "high"),
    ("Kebakaran rumah warga RT 03, cepat kirim damkar", "fire_disaster", "high"),
    ("Banjir masuk rumah sepinggang, tolong evakuasi", "drainage_flooding", "high"),
    ("Kabel lampu jalan putus menjuntai ke trotoar", "street_lighting", "high"),
    ("Tutup gorong-gorong hilang, lubang terbuka di pinggir jalan", "drainage_flooding", "high"),
    ("Hidran kebakaran bocor, takut kalau ada kebakaran", "fire_disaster", "normal"),
    ("Tetangga bakar sampah tiap pagi, asap masuk rumah", "waste", "normal"),
    ("giliran viral langsung kebakaran jenggot", "other", "normal"),
    ("Promo kredit motor tanpa DP hub WA", "other", "normal"),
    (
        "Assalamualaikum. Yth Bapak/Ibu, lingkungan kami dulu sering banjir dan sampah "
        "menumpuk, alhamdulillah sekarang sudah jauh lebih baik berkat kerja bakti warga. "
        "Terima kasih atas perhatiannya. Bersama ini kami mohon perantingan pohon di depan "
        "balai warga karena dahannya menyentuh atap. Wassalam.",
        "parks_trees",
        "normal",
    ),
    ("Kali ini saya mau lapor PJU di gang kami mati total", "street_lighting", "normal"),
]


@pytest.mark.parametrize(("text", "category", "priority"), ROUTES, ids=[r[0][:40] for r in ROUTES])
def test_routes(text: str, category: str, priority: str) -> None:
    decision = route(text)
    assert (decision.category, decision.priority) == (category, priority), decision.rules


def test_decision_records_rules_score_agency_and_track() -> None:
    decision = route("Mohon perantingan pohon angsana di gang kami")
    assert decision.category == "parks_trees"
    assert decision.agency == "sudin-tamhut"
    assert decision.track == "same_day"
    assert decision.source == "rules"
    assert decision.score >= 2.5
    assert "parks_trees:perantingan" in decision.rules
    assert not decision.needs_review


def test_danger_sets_high_priority_and_same_day_track() -> None:
    decision = route("Tanah longsor di pinggir kali, pondasi rumah menggantung")
    assert decision.category == "fire_disaster"
    assert (decision.priority, decision.track) == ("high", "same_day")
    assert any(rule.startswith("danger:") for rule in decision.rules)


def test_unclaimed_complaint_goes_to_other_and_the_human_queue() -> None:
    decision = route("Selamat pagi, semoga sehat selalu")
    assert decision.category == "other"
    assert decision.agency is None
    assert decision.needs_review
    assert decision.rules == ("no_rule",)
    weak = route("kok gelap ya")
    assert weak.category == "other" and weak.needs_review
    assert weak.rules[0].startswith("below_threshold:")


def test_hint_category_and_hint_text() -> None:
    assert route("tolong dicek ya", hint="waste").category == "waste"
    assert route("mohon segera ditindaklanjuti", hint="Lampu PJU padam").category == (
        "street_lighting"
    )
    assert route("tolong dicek ya", hint="not-a-category").category == "other"


def test_packaged_rules_cover_every_category() -> None:
    rules = load_rules(None, CATEGORIES)
    assert set(rules.categories) == set(CATEGORIES)
    for code, category in rules.categories.items():
        assert category.label
        assert code == "other" or category.agency in rules.agencies


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "routing.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_rules_file_from_settings(tmp_path: Path) -> None:
    text = PACKAGED.read_text(encoding="utf-8").replace('"pju" = 6', '"pju" = 6\n"lentera" = 9', 1)
    path = _write(tmp_path, text)
    configure(TriageSettings(rules_file=path))
    assert route("lentera di gang padam").category == "street_lighting"
    configure()
    assert route("lentera di gang padam").category == "other"


def test_regex_that_starts_with_an_optional_group_still_fires(tmp_path: Path) -> None:
    """The gate that skips regexes must not require a word the regex may leave out."""
    term = "'(?:sangat )?lentera\\w* (?:\\w+ ){0,3}padam' = 9"
    packaged = PACKAGED.read_text(encoding="utf-8")
    patterns = "[categories.street_lighting.patterns]\n"
    text = packaged.replace(patterns, f"{patterns}{term}\n", 1)
    configure(TriageSettings(rules_file=_write(tmp_path, text)))
    assert route("lentera di gang padam").category == "street_lighting"
    assert route("sangat lentera di gang padam").category == "street_lighting"
    configure()
    assert route("lentera di gang padam").category == "other"


def test_bad_rules_file_lists_every_problem_with_file_and_key(tmp_path: Path) -> None:
    text = PACKAGED.read_text(encoding="utf-8")
    text = text.replace('agency = "sudin-lh"', 'agency = "sudin-nowhere"', 1)
    text = text.replace('"pju" = 6', '"pju" = "six"', 1)
    text = text.replace('track = "same_day"', 'track = "tomorrow"', 1)
    text = text.replace("[categories.education]", "[categories.teaching]", 1)
    text += "\n[categories.roads.patterns]\n'(unclosed' = 2\n"
    path = _write(
        tmp_path, text.replace("[categories.roads.patterns]\n'(?:jalan", "[x]\n'(?:jalan", 1)
    )
    with pytest.raises(ConfigError) as err:
        load_rules(path, CATEGORIES)
    lines = err.value.problems
    assert all(line.startswith(f"{path}: ") for line in lines)
    joined = "\n".join(lines)
    assert "categories.waste.agency: 'sudin-nowhere' is not defined" in joined
    assert 'categories.street_lighting.terms."pju": weight must be a non-zero number' in joined
    assert "categories.street_lighting.track: must be one of" in joined
    assert "categories.teaching: unknown category" in joined
    assert "categories.education.label: missing" in joined
    assert "x: unknown table" in joined


def test_missing_category_is_reported(tmp_path: Path) -> None:
    path = _write(
        tmp_path, '[agencies]\na = "A"\n[categories.roads]\nlabel = "Jalan"\nagency = "a"\n'
    )
    with pytest.raises(ConfigError) as err:
        load_rules(path, CATEGORIES)
    assert f"{path}: categories.waste: missing" in err.value.problems


def test_bad_regex_and_bad_toml(tmp_path: Path) -> None:
    text = PACKAGED.read_text(encoding="utf-8").replace(
        "[danger]\nterms = [", "[danger]\npatterns_x = 1\nterms = [", 1
    )
    text = text.replace("patterns = [\n", "patterns = [\n  '(unclosed',\n", 1)
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_rules(path, CATEGORIES)
    joined = "\n".join(err.value.problems)
    assert "danger.patterns[0]: bad regular expression" in joined
    assert "danger.patterns_x: unknown key" in joined
    path.write_text("[routing\nthreshold = 2", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_rules(path, CATEGORIES)
    assert err.value.problems[0].startswith(f"{path}: not valid TOML")
    with pytest.raises(ConfigError) as err:
        load_rules(tmp_path / "missing.toml", CATEGORIES)
    assert "file not found" in err.value.problems[0]


def test_an_agency_may_depend_on_the_kecamatan() -> None:
    from aduan.triage.engine import Triage

    settings = TriageSettings(
        agency_by_kecamatan={
            "Tebet": {"waste": "kecamatan-tebet"},
            "Cilandak": {"*": "kecamatan-cilandak"},
        }
    )
    triage = Triage.from_settings(settings, "Asia/Jakarta", CATEGORIES)
    text = matching_form("Sampah menumpuk tidak diangkut seminggu di TPS")
    default = triage.decide(text, channel="sms", hint=None)
    assert default.category == "waste"
    tebet = triage.decide(text, channel="sms", hint=None, kecamatan="Tebet")
    cilandak = triage.decide(text, channel="sms", hint=None, kecamatan="Cilandak")
    elsewhere = triage.decide(text, channel="sms", hint=None, kecamatan="Pancoran")
    assert tebet.agency == "kecamatan-tebet" and cilandak.agency == "kecamatan-cilandak"
    assert elsewhere.agency == default.agency != "kecamatan-tebet"
