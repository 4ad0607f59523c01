"""Masking personal data in complaint text before it leaves the store.

:func:`mask_text` replaces, in free text citizens wrote:

* e-mail addresses -> ``<email>``;
* NIK (16 digits, also written in groups like ``3174 0512 0390 0001`` after
  "NIK"/"KTP") -> ``<nik>``; any other run of exactly 16 digits is masked too;
* phone numbers -> ``<phone>``, found by ``phonenumbers.PhoneNumberMatcher``
  with region ID (``0812-0001-2345``, ``+62 812 0001 2345``, ``(021) 7654321``,
  ``62812...``) at leniency VALID (POSSIBLE also takes postcodes and
  amounts), plus what it may reject but a person would still dial: a run of
  9-15 digits starting with ``0`` or ``62`` and a mobile number in groups;
* names after markers: ``Nama: ...``, ``nama saya ...``, ``bernama ...``,
  ``Saya, <Name>,`` or ``Saya <Name>,`` (capitalised words then a comma),
  ``a.n. ...``/``atas nama ...``, and a signature: the capitalised words on
  the line(s) after ``Terima kasih,``, ``Hormat saya,``, ``Salam,``, ``Wassalam,``
  -> ``<name>``;
* names the store already knows for this reporter (``known_names``), wherever
  they appear.

Limits (documented in the README): a name written without any marker ("pak
Budi di RT 05 bilang ...") or in lower case after an inline marker ("nama
saya budi") is not found; street addresses are not masked in
the text (``complaints.address`` is left out of exports instead); numbers in
unusual notations (letters for digits, spaces inside a 4-digit group) may
survive. Masking errs towards hiding: a 16-digit account number is masked as
a NIK.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import phonenumbers

PHONE = "<phone>"
EMAIL = "<email>"
NIK = "<nik>"
NAME = "<name>"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NIK_LABELLED = re.compile(
    r"(?i)\b(NIK|KTP|no\.?\s*KTP|nomor\s+KTP)(\s*[:.=-]?\s*)((?:\d[\s.-]?){15}\d)(?!\d)"
)
_NIK = re.compile(r"(?<!\d)\d{16}(?!\d)")
# What the matcher may reject as invalid but a person would still dial: a run of
# digits, or a mobile number in groups (08xx-xxxx-xxxx, +62 8xx xxxx xxxx).
_DIGITS_PHONE = re.compile(
    r"(?<![\w<])(?:(?:\+?62|0)\d{8,13}|(?:\+62[\s.-]?|0)8\d{2}(?:[\s.-]?\d{3,4}){2})(?!\d)"
)

# A name: one to four words, each capitalised or an initial ("Budi", "S.", "Siti Nur-Aisyah").
_WORD = r"[A-Z][\w'.-]*"
_NAME = rf"{_WORD}(?:[ \t]+{_WORD}){{0,3}}"
# "Nama: ..." as in a form: the rest of the field, whatever its case.
_NAME_FIELD = re.compile(
    r"(?im)(\bnama(?:\s+saya|\s+lengkap|\s+pelapor)?\s*[:=]\s*)([^\n,;()<>]{1,60}?)"
    r"(?=\s*(?:[,;()\n]|$|\.\s|\.$))"
)
# "nama saya Budi Santoso dari ...": capitalised words after an inline marker.
_NAME_INLINE = re.compile(
    rf"((?i:\b(?:nama\s+saya(?:\s+adalah)?|bernama|atas\s+nama|a\.\s?n\.))\s*)({_NAME})"
)
_SAYA = re.compile(rf"(\bSaya\s*,?\s+)({_NAME})(?=\s*,)")
_SIGNATURE = re.compile(
    rf"(?im)((?:terima\s*kasih|terimakasih|hormat\s+saya|salam|wassalam|regards)"
    rf"[ \t]*[,.!]?[ \t]*\n+[ \t]*)({_NAME})[ \t]*$"
)


_DIGIT = re.compile(r"\d")
_SIGN_OFF = re.compile(r"(?i)terima\s*kasih|hormat|salam|regards")


# No Indonesian number has fewer than 7 digits: without such a run, skip the matcher.
_PHONE_HINT = re.compile(r"\d(?:[\s().-]{0,2}\d){6,}")


def _mask_phones(text: str) -> str:
    if not _PHONE_HINT.search(text):
        return text
    out, last = [], 0
    matcher = phonenumbers.PhoneNumberMatcher(text, "ID", leniency=phonenumbers.Leniency.VALID)
    for match in matcher:
        out += [text[last : match.start], PHONE]
        last = match.end
    text = "".join(out) + text[last:] if out else text
    return _DIGITS_PHONE.sub(PHONE, text)


def _mask_known(text: str, names: Iterable[str]) -> str:
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 3}, key=len)[::-1]:
        text = re.sub(rf"(?i)(?<!\w){re.escape(name)}(?!\w)", NAME, text)
    return text


def mask_text(text: str, known_names: Iterable[str] = ()) -> str:
    """``text`` with e-mail addresses, NIK, phone numbers and marked names replaced."""
    if not text:
        return text
    # Cheap tests first: most complaints have no '@', few digits, no sign-off.
    if "@" in text:
        text = _EMAIL.sub(EMAIL, text)
    if _DIGIT.search(text):
        text = _NIK_LABELLED.sub(lambda m: m.group(1) + m.group(2) + NIK, text)
        text = _NIK.sub(NIK, text)
        text = _mask_phones(text)
    text = _mask_known(text, known_names)
    lowered = text.lower()
    if "nama" in lowered or "a.n" in lowered or "a. n" in lowered:
        text = _NAME_FIELD.sub(lambda m: m.group(1) + NAME, text)
        text = _NAME_INLINE.sub(lambda m: m.group(1) + NAME, text)
    if "Saya" in text:
        text = _SAYA.sub(lambda m: m.group(1) + NAME, text)
    if "\n" in text and _SIGN_OFF.search(text):
        text = _SIGNATURE.sub(lambda m: m.group(1) + NAME, text)
    return text


def mask_optional(text: str | None, known_names: Iterable[str] = ()) -> str | None:
    return None if text is None else mask_text(text, known_names)


def mask_identity(identity: str) -> str:
    """A reporter identity fit for a log line or an operator's listing: its kind and its
    last four characters (``tel:+6281200012345`` -> ``tel:…2345``); an e-mail keeps its
    first letter and its domain."""
    kind, _, value = identity.partition(":")
    if kind == "mailto" and "@" in value:
        local, _, domain = value.partition("@")
        return f"mailto:{local[:1]}…@{domain}"
    return f"{kind}:…{value[-4:]}" if len(value) > 4 else f"{kind}:…"


def show_identity(identity: str) -> str:
    """A reporter's identity as a clerk's page shows it: enough to recognise, not to copy.

    ``tel:+6281200012345`` -> ``tel:+62812•••••345``; ``mailto:budi@example.com`` ->
    ``mailto:b•••@example.com``; ``nik:<hash>`` -> ``nik:(tersandi)``; a handle keeps
    its first two and last two characters.
    """
    scheme, _, value = identity.partition(":")
    if not value:
        return "•••"
    if scheme == "nik":
        return "nik:(tersandi)"
    if scheme == "mailto":
        user, _, domain = value.partition("@")
        return f"mailto:{user[:1]}•••@{domain}"
    if scheme == "tel":
        keep = value[:6] if value.startswith("+") else value[:5]
        return f"tel:{keep}{'•' * max(1, len(value) - len(keep) - 3)}{value[-3:]}"
    if len(value) <= 4:
        return f"{scheme}:•••"
    return f"{scheme}:{value[:2]}•••{value[-2:]}"
