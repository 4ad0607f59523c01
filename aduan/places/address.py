"""RT/RW, street and coordinates as people write them, normalised.

* RT/RW: "RT 03/RW 05", "rt3 rw5", "RT 02/09", "RT.003 RW.005", "rt.09/rw.03",
  "RT/RW 003/005", "RW 06" alone -> zero-padded three digits ("003").
* Street: "Jl."/"Jln"/"Jalan" -> "Jl. X", "Gg."/"Gang" -> "Gg. X". The name
  stops at a comma, a house number ("No. 12"), RT/RW, "Kel."/"Kec." or a
  word that starts the rest of the sentence. "Jalan"/"Gang" written in full
  are read as a street only when the name is capitalised ("jalan rusak" is
  not a street; "Jalan Bangka XI" is), the abbreviations always.
* Coordinates: "📍 -6.23, 106.80", "?q=-6.2,106.8", "@-6.2,106.8,17z".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_NUM = r"0*(\d{1,3})"
_RT_RW = re.compile(
    rf"\brt\s*/\s*rw[\s.:]*{_NUM}\s*/\s*{_NUM}\b"  # RT/RW 003/005
    rf"|\brt[\s.:]*{_NUM}\b(?:\s*/\s*(?:rw[\s.:]*)?{_NUM}\b|[\s,;]*rw[\s.:]*{_NUM}\b)?"
    rf"|\brw[\s.:]*{_NUM}\b",
    re.IGNORECASE,
)
_PREFIX = r"(?P<prefix>jl\b\.?|jln\b\.?|jalan\b|gg\b\.?|gang\b)"
_WORD = r"(?:[A-Za-z]{1,4}\.(?=\s)|[A-Za-z][\w'’-]*|\d+[A-Za-z]?)"
_STREET = re.compile(rf"{_PREFIX}[ \t]*(?P<name>{_WORD}(?:[ \t]+{_WORD}){{0,6}})", re.I)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOP = _words(
    """
    rt rw no nomor kel kelurahan kec kecamatan kota depan dekat belakang samping sebelah
    arah menuju ke di dari dan yang ga gak nggak tidak tdk belum blm sudah sdh udah udh
    sejak sampai smp mati rusak banjir tergenang macet ada sering tiap setiap pak bu
    mohon tolong sekitar persis tepat untuk utk karena krn jadi pada pd tapi tp lagi lg
    juga jg nutup bau numpuk ambles amblas longsor berlubang bolong jebol mampet gelap
    retak roboh tumbang putus menumpuk ambrol licin becek kotor rawan parah dipake
    dipakai tersumbat tergenang kebanjiran rumah sy saya aku kami kita warga itu ini
    sini situ sana tsb tersebut sempit buntu dkt dpn deket blkg sblh tuh nih sih dong deh kok
    yg pertigaan perempatan simpang
    """
)
_TITLES = _words("h hj kh dr drs ir prof moh muh mohd jend kol kapt let st tb hr")
_NOT_A_STREET = _words("penerangan lampu badan bahu rambu marka")  # "Penerangan Jalan Umum"
_HARD_STOP = _words("rt rw no nomor kel kelurahan kec kecamatan kota jl jln gg")
_GENERIC = _words(
    """
    raya besar utama kecil lingkungan umum protokol tol setapak
    """
)
_LOWER_OK = _words(
    """
    raya dalam utara selatan barat timur tengah baru lama ujung
    """
)
_COORDS = re.compile(r"(?<![\d.])(-?\d{1,2}\.(\d+))\s*,\s*(-?\d{1,3}\.(\d+))(?![\d])")
_PIN = ("q=", "@", "ll=", "query=", "\N{ROUND PUSHPIN}", "loc")
_PREFIX_RE = re.compile(r"\s*(jl\b\.?|jln\b\.?|jalan\b|gg\b\.?|gang\b)\s*", re.I)


@dataclass(frozen=True)
class Street:
    display: str  # "Jl. Ampera Raya", "Gg. Langgar"
    start: int  # span in the text it was read from
    end: int
    name_start: int  # where the name begins, after "Jl."

    def cut(self, text: str, at: int) -> Street:
        """The street ending before ``at`` ("Jl. Siaga Raya | Pejaten": a place follows)."""
        name = text[self.name_start : at].strip().rstrip(".,")
        return Street(
            f"{self.display[:3]} {name}", self.start, self.name_start + len(name), self.name_start
        )


def _starts(low: str, heads: tuple[str, ...]) -> list[int]:
    """Where a word in ``low`` starts with one of ``heads`` (str.find is much faster than re)."""
    out = []
    for head in heads:
        i = low.find(head)
        while i != -1:
            if i == 0 or not (low[i - 1].isalnum() or low[i - 1] == "."):
                out.append(i)
            i = low.find(head, i + 1)
    return sorted(out)


def rt_rw(text: str, low: str | None = None) -> tuple[str | None, str | None]:
    """The first RT and RW written in ``text`` (``low``: it lower-cased), zero-padded, or None."""
    rt = rw = None
    for i in _starts(low if low is not None else text.lower(), ("rt", "rw")):
        m = _RT_RW.match(text, i)
        if m is None:
            continue
        g = m.groups()
        found_rt = g[0] or g[2]
        found_rw = g[1] or g[3] or g[4] or g[5]
        if rt is None and found_rt and int(found_rt):
            rt = f"{int(found_rt):03d}"
        if rw is None and found_rw and int(found_rw):
            rw = f"{int(found_rw):03d}"
        if rt and rw:
            break
    return rt, rw


def _name_words(words: list[str]) -> list[str]:
    """The words of a street's name: up to a stop word, or a lower-case word after capitals."""
    kept: list[str] = []
    capitals = words[0][:1].isupper()
    for word in words:
        low = word.lower()
        if (
            word.endswith(".")
            and low[:-1] not in _TITLES
            and not (len(word) == 2 and word[0] not in "IVX")
        ):
            if low[:-1] not in _STOP and low[:-1] not in _HARD_STOP:
                kept.append(word[:-1])  # "Jl. Cipete VIII. Sepanjang ...": the sentence ends
            break
        if low.rstrip(".") in _HARD_STOP or (low[:2] in ("rt", "rw") and low[2:3].isdigit()):
            break
        if low.rstrip(".") in _STOP and not (capitals and word[:1].isupper()):
            break  # "Jl. Mangga Bolong" is a name, "jl mangga bolong" is a hole
        if capitals and kept and word.islower() and low not in _LOWER_OK:
            break  # "Jl. Tebet Timur Dalam VI tersumbat"
        kept.append(word)
    if len(kept) > 1 and kept[-1].isdigit() and kept[-2].lower() == "raya":
        kept.pop()  # "Jl. Kemang Raya 12": a house number
    return kept


def streets(text: str, low: str | None = None) -> Iterator[Street]:
    """Each street or gang named in ``text`` (``low``: it lower-cased), house number left out."""
    pos, low = 0, low if low is not None else text.lower()
    for i in _starts(low, ("jl", "jalan", "gg", "gang")):
        m = _STREET.match(text, i) if i >= pos else None
        if m is None:
            continue
        prefix = m.group("prefix").lower().rstrip(".")
        kept = _name_words(m.group("name").split())
        if not kept or all(w.lower() in _GENERIC for w in kept):
            continue  # "jalan raya": any main road
        if prefix in ("jalan", "gang") and not (kept[0][0].isupper() or kept[0].lower() == "raya"):
            continue
        if prefix == "jalan" and low[max(0, i - 12) : i].split()[-1:] in (
            [w] for w in _NOT_A_STREET
        ):
            continue
        end = m.start("name") + len(" ".join(kept))
        pos = end
        head = "Gg." if prefix.startswith("g") else "Jl."
        yield Street(f"{head} {' '.join(kept).rstrip('.')}", m.start(), end, m.start("name"))


def canonical_street(value: str) -> str:
    """The comparison form of a street as labelled ("Jalan X", "Jl X" -> "jl. x")."""
    m = _PREFIX_RE.match(value)
    rest = value[m.end() :] if m else value
    head = ("gg. " if m.group(1).lower().startswith("g") else "jl. ") if m else ""
    return head + " ".join(rest.lower().replace(".", ". ").split()).rstrip(".")


def coordinates(text: str) -> tuple[float, float] | None:
    """The first latitude, longitude pair written in ``text``."""
    i = text.find(".")
    while i != -1 and not (
        0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()
    ):
        i = text.find(".", i + 1)
    if i == -1 or "," not in text:
        return None
    for m in _COORDS.finditer(text, max(0, i - 4)):
        lat, lon = float(m.group(1)), float(m.group(3))
        pinned = any(p in text[max(0, m.start() - 8) : m.start()] for p in _PIN)
        if not pinned and min(len(m.group(2)), len(m.group(4))) < 2:
            continue
        if -90 <= lat <= 90 and -180 <= lon <= 180 and (lat, lon) != (0.0, 0.0):
            return lat, lon
    return None
