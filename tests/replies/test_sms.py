"""SMS segments (GSM-7 with its extension table, UCS-2), shortening to a part limit, quiet hours."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from aduan.config.replies import RepliesSettings, parse_quiet
from aduan.replies.sms import after_quiet, fit, segments

JAKARTA = ZoneInfo("Asia/Jakarta")


@pytest.mark.parametrize(
    ("label", "text", "encoding", "units", "parts"),
    [
        ("empty", "", "gsm7", 0, 0),
        ("one full GSM-7 part", "a" * 160, "gsm7", 160, 1),
        ("one more: two parts of 153", "a" * 161, "gsm7", 161, 2),
        ("two full concatenated parts", "a" * 306, "gsm7", 306, 2),
        ("one past two parts", "a" * 307, "gsm7", 307, 3),
        ("GSM-7 accents stay GSM-7", "é" * 160, "gsm7", 160, 1),
        ("extension table counts double", "€" * 80, "gsm7", 160, 1),
        ("extension table past one part", "€" * 80 + "a", "gsm7", 161, 2),
        ("brackets and braces are extension", "[]{}~^|\\", "gsm7", 16, 1),
        ("a non-GSM letter makes UCS-2", "x" * 69 + "ê", "ucs2", 70, 1),
        ("UCS-2 past one part: 67 each", "x" * 70 + "ê", "ucs2", 71, 2),
        ("two full UCS-2 parts", "x" * 133 + "ê", "ucs2", 134, 2),
        ("one past two UCS-2 parts", "x" * 134 + "ê", "ucs2", 135, 3),
        ("an emoji takes two UTF-16 units", "Halo 😀", "ucs2", 7, 1),
        ("the ellipsis character is not GSM-7", "Halo…", "ucs2", 5, 1),
    ],
)
def test_segments(label: str, text: str, encoding: str, units: int, parts: int) -> None:
    found = segments(text)
    assert (found.encoding, found.units, found.parts) == (encoding, units, parts), label


LINK = "https://aduan.example.go.id/track/ADU-2026-000123-K7QF"
NOTE = " ".join(f"kata{i}" for i in range(200))


def test_a_text_within_the_limit_is_left_alone() -> None:
    text = f"Aduan ADU-2026-000123 selesai.\nPantau: {LINK}"
    assert fit(text, 1, (LINK,)) == text


@pytest.mark.parametrize("max_parts", [1, 2, 3])
def test_a_long_note_is_cut_at_a_word_with_the_reference_and_link_kept(max_parts: int) -> None:
    text = f"Aduan ADU-2026-000123 selesai ditangani. Catatan: {NOTE}\nPantau: {LINK}"
    short = fit(text, max_parts, (LINK, "ADU-2026-000123"))
    assert segments(short).parts <= max_parts
    assert segments(short).encoding == "gsm7"  # the ellipsis is three dots in a GSM-7 text
    assert short.endswith(f"...\nPantau: {LINK}")
    assert "ADU-2026-000123" in short
    cut = short.split("Catatan: ", 1)[1].split("...", 1)[0].split(" ")
    assert cut == NOTE.split(" ")[: len(cut)]  # whole words, in order
    longer = fit(text, max_parts + 1, (LINK, "ADU-2026-000123"))
    assert len(longer) > len(short)  # as much as fits is kept


def test_a_ucs2_text_is_cut_with_one_ellipsis_character() -> None:
    text = f"Aduan ADU-2026-000123 😀 {NOTE}\nPantau: {LINK}"
    short = fit(text, 2, (LINK,))
    assert segments(short).parts <= 2
    assert "…\nPantau: " + LINK in short


def test_when_only_the_kept_strings_are_left_they_stay_whole() -> None:
    text = f"{NOTE}\n{LINK}"
    assert fit(text, 1, (LINK,)).endswith(LINK)
    assert LINK in fit(LINK * 5, 1, (LINK,))


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        ((2026, 3, 2, 22, 30), (2026, 3, 3, 6, 0)),  # evening: the next morning
        ((2026, 3, 2, 21, 0), (2026, 3, 3, 6, 0)),  # the quiet hours start at 21:00 sharp
        ((2026, 3, 3, 3, 15), (2026, 3, 3, 6, 0)),  # small hours: this morning
        ((2026, 3, 2, 12, 0), None),  # daytime: at once
        ((2026, 3, 3, 6, 0), None),  # 06:00 is no longer quiet
    ],
)
def test_quiet_hours_hold_an_sms_until_they_end(
    local: tuple[int, ...], expected: tuple[int, ...] | None
) -> None:
    at = datetime(*local, tzinfo=JAKARTA).astimezone(UTC)
    until = after_quiet(at, parse_quiet("21:00-06:00"), JAKARTA)
    assert until == (datetime(*expected, tzinfo=JAKARTA) if expected else None)
    if until is not None:
        assert until.tzinfo == UTC


def test_quiet_hours_within_a_day_and_none() -> None:
    quiet = parse_quiet("13:00-14:00")
    inside = datetime(2026, 3, 2, 13, 30, tzinfo=JAKARTA)
    assert after_quiet(inside, quiet, JAKARTA) == datetime(2026, 3, 2, 14, 0, tzinfo=JAKARTA)
    assert after_quiet(datetime(2026, 3, 2, 22, 0, tzinfo=JAKARTA), quiet, JAKARTA) is None
    assert after_quiet(inside, parse_quiet(""), JAKARTA) is None


@pytest.mark.parametrize("bad", ["21-06", "21:00", "25:00-06:00", "06:00-06:00"])
def test_bad_quiet_hours_are_refused_in_the_config(bad: str) -> None:
    with pytest.raises(ValidationError, match="quiet"):
        RepliesSettings.model_validate({"sms": {"quiet_hours": bad}})
