"""The fast text steps give what the straightforward ones give (``slow_text``), text by text.

The corpus: the dev sets' real wording, and seeded random mixes of what the
fast paths key on — URLs, @mentions, emoji, zero-width and bidi characters,
CR/LF and control characters, reduplication ("jalan2"), Roman numerals,
repeated letters, slang, phone numbers in many notations, RT/RW/house
numbers, landmarks, follow-up and resolved phrases, full-width and other
scripts' characters.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from aduan.core.identity import phones_in_text
from aduan.core.text import clean_text, matching_form
from aduan.normalize import features
from aduan.normalize.features import extract
from tests.normalize import slow_text

TESTS = Path(__file__).resolve().parent.parent
FRAGMENTS = [
    # slang and reduplication
    "yg dgn gak ga gk tdk kagak jln jl. tlg mhn udh blm sy gw min mimin bgt dkt dpn skrg kmrn",
    "td lg jg aja tp krn utk dr sm kalo rs rsud smpn gg kel. kec. lt tlp warga2 jalan2 dll",
    "smp skrg SMP 3 smp negeri smppp n sampai smp SMP",
    "Jalan2 JALAN2 teriak2 minta2 gorong2 ab2 é2 x2jalan2 _2 a_jalan2 jalan2_ 2an",
    # repeated letters
    "tolonggg mohonnn sampahhhh PARAHHH bgttt gelaaaap lampuuu éééh mohonn 1112",
    # Roman numerals
    "Jl. Kemang Selatan VIII, Wijaya I, Wijaya II no 5, gang iv, xvi iiii Iv vI a x ⅷ ＩＩ",
    "jalan i jalan v, x rt 2, (IV) XI. i",
    # URLs, mentions
    "https://t.co/x1 http://bit.ly/AbC www.jakarta.go.id HTTPS://X.COM/a ｗｗｗ．ｘ ｈｔｔｐ://a",
    "@aduan_jaksel @PemprovDKI email@aduan.id @@x ＠aduan a@b",
    # invisibles, whitespace, controls, emoji
    "\u200b\u200d\u200c\ufeff\u00ad\u2060\u202e\u034f\u2066 \u00a0\t\r\n\r\n\r\n",
    "\x0b \x0c \x1c \x1f \x7f \x00 \x08 \r \r\n\n\n\n",
    "\u3000\u2028\u2029\u0085\u2003 😩 🙏🏽 👨\u200d👩\u200d👧 ❤️ ✅ cafe\u0301 ﬁ ß İ",
    # phone numbers
    "0812-3456-7890 +62 812 3456 7890 6281234567890 0812.3456.78901 08123456 (021) 7654321",
    "081-2345-6789 +6281.2345.6789 0 812 3456 789 62 812-3456-789 +62812345678 0812--3456-7890",
    "+62-812-3456-7890 08-12-34-56-78-90 1081234567890 08１２３４５６７８９０ ٠٨١٢٣٤٥٦٧٨٩٠ ٣ ① ²",
    # numbers, places, landmarks
    "RT 03/RW 05 rt.04 rw.07 No. 12 nomor 7 no 1234 RT 003 rt 4 5 blok A2 no 8 3 hari 5 meter",
    "depan halte dekat masjid seberang SDN 05 samping Indomaret sebelah pom bensin depan pintu",
    "di lampu merah Pancoran, lampu lalu lintas mati, lampu jalan padam, lampunya gelap",
    "Kel. Pejaten Timur kelurahan Cipete Utara Kebayoran Lama Selatan Pasar Minggu Bukit Duri",
    # concepts
    "lubang got mampet banjir selutut pohon tumbang sampah bakar sampah kebakaran asap hidran",
    "pipa PAM bocor knalpot berisik parkir liar PKL pengemis ODGJ obat habis KJP blm cair",
    # follow-up and resolved
    "bagaimana kelanjutannya? tindak lanjut masih belum ada respon sudah saya email laporan saya",
    "yg kemarin sy lapor, sy yg lapor, datang kembali, update? belum diperbaiki juga",
    "sudah menyala lagi, udh nyala, sudah diangkut, terimakasih petugas, cepat tanggap, normal",
]


def _dev_texts() -> list[str]:
    out: list[str] = []
    for name in ("normalize/data/dedup_dev.jsonl", "triage/data/triage_dev.jsonl"):
        for line in (TESTS / name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            out.extend(row[side]["text"] for side in ("a", "b") if side in row)
            if "text" in row:
                out.append(row["text"])
    return out


def _mixed_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    words = [w for fragment in FRAGMENTS for w in fragment.split(" ")]
    seps = [" ", " ", " ", "", "  ", "\n", ", ", ". ", "\u200b", "-", "/"]
    out = []
    for _ in range(count):
        picked = [rng.choice(words) for _ in range(rng.randint(1, 40))]
        out.append("".join(w + rng.choice(seps) for w in picked))
    return out


CORPUS = _dev_texts() + _mixed_texts(4000, seed=1) + [*FRAGMENTS, "", " ", "\n", "2", "a i"]


def test_clean_text_and_matching_form_equal_the_reference() -> None:
    for text in CORPUS:
        clean = clean_text(text)
        assert clean == slow_text.clean_text(text), text
        assert matching_form(text) == slow_text.matching_form(text), text
        assert matching_form(clean) == slow_text.matching_form(clean), text


def test_extract_equals_the_reference() -> None:
    for text in CORPUS:
        match = matching_form(clean_text(text))
        assert extract(match) == slow_text.extract(match), match


def _outcome(step: Callable[[str], object], text: str) -> object:
    try:
        return step(text)
    except ValueError as exc:  # int("①"): a digit that is not a number
        return repr(exc)


def test_extract_of_any_text_equals_the_reference() -> None:
    """Not only matching forms: punctuation, underscores, other scripts' digits."""
    for text in CORPUS:
        lower = text.lower()
        assert _outcome(extract, lower) == _outcome(slow_text.extract, lower), lower


def test_phones_in_text_equal_the_reference() -> None:
    for text in CORPUS:
        assert phones_in_text(text) == slow_text.phones_in_text(text), text


def test_no_lexicon_word_is_a_number() -> None:
    """extract() gives numbers their own path: a number in a lexicon would skip it."""
    assert not [word for word in features._ROLES if word.isdigit()]


@pytest.mark.parametrize(
    "phrase",
    [
        "bagaimana kelanjutannya",
        "tindak lanjut",
        "menindaklanjuti",
        "menyusul",
        "menyambung",
        "masih",
        "belum ada respon",
        "belum diperbaiki juga",
        "sudah lapor",
        "sudah saya kirim",
        "yang kemarin saya sms",
        "saya sudah menulis",
        "datang kembali",
        "update",
        "laporan saya",
    ],
)
def test_every_followup_alternative_is_found(phrase: str) -> None:
    assert extract(f"lampu mati {phrase} ya").followup


@pytest.mark.parametrize(
    "phrase",
    ["sudah menyala", "nyala lagi", "sudah dibersihkan", "terimakasih petugas", "cepat tanggap"],
)
def test_every_resolved_alternative_is_found(phrase: str) -> None:
    assert extract(f"lampu {phrase} ya").resolved
