"""Text cleanup: the complaint's clean text, and the matching form used by dedup and triage.

* :func:`clean_text` is what people read: Unicode NFC, invisible characters
  and zero-width joiners removed, whitespace folded; URLs, @mentions and
  emoji kept.
* :func:`matching_form` is what machines compare: lower case, URLs and
  @mentions dropped, punctuation removed, repeated letters folded
  ("mohonnn"), reduplication written out ("jalan2" -> "jalan jalan"), and the
  common abbreviations and slang of Indonesian complaints expanded
  ("yg" -> "yang", "gak" -> "tidak", "jl." -> "jalan", Betawi "kagak", ...).
  It is never shown to anyone.
"""

from __future__ import annotations

import re
import unicodedata
from typing import cast

INVISIBLE = dict.fromkeys(
    [
        0x00AD,  # soft hyphen
        0x034F,  # combining grapheme joiner
        0x061C,  # Arabic letter mark
        0x180E,  # Mongolian vowel separator
        *range(0x200B, 0x2010),  # zero-width space, ZWNJ, ZWJ, LRM, RLM
        *range(0x202A, 0x202F),  # bidi embeddings and overrides
        *range(0x2060, 0x2065),  # word joiner, invisible operators
        *range(0x2066, 0x2070),  # bidi isolates, deprecated format characters
        0xFEFF,  # byte order mark / zero-width no-break space
    ]
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLANK_LINES = re.compile(r"\n{3,}")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@])@\w{1,50}")
_REDUP = re.compile(r"\b([^\W\d_]{2,})2\b")
_REPEATS = re.compile(r"([^\W\d_])\1{2,}")
_WORD = re.compile(r"[^\W_]+")

SLANG: dict[str, str] = {
    # negation
    "tdk": "tidak",
    "gak": "tidak",
    "ga": "tidak",
    "gk": "tidak",
    "nggak": "tidak",
    "ngga": "tidak",
    "nggk": "tidak",
    "enggak": "tidak",
    "engga": "tidak",
    "kagak": "tidak",
    "kaga": "tidak",
    "ndak": "tidak",
    "nda": "tidak",
    "tak": "tidak",
    "g": "tidak",
    # function words
    "yg": "yang",
    "dgn": "dengan",
    "dg": "dengan",
    "dr": "dari",
    "utk": "untuk",
    "untk": "untuk",
    "krn": "karena",
    "karna": "karena",
    "krna": "karena",
    "kpd": "kepada",
    "pd": "pada",
    "thd": "terhadap",
    "ttg": "tentang",
    "spt": "seperti",
    "tsb": "tersebut",
    "sbg": "sebagai",
    "jg": "juga",
    "lg": "lagi",
    "aja": "saja",
    "aje": "saja",
    "sj": "saja",
    "tp": "tapi",
    "tpi": "tapi",
    "trs": "terus",
    "trus": "terus",
    "sm": "sama",
    "ama": "sama",
    "kalo": "kalau",
    "klo": "kalau",
    "kl": "kalau",
    "klw": "kalau",
    "cm": "cuma",
    "cuman": "cuma",
    "sampe": "sampai",
    "ampe": "sampai",
    "smp": "sampai",
    "dll": "dan lain lain",
    "dsb": "dan sebagainya",
    "pdhl": "padahal",
    "krg": "kurang",
    "lbh": "lebih",
    "sgt": "sangat",
    "bgt": "banget",
    "emg": "memang",
    "emang": "memang",
    "msh": "masih",
    "masi": "masih",
    "hrs": "harus",
    "bs": "bisa",
    "bsa": "bisa",
    "blh": "boleh",
    "mo": "mau",
    # time
    "sdh": "sudah",
    "udh": "sudah",
    "udah": "sudah",
    "dah": "sudah",
    "udeh": "sudah",
    "blm": "belum",
    "belom": "belum",
    "blum": "belum",
    "kmrn": "kemarin",
    "kemaren": "kemarin",
    "skrg": "sekarang",
    "skrng": "sekarang",
    "skg": "sekarang",
    "sblm": "sebelum",
    "stlh": "setelah",
    "hr": "hari",
    "tgl": "tanggal",
    "bln": "bulan",
    "thn": "tahun",
    "mgg": "minggu",
    "dtg": "datang",
    # people and asking
    "sy": "saya",
    "aq": "saya",
    "aku": "saya",
    "gw": "saya",
    "gue": "saya",
    "gua": "saya",
    "ane": "saya",
    "org": "orang",
    "warga2": "warga",
    "tlg": "tolong",
    "tolongin": "tolong",
    "mhn": "mohon",
    "mohonn": "mohon",
    "min": "admin",
    "mimin": "admin",
    "gmn": "bagaimana",
    "gimana": "bagaimana",
    "gmana": "bagaimana",
    "knp": "kenapa",
    "napa": "kenapa",
    "bnyk": "banyak",
    "byk": "banyak",
    "bnr": "benar",
    "bener": "benar",
    "liat": "lihat",
    "pake": "pakai",
    "bikin": "membuat",
    "dket": "dekat",
    "dkt": "dekat",
    "dpn": "depan",
    "blkg": "belakang",
    "sblh": "sebelah",
    "bbrp": "beberapa",
    # places
    "jl": "jalan",
    "jln": "jalan",
    "jalan2": "jalan jalan",
    "gg": "gang",
    "kel": "kelurahan",
    "kec": "kecamatan",
    "kab": "kabupaten",
    "prov": "provinsi",
    "smpn": "smp negeri",
    "pskms": "puskesmas",
    "rs": "rumah sakit",
    "rsud": "rumah sakit umum daerah",
    "psr": "pasar",
    "kby": "kebayoran",
    "bkt": "bukit",
    "sltn": "selatan",
    "slt": "selatan",
    "brt": "barat",
    "tmr": "timur",
    "utr": "utara",
    "rmh": "rumah",
    "deket": "dekat",
    "ampir": "hampir",
    "gede": "besar",
    "lobang": "lubang",
    "jatoh": "jatuh",
    "malem": "malam",
    "semalem": "semalam",
    "mlm": "malam",
    "td": "tadi",
    "lwt": "lewat",
    "mkn": "makin",
    "msk": "masuk",
    "bnjr": "banjir",
    "ksong": "kosong",
    "jwbn": "jawaban",
    "lt": "lantai",
    "tlp": "telepon",
    "telp": "telepon",
    # Betawi and Jakarta slang
    "aer": "air",
    "kite": "kita",
    "cepet": "cepat",
    "ilang": "hilang",
    "dateng": "datang",
    "bokap": "ayah",
    "nyokap": "ibu",
    "nyampe": "sampai",
}
ROMAN = {
    "ii": "2", "iii": "3", "iv": "4", "vi": "6", "vii": "7", "viii": "8", "ix": "9",
    "xi": "11", "xii": "12", "xiii": "13", "xiv": "14", "xv": "15",
}  # fmt: skip
"""Roman numerals of numbered streets ("Jl. Kemang Selatan VIII"), written as digits.
The ambiguous one-letter numerals ``i``, ``v`` and ``x`` only after another word."""
_ROMAN_WORD = re.compile(r"\b(?:ii|iii|iv|vi|vii|viii|ix|xi|xii|xiii|xiv|xv)\b")
_SINGLE_ROMAN = {"i": "1", "v": "5", "x": "10"}


# Each regex step below costs a scan of the whole text, so each runs only when
# the characters it needs are present; these guards are cheap necessary conditions.
_INVISIBLE_CHAR = re.compile("[" + "".join(map(chr, INVISIBLE)) + "]")
_REDUP_HINT = re.compile(r"2(?<=[^\W\d_]{2}2)\b")  # two letters, then "2", then a word's end
_ROMANS = frozenset(ROMAN) | frozenset(_SINGLE_ROMAN)
_ROMAN_SINGLE = re.compile(r" (?<=[a-z] )([ivx])\b")  # led by the space: a fast literal scan
# ASCII text: every character but a letter or digit ends a word (what _WORD does).
_ASCII_WORD_BREAKS = bytes(c if chr(c).isalnum() else 0x20 for c in range(256))
_FORMS: dict[str, str] = {}
"""Word -> its matching form (repeats folded, slang expanded); words recur, so kept."""
_FORMS_LIMIT = 100_000

ACRONYMS: dict[str, frozenset[str]] = {
    "smp": frozenset(
        {"negeri", "n", "swasta", "it", "islam", "terbuka", "muhammadiyah", "kristen", "katolik"}
    ),
}
"""Shorthand that is also a school's acronym ("smp skrg" is "sampai sekarang", "SMP Negeri" a
junior high school): kept as written when one of these words follows. A number does not decide
it: "smp 3 hari" is "sampai 3 hari"."""


def keep_acronyms(folded: list[str], forms: list[str]) -> list[str]:
    """``forms`` with each :data:`ACRONYMS` word left as written where its next word says so
    (``folded``: the words with repeats folded, before slang)."""
    for i, word in enumerate(folded[:-1]):
        after = ACRONYMS.get(word)
        if after is not None and folded[i + 1] in after:
            forms[i] = word
    return forms


_EXPANDED = frozenset(SLANG[word] for word in ACRONYMS)


def clean_text(text: str) -> str:
    """The text people read: NFC, no invisible characters, whitespace folded."""
    if not text.isascii():  # ASCII is NFC already and has no invisible characters
        text = unicodedata.normalize("NFC", text)
        if _INVISIBLE_CHAR.search(text):
            text = text.translate(INVISIBLE)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.replace("\n", "").isprintable():  # every control character is unprintable
        text = _CONTROL.sub("", text)
    if "\n" not in text:
        return " ".join(text.split())
    text = "\n".join([" ".join(line.split()) for line in text.split("\n")])
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def matching_form(text: str) -> str:
    """The form dedup and triage compare: lower case, slang expanded, no URLs or mentions."""
    if text.isascii():  # NFKC leaves ASCII as it is
        text = text.lower()
    else:
        text = unicodedata.normalize("NFKC", text)
        if _INVISIBLE_CHAR.search(text):
            text = text.translate(INVISIBLE)
        text = text.lower()
    if "http" in text or "www." in text:
        text = _URL.sub(" ", text)
    if "@" in text:
        text = _MENTION.sub(" ", text)
    if _REDUP_HINT.search(text):
        text = _REDUP.sub(r"\1 \1", text)
    tokens = _words_of(text)
    if not _ROMANS.isdisjoint(tokens):  # a numeral is always a word of its own
        text = _ROMAN_WORD.sub(lambda m: ROMAN[m.group(0)], text)
        text = _ROMAN_SINGLE.sub(lambda m: " " + _SINGLE_ROMAN[m.group(1)], text)
        tokens = _words_of(text)
    forms: list[str | None] = list(map(_FORMS.get, tokens))
    if None in forms:  # a word not seen yet
        forms = [form or _word_form(word) for word, form in zip(tokens, forms, strict=True)]
    known = cast("list[str]", forms)
    if not _EXPANDED.isdisjoint(known):
        known = keep_acronyms([_REPEATS.sub(r"\1", word) for word in tokens], known)
    return " ".join(known)


def _words_of(text: str) -> list[str]:
    """What ``_WORD`` finds; for ASCII text, without the regex (a bytes table does it)."""
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_WORD_BREAKS).decode("ascii").split()
    return _WORD.findall(text)


NYE_ROOTS = frozenset({"oranye"})  # words whose "nye" is not the Betawi "-nya"


def betawi_nye(word: str) -> str:
    """Betawi "rumahnye" -> "rumahnya" (a word of six letters or more, not :data:`NYE_ROOTS`)."""
    if len(word) > 5 and word.endswith("nye") and word not in NYE_ROOTS:
        return word[:-1] + "a"
    return word


def _word_form(word: str) -> str:
    """Repeats folded, then slang expanded: a word's letters never run into the next word,
    so folding word by word is folding the whole text."""
    folded = _REPEATS.sub(r"\1", word)
    form = SLANG.get(folded, folded)
    if form is folded:
        form = betawi_nye(folded)
    if len(_FORMS) >= _FORMS_LIMIT:
        _FORMS.clear()
    _FORMS[word] = form
    return form


def words(matching: str) -> list[str]:
    """The words of a matching form."""
    return matching.split()
