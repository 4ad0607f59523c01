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

import phonenumbers

DEFAULT_REGION = "ID"
_NIK = re.compile(r"^\d{16}$")


@dataclass(frozen=True)
class Phone:
    identity: str
    valid: bool
    """False when the number could not be parsed: the identity then keeps it as written."""


def phone_identity(number: str, region: str = DEFAULT_REGION) -> Phone:
    """``tel:+E164`` for a phone number in any common notation; ``tel-raw:`` when unparsable."""
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


def handle_identity(kind: str, user_id: str | int) -> str:
    """``twitter:``, ``telegram:``, ``facebook:`` and other provider ids."""
    if kind not in {"twitter", "telegram", "facebook", "open311", "walkin"}:
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
