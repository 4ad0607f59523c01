"""SMS length and timing: segments (GSM-7 / UCS-2), shortening to a part limit, quiet hours.

One SMS carries 160 GSM-7 characters or 70 UCS-2 code units; a concatenated
message loses 7 (GSM-7) or 3 (UCS-2) of them a part to its header, so 153 and
67. A character of the GSM-7 extension table (``^{}\\[~]|€`` and form feed)
takes two septets; one character outside GSM-7 (an emoji, "…", a curly quote)
makes the whole message UCS-2, where a character beyond the BMP takes two units.

:func:`fit` shortens a text that would need more than ``max_parts`` parts at a
word boundary, with an ellipsis, never touching the strings it must keep (the
reference and the tracking link). :func:`after_quiet` moves a message that
would arrive in the quiet hours (21:00–06:00 office time by default) to their end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from aduan.channels.sms.outbound import GSM7_BASIC, GSM7_EXTENSION

_BASIC = frozenset(GSM7_BASIC)
_EXTENSION = frozenset(GSM7_EXTENSION)
SINGLE = {"gsm7": 160, "ucs2": 70}
PART = {"gsm7": 153, "ucs2": 67}


@dataclass(frozen=True, slots=True)
class Segments:
    encoding: str
    """``gsm7`` or ``ucs2``."""
    units: int
    """Septets (GSM-7) or UTF-16 code units (UCS-2)."""
    parts: int


def units(text: str) -> tuple[str, int]:
    """The encoding a text needs and its length in that encoding's units."""
    septets = 0
    for char in text:
        if char in _BASIC:
            septets += 1
        elif char in _EXTENSION:
            septets += 2
        else:
            return "ucs2", len(text.encode("utf-16-le")) // 2
    return "gsm7", septets


def segments(text: str) -> Segments:
    """How many SMS parts ``text`` takes."""
    encoding, count = units(text)
    if count <= SINGLE[encoding]:
        return Segments(encoding, count, 1 if count else 0)
    per = PART[encoding]
    return Segments(encoding, count, -(-count // per))


def _fits(text: str, max_parts: int) -> bool:
    return segments(text).parts <= max_parts


def fit(text: str, max_parts: int, keep: tuple[str, ...] = ()) -> str:
    """``text`` within ``max_parts`` SMS parts: the longest stretch not in ``keep`` is cut
    at a word boundary with an ellipsis (then the next, if it is not enough)."""
    if _fits(text, max_parts):
        return text
    pieces = _split(text, [k for k in keep if k])
    while True:
        free = [i for i, (kept, piece) in enumerate(pieces) if not kept and piece.strip()]
        if not free:
            return "".join(piece for _, piece in pieces)
        target = max(free, key=lambda i: len(pieces[i][1]))
        words = pieces[target][1].split(" ")
        dots = "..." if segments(text).encoding == "gsm7" else "…"
        best = None
        low, high = 0, len(words) - 1
        while low <= high:  # the most words of the stretch that still fit
            middle = (low + high) // 2
            shorter = " ".join(words[:middle]).rstrip(" ,;:.") if middle else ""
            tail = " " if pieces[target][1].endswith(" ") else ""
            trial = f"{shorter}{dots}{tail}" if shorter.strip() else ""
            candidate = [*pieces[:target], (False, trial), *pieces[target + 1 :]]
            if _fits("".join(p for _, p in candidate), max_parts):
                best, low = candidate, middle + 1
            else:
                high = middle - 1
        if best is not None:
            return "".join(piece for _, piece in best)
        pieces[target] = (True, "")  # even empty it is too long: drop it, cut the next


def _split(text: str, keep: list[str]) -> list[tuple[bool, str]]:
    """``text`` as (kept, piece) pieces, the ``keep`` strings their own pieces."""
    pieces: list[tuple[bool, str]] = [(False, text)]
    for needle in keep:
        out: list[tuple[bool, str]] = []
        for kept, piece in pieces:
            if kept or needle not in piece:
                out.append((kept, piece))
                continue
            before, _, after = piece.partition(needle)
            out.extend([(False, before), (True, needle), (False, after)])
        pieces = out
    lines: list[tuple[bool, str]] = []
    for kept, piece in pieces:  # a cut shortens one line, never the line breaks
        if kept:
            lines.append((kept, piece))
            continue
        for index, line in enumerate(piece.split("\n")):
            if index:
                lines.append((True, "\n"))
            lines.append((False, line))
    return [(kept, piece) for kept, piece in lines if piece]


def after_quiet(at: datetime, quiet: tuple[time, time] | None, zone: ZoneInfo) -> datetime | None:
    """The end of the quiet period ``at`` falls in (UTC), or None when it is not quiet."""
    if quiet is None:
        return None
    start, end = quiet
    local = at.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    if start < end:
        inside = start <= clock < end
        day = local.date()
    else:  # across midnight: 21:00-06:00
        inside = clock >= start or clock < end
        day = local.date() + timedelta(days=1) if clock >= start else local.date()
    if not inside:
        return None
    return datetime.combine(day, end, tzinfo=zone).astimezone(UTC)
