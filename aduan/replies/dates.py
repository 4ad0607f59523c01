"""Dates as citizens read them: ``5 Mar 2026 10:00 WIB`` in the office's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
ZONES = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA"}


def wib(value: datetime | None, zone: ZoneInfo) -> str | None:
    """``value`` in the office's zone, Indonesian month, with WIB/WITA/WIT."""
    if value is None:
        return None
    local = value.astimezone(zone)
    label = ZONES.get(zone.key, "WIT" if zone.key == "Asia/Jayapura" else zone.key)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year} {local:%H:%M} {label}"
