"""The fast scoring path against the plain reading of the rules, and the regex pre-check."""

from __future__ import annotations

import random
import re

import pytest

from aduan.core.text import matching_form
from aduan.triage import CATEGORIES, active, decide, literals
from aduan.triage.engine import Compiled, Scores, is_matching_form, score, score_reference
from aduan.triage.gates import thanks
from aduan.triage.literals import word_starts
from aduan.triage.rules import load_rules, term_regex

FILLERS = ["di", "yang", "sudah", "pak", "rt", "02", "warga", "depan", "rumah", "sekali", "x"]
TRICKY = [
    "jalanan rusak parah",  # "jalan" is not a word of "jalanan", the pattern still matches
    "dijalan rusak dan lampu taman mati",  # a pattern starting inside a word
    "trotoar di jalan taman sari rusak mohon diperbaiki",  # street-name mask, then request
    "jalan taman",  # the mask removes everything
    "mohon " + "kata " * 9 + "lubang",  # last word inside the request window
    "mohon " + "kata " * 10 + "lubang",  # first word outside it
    "lampu merah mati dan lampu jalan mati",  # an exclude hides one "lampu", not the other
    "sosialisasi bahaya kebakaran dan pohon tumbang",  # danger cancelled
    "pencegahan kebakaran di rt 02",  # danger term inside a danger exclude
    "terima kasih pak petugas sudah diperbaiki",  # ^-anchored pattern
    "air pam tidak mengalir air masuk rumah",
    "banjir orderan tapi banjir juga di gang",
    "kabel putus menjuntai tiang listrik miring",
]


def _rules() -> Compiled:
    return Compiled(load_rules(None, CATEGORIES))


def _phrases(compiled: Compiled) -> list[str]:
    out = list(compiled.grams)
    for _, term, _ in compiled.regex_terms:
        out += re.findall(r"[a-z][a-z ]*[a-z]", term.regex.pattern)
    return out


def _same(a: Scores, b: Scores) -> bool:  # dict order decides ties, so it must match too
    return (list(a.by_category.items()), list(a.matched.items()), a.danger) == (
        list(b.by_category.items()),
        list(b.matched.items()),
        b.danger,
    )


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_cases_score_as_the_reference(text: str) -> None:
    compiled = _rules()
    assert is_matching_form(text)
    assert _same(score(compiled, text), score_reference(compiled, text))


def test_generated_texts_score_as_the_reference() -> None:
    compiled = _rules()
    phrases = _phrases(compiled)
    rng = random.Random(7)
    for _ in range(3000):
        parts = [rng.choice(phrases) if rng.random() < 0.5 else rng.choice(FILLERS)]
        parts += [rng.choice(phrases + FILLERS) + rng.choice(["", "", "nya", "an"])]
        parts += [rng.choice(phrases + FILLERS) for _ in range(rng.randint(0, 25))]
        rng.shuffle(parts)
        text = matching_form(" ".join(parts))
        assert _same(score(compiled, text), score_reference(compiled, text)), text


def test_pinned_behaviour() -> None:
    compiled = _rules()
    inner = score(compiled, "jalanan rusak parah")
    assert "roads:jalan rusak" not in inner.matched["roads"]
    assert any(name.startswith("roads:(?:jalan") for name in inner.matched["roads"])
    assert score(compiled, "jalan taman").by_category == {}
    inside = score(compiled, "mohon " + "kata " * 9 + "lubang").by_category["roads"]
    outside = score(compiled, "mohon " + "kata " * 10 + "lubang").by_category["roads"]
    assert inside == 1.5 * outside
    assert score(compiled, "sosialisasi bahaya kebakaran dan pohon tumbang").danger == ()
    assert score(compiled, "pohon tumbang").danger == ("danger:pohon tumbang", "danger:tumbang")
    assert "street_lighting:lampu" not in score(compiled, "lampu merah").matched.get(
        "street_lighting", ()
    )


@pytest.mark.parametrize(
    "text",
    [" jalan rusak", "jalan rusak ", "jalan  rusak", "jalan, rusak", "jalan_rusak", "", "a\nb"],
)
def test_text_that_is_not_a_matching_form_takes_the_reference_path(text: str) -> None:
    compiled = _rules()
    assert not is_matching_form(text)
    assert _same(score(compiled, text), score_reference(compiled, text))


@pytest.mark.parametrize(
    ("pattern", "needs"),
    [
        (term_regex("aspal*"), [{"aspal"}]),
        (term_regex("lampu taman*"), [{"lampu taman"}]),
        (r"kabel\w* (?:\w+ ){0,4}(?:putus|jatuh ke)", [{"putus", "jatuh ke"}]),
        (r"(?<!\w)(?:ab|cd)?e", [{"e", "abe", "cde"}]),
        (r"lampu\w* (?:mati|kedip\w*)", [{"mati", "kedip"}]),
        (r"^(?:\w+ ){0,3}(?:terima kasih|salut) x", [{"terima kasih x", "salut x"}]),
        (r"(?:jalan|trotoar)\w* rusak", [{"rusak"}]),
        (r"x (?:ab|c)*y", []),  # a repeat of unknown length: nothing known after it
        (r"^(?:a|b)|c", []),  # top-level alternatives: nothing known
        (r"(?i)jalan", []),
    ],
)
def test_word_starts(pattern: str, needs: list[set[str]]) -> None:
    assert [set(s) for s in word_starts(re.compile(pattern))] == needs


def test_word_starts_never_rule_out_a_match() -> None:
    compiled = _rules()
    regexes = [term.regex for _, term, _ in compiled.regex_terms]
    regexes += [g.regex for g in compiled.rules.masks.regex_parts]
    phrases = _phrases(compiled)
    rng = random.Random(11)
    for _ in range(2000):
        text = matching_form(" ".join(rng.choice(phrases + FILLERS) for _ in range(8)))
        starts = {text[i:] for i in range(len(text)) if i == 0 or text[i - 1] == " "}
        for regex in regexes:
            if regex.search(text):
                for needed in word_starts(regex):
                    assert any(s.startswith(p) for s in starts for p in needed), (regex, text)


def test_without_the_private_regex_parser_regexes_run_ungated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``re._parser`` is private to CPython: a Python without it loses the gate, not a rule."""
    gated = _rules()
    monkeypatch.setattr(literals, "_sre", None)
    assert word_starts(re.compile(r"kabel\w* (?:\w+ ){0,4}(?:putus|menjuntai)")) == ()
    ungated = _rules()
    assert all(not needs for needs in ungated.scan.needs)
    rng = random.Random(11)
    phrases = _phrases(gated)
    for _ in range(500):
        text = matching_form(" ".join(rng.choice(phrases + FILLERS) for _ in range(12)))
        assert _same(score(ungated, text), score(gated, text)), text


@pytest.mark.parametrize(
    "text",
    [
        "Makasih banyak min, lampu PJU gang kami udah nyala lagi semalem. Cepet banget responnya",
        "Alhamdulillah KIA anak saya sudah jadi, terima kasih petugas Dukcapil yang ramah",
        "Terima kasih Satpol PP yang sudah menertibkan PKL di trotoar, sekarang jadi nyaman.",
        "Thank you buat Damkar yang kemarin cepet datang pas ada kebakaran kecil. Api sudah padam.",
        "air pam sudah lancar lagi sejak tadi pagi, terima kasih atas perbaikannya",
        "Kami berterima kasih kepada petugas yang mengeruk got, kini air tidak lagi meluap",
        "Terima kasih petugas PPSU yang sigap, kami harap mereka diberi penghargaan",
    ],
)
def test_thanks_name_a_topic_and_go_to_the_queue(text: str) -> None:
    d = decide(matching_form(text))
    assert (d.category, d.needs_review, d.rules) == ("other", True, ("gate:thanks",))


@pytest.mark.parametrize(
    "text",
    [
        "Lampu PJU gang kami mati seminggu. Mohon diperbaiki. Terima kasih.",
        "Terima kasih sudah cepat menambal, tapi lubangnya muncul lagi di sebelahnya",
        "air pam sudah 3 hari tidak mengalir, terima kasih",
        "Terima kasih sudah membantu, lampu gang kami sekarang tidak lagi menyala",
    ],
)
def test_a_complaint_that_closes_with_thanks_keeps_its_topic(text: str) -> None:
    d = decide(matching_form(text))
    assert d.category != "other", d.rules


def test_only_a_wish_for_the_people_thanked_is_not_a_request() -> None:
    markers = active().rules.request_markers
    praise = "Terima kasih petugas yang sigap, kami harap mereka diberi penghargaan"
    request = "Terima kasih petugas yang sigap, kami harap got depan rumah juga dikeruk"
    assert thanks(matching_form(praise), markers)
    assert not thanks(matching_form(request), markers)
