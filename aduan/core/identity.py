"""Reporter identities as prefixed strings, built here and nowhere else.

``tel:+628111272206``, ``mailto:warga@example.com``, ``telegram:3527065``,
``twitter:12345``, ``facebook:<psid>``, ``nik:<keyed hash>``. Phone numbers
become E.164 with ``phonenumbers`` and the default region ID: ``0811-1272-206``,
``62811...``, ``+62 811 ...`` and ``(021) ...`` all give ``tel:+62...``. A number
that cannot be parsed is kept as written under ``tel-raw:`` and flagged,
never dropped. A NIK (16-digit national ID) is never stored: only a keyed
hash (HMAC-SHA256 with the store's key) that can be matched but not read back.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

DEFAULT_REGION = "ID"
_NIK = re.compile(r"^\d{16}$")


@dataclass(frozen=True)
class Phone:
    identity: str
    valid: bool
    """False when the number could not be parsed: the identity then keeps it as written."""


@lru_cache(maxsize=65_536)
def phone_identity(number: str, region: str = DEFAULT_REGION) -> Phone:
    """``tel:+E164`` for a phone number in any common notation; ``tel-raw:`` when unparsable.
    Cached: a desk hears the same numbers again and again, and parsing costs ~20 µs."""
    written = number.strip()
    candidate = written
    digits = re.sub(r"\D", "", written)
    if not written.startswith("+") and digits.startswith("62") and len(digits) >= 10:
        candidate = "+" + digits
    try:
        parsed = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        return Phone(f"tel-raw:{written}", valid=False)
    if not phonenumbers.is_possible_number(parsed):
        return Phone(f"tel-raw:{written}", valid=False)
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return Phone(f"tel:{e164}", valid=True)


def email_identity(address: str) -> str:
    """``mailto:`` with the address lower-cased (local parts are case-blind in practice)."""
    return "mailto:" + address.strip().strip("<>").lower()


_HANDLE_KIND = re.compile(r"^[a-z][a-z0-9]*$")
RESERVED_PREFIXES = frozenset({"tel", "tel-raw", "mailto", "nik"})
"""Prefixes built here from what they identify, never a provider's id."""


def handle_identity(kind: str, user_id: str | int) -> str:
    """``twitter:``, ``telegram:``, ``facebook:`` and other provider ids.

    ``kind`` is the channel's ``identity_prefix`` (the channel registry lists them);
    here only its shape is checked, and that it is none of the reserved prefixes."""
    if not _HANDLE_KIND.match(kind) or kind in RESERVED_PREFIXES:
        raise ValueError(f"unknown identity kind {kind!r}")
    return f"{kind}:{user_id}"


def valid_nik(nik: str) -> bool:
    """Sixteen digits with a plausible birth date (day 1-31, or 41-71 for women; month 1-12)."""
    if not _NIK.match(nik):
        return False
    day, month = int(nik[6:8]), int(nik[8:10])
    return (1 <= day <= 31 or 41 <= day <= 71) and 1 <= month <= 12


def nik_identity(nik: str, key: bytes) -> str:
    """``nik:<keyed hash>``: matchable, never readable."""
    digest = hmac.new(key, nik.strip().encode(), hashlib.sha256).hexdigest()
    return f"nik:{digest[:32]}"


# --- identities a text proves ---------------------------------------

_PHONE_IN_TEXT = re.compile(r"(?<![\d+])(?:\+62|62|0)8\d(?:[ .-]?\d){6,11}(?!\d)")
_PHONE_HINT = re.compile(r"8\d")  # in every number above; a fast scan for one literal


def phones_in_text(text: str) -> list[str]:
    """``tel:`` identities of the Indonesian mobile numbers written in a text.

    A number the sender writes in an email signature, an SMS or a post ("bisa
    WA saya di 0812...") proves that number belongs to the same person.
    """
    found: list[str] = []
    if not _PHONE_HINT.search(text):
        return found
    for match in _PHONE_IN_TEXT.finditer(text):
        phone = phone_identity(match.group(0))
        if phone.valid and phone.identity not in found:
            found.append(phone.identity)
    return found


def reporter_key(reporter_id: int) -> str:
    """The pseudonym analysts see for a reporter: derived from nothing personal.

    A hash of the identity would not do: phone numbers are few enough to hash them
    all and read the pseudonym back."""
    return f"R{reporter_id:08d}"
