"""High priority: does a complaint name immediate danger to people?

Two sources, one answer (:class:`Danger`):

* the ``[danger]`` terms of the routing rules in force (``routing.toml``),
  found by the rules' own scan (:func:`aduan.triage.engine.score`), so a city
  that adds a danger term there changes this detector too;
* :data:`SIGNS`, what those terms lack (they are not repeated here): people
  trapped, pinned or missing, live wires, violence, a medical emergency, the
  everyday words for fire, something about to fall on a road in use ("bisa
  jatuh kapan saja"), someone who fell just now ("barusan ada motor
  nyungsep"); each a short pattern over the matching form (lower case, slang
  expanded: "gk sadar" reads "tidak sadar").

A sign is dropped when a hedge stands in the few words before it ("takut
nanti korsleting lalu kebakaran", "kalau pohon tumbang", "rawan longsor",
"ayah pernah kena serangan jantung"): fear, conditions, prevention, events
that are over; a habit a little further back ("tiap musim hujan gang di
belakang pasar langsung banjir sepinggang", "kadang ada percikan"); a
feeling right before it ("hatiku terbakar"); a negation only right before it ("bukan kebakaran");
a time that is past right after it ("pohon yang tumbang kemarin", not "belum
pulang sejak kemarin"); an animal right before it ("kucing kejebak"). A calm phrase anywhere
("sudah padam", "sudah surut", "tidak darurat") drops the rules' terms, which
cannot see their context, but not a sign of :data:`SIGNS` that is itself
unhedged (someone still trapped, hurt or missing). The rules' ``cancel``
phrases ("sosialisasi", "pelatihan") cancel every sign, as they do in the rules.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from aduan.triage.engine import DANGER, Triage, score

RULE_PREFIX = f"{DANGER}:"  # the rules' danger terms are named "danger:<term>"

CHILD = "anak|adik|adek|bocah|balita|bayi|cucu|keponakan"
PEOPLE = f"orang|warga|{CHILD}|bapak|ibu|nenek|kakek|lansia"
# kind -> patterns over the matching form (``\b`` added around each)
SIGNS: dict[str, tuple[str, ...]] = {
    "fire": (
        r"kebakar|(?:di)?lalap (?:\w+ )?api|hangus|korsleting|korslet",
        r"api (?:\w+ ){0,2}(?:besar|gede|merembet|menjalar|berkobar|nyala)",
        r"(?:keluar|muncul) (?:\w+ ){0,2}api",
        r"asap (?:\w+ ){0,2}(?:tebel|item|ngebul|mengepul)",
        r"(?:gas|elpiji|lpg) (?:\w+ ){0,2}(?:bocor|nyengat|menyengat)",
        # English, as Jakarta writes it mixed in
        r"on fire|caught fire|catch\w* fire|(?:small|big|huge) fire",
        r"fire (?:is )?(?:spreading|coming)",
        r"gas (?:smell|leak)|smell\w* (?:of )?gas|thick smoke|smoke (?:is )?coming",
    ),
    "water": (
        r"(?:ter|ke)jebak(?! macet| kemacetan| antre\w*)|terkurung|terisolasi",
        r"(?:ke|ter)cemplung|tercebur|seatap",
        r"evakuasi (?:warga|korban|lansia|orang)",
        r"(?:stuck|trapped)(?! in (?:a |the )?(?:traffic|jam|queue|lift))|water (?:is )?rising",
    ),
    "electricity": (
        r"nyetrum|(?:ke|ter)sengat listrik",
        r"kabel\w* (?:\w+ ){0,4}percikan",
    ),
    "collapse": (
        r"(?:ke|ter)tiban|(?:ke|ter)jepit|terkubur",
        rf"(?:{PEOPLE}|rumah|penghuni|korban|tukang|pekerja|buruh)\w* "
        r"(?:\w+ ){0,3}(?:ke|ter)timbun",
        r"(?:tumbang|roboh|rubuh|ambruk|patah) (?:\w+ ){0,3}"
        r"(?:nutup\w*|menutup\w*|melintang|ngalangin|menghalangi)",
        r"(?:jatuh|roboh|rubuh|ambruk|tumbang|runtuh|longsor|patah) kapan saja",
        r"(?:nyangkut|tersangkut) (?:\w+ ){0,6}(?:di )?atas (?:\w+ ){0,2}"
        r"(?:jalan|jalur|motor|mobil|kendaraan|orang)",
    ),
    "fall": (
        r"(?:barusan|baru saja|tadi) (?:\w+ ){0,4}(?:nyungsep|terperosok|keperosok|kejeblos"
        r"|terjatuh|jatuh|nyemplung|kecemplung|tercebur|terlindas|ketabrak|tertabrak)",
    ),
    "violence": (
        r"dipukul\w*|digebuk\w*|dikeroyok|dibacok|ditusuk|dianiaya|penganiayaan|mukul\w*",
        r"memukuli|begal|dibegal|dirampok|perampokan",
        r"(?:bawa|membawa|pakai|pake|acungkan|mengacungkan) (?:\w+ )?"
        r"(?:celurit|parang|golok|pisau|sajam|senjata)",
        r"berdarah|luka (?:parah|berat|bacok|tusuk)",
        r"stabbed|mugged|beaten up|(?:with|holding) (?:a )?(?:knife|machete)",
    ),
    "missing": (
        rf"(?:{CHILD}) (?:\w+ ){{0,7}}"
        r"(?:hilang|ilang|diculik|dibawa orang|belum pulang|tidak pulang)",
        r"penculikan|diculik",
        r"(?:child|kid|son|daughter|boy|girl|toddler) (?:\w+ ){0,5}(?:missing|lost|kidnapped)",
    ),
    "medical": (
        r"pingsan|tidak sadar\w*|kejang|serangan jantung|overdosis",
        r"tergeletak|sekarat|pendarahan|keracunan massal|henti (?:napas|jantung)",
        r"ambulans (?:\w+ ){0,3}(?:belum|tidak) (?:datang|dateng|nyambung|ada)",
        r"unconscious|not breathing|fainted|seizure|heart attack",
    ),
}

# A hedge in the HEDGE_WINDOW words before a sign: not happening now to anyone.
_HEDGE_WORDS = """
takut khawatir kuatir kalau kalo jika bila apabila seandainya rawan potensi risiko
resiko cegah mencegah pencegahan antisipasi sosialisasi simulasi pelatihan latihan penyuluhan
seperti kayak bagai bekas pasca korban sebelum jangan sampai semoga pernah
"""
HEDGES = frozenset(_HEDGE_WORDS.split())
HEDGE_WINDOW = 5
# A habit reaches further back than a hedge: "tiap musim hujan gang di belakang pasar
# langsung banjir sepinggang" is about what happens, not what is happening now.
HABITS = frozenset(["sering", "setiap", "tiap", "biasanya", "kadang", "kerap", "selalu"])
HABIT_WINDOW = 10
# Feelings told in danger words, right before them: "hatiku terbakar", "hati ini kebakar".
FIGURATIVE = frozenset({"hati", "hatiku", "hatinya", "emosi", "amarah"})
NEGATIONS = frozenset({"tidak", "bukan"})  # only in the NEGATION_WINDOW words before
NEGATION_WINDOW = 3
# Right after a sign: the event is over ("yang tumbang kemarin"), unless "sejak/dari kemarin".
PAST = re.compile(
    r"^(?:\w+ ){0,2}(?<!dari )(?<!sejak )(?:kemarin|dulu|(?:minggu|bulan|tahun) lalu)\b"
)
ANIMALS = frozenset(["kucing", "anjing", "burung", "ayam", "kambing", "hewan", "monyet", "tikus"])
# Anywhere in the complaint: the danger is over, or the writer says it is not one.
CALM = re.compile(
    r"\b(?:sudah|telah) (?:padam|surut|ditangani|diselamatkan|dievakuasi semua|dipadamkan)\b"
    r"|\bpadam total\b|\b(?:tidak|bukan) darurat\b|\bbukan kebakaran\b"
    r"|\b(?:minggu|bulan|tahun) lalu\b"
)


@dataclass(frozen=True)
class Danger:
    high: bool
    signs: tuple[str, ...]  # what raised it: "danger:kebakaran" (rules), "fire:kebakar" (SIGNS)
    hedged: tuple[str, ...] = ()  # found but dropped: "takut ... kebakaran"

    def explain(self) -> str:
        return ", ".join(self.signs) if self.high else "no danger sign"


def _compile(table: dict[str, tuple[str, ...]]) -> list[tuple[str, re.Pattern[str]]]:
    return [
        (kind, re.compile(rf"\b(?:{'|'.join(patterns)})\b")) for kind, patterns in table.items()
    ]


def _hedged(text: str, start: int, end: int | None = None) -> bool:
    further = text[:start].split()[-HABIT_WINDOW:]
    before = further[-HEDGE_WINDOW:]
    if any(word in HEDGES for word in before) or any(word in HABITS for word in further):
        return True
    near = before[-NEGATION_WINDOW:]
    if any(word in NEGATIONS or word in ANIMALS for word in near):
        return True
    if any(word in FIGURATIVE for word in near) and "hati hati" not in " ".join(near):
        return True
    return end is not None and PAST.match(text[end:].lstrip()) is not None


class DangerDetector:
    """The rules' danger terms plus :data:`SIGNS`, hedge- and calm-aware."""

    def __init__(self, triage: Triage, signs: dict[str, tuple[str, ...]] | None = None) -> None:
        self.triage = triage
        table = SIGNS if signs is None else signs
        self.signs = _compile(table)
        # one scan for all kinds: most complaints name no danger, and then the kinds are skipped
        self.any_sign = re.compile(rf"\b(?:{'|'.join(p for ps in table.values() for p in ps)})\b")
        self.rule_terms = {term.name: term for term in triage.rules.danger}

    def detect(self, form: str, rule_signs: Sequence[str] | None = None) -> Danger:
        """The verdict for one matching form. ``rule_signs``: the rules' danger hits when
        known already (the ``danger:`` names of a rules :class:`~aduan.triage.Decision`),
        which saves scoring the form again."""
        kept: list[str] = []
        hedged: list[str] = []
        for kind, pattern in self.signs if self.any_sign.search(form) else ():
            for m in pattern.finditer(form):
                name = f"{kind}:{m.group(0)}"
                (hedged if _hedged(form, m.start(), m.end()) else kept).append(name)
        cancel = self.triage.rules.danger_cancel
        if cancel and cancel.sub(form) != form:
            return Danger(False, (), ("cancel",))
        calm = CALM.search(form) is not None
        if calm and not kept:
            return Danger(False, (), (*hedged, "calm"))
        if rule_signs is not None:
            rule_hits: Sequence[str] = [n for n in rule_signs if n.startswith(RULE_PREFIX)]
        elif self.triage.rules.danger:
            rule_hits = score(self.triage.compiled, form).danger
        else:
            rule_hits = ()
        for name in rule_hits:
            if calm:
                hedged.append(name)
                continue
            term = self.rule_terms.get(name)
            found = term.regex.search(form) if term is not None else None
            if found is not None and _hedged(form, found.start(), found.end()):
                hedged.append(name)
            else:
                kept.append(name)
        signs = tuple(dict.fromkeys(kept))
        return Danger(bool(signs), signs, tuple(dict.fromkeys(hedged)))
