"""Codes as the desk's pages show them: channels, categories and agencies in Indonesian.

The store keeps codes (``drainage_flooding``, ``sudin-sda``, ``walkin``) for
analysts; every page shows these labels instead, from the routing rules in force.
"""

from __future__ import annotations

from aduan.triage.services import agency_name, service

CHANNELS = {
    "email": "Email",
    "sms": "SMS",
    "telegram": "Telegram",
    "twitter": "X/Twitter",
    "facebook": "Facebook",
    "walkin": "Loket",
    "rss": "Media berita",
    "open311": "Mitra (Open311)",
    "whatsapp": "WhatsApp",
    "instagram": "Instagram",
}


def channel_name(code: str) -> str:
    return CHANNELS.get(code, code)


def category_name(code: str | None) -> str | None:
    found = service(code) if code else None
    return found.name if found else code


def agency_label(code: str | None) -> str | None:
    """An agency's name without the city's part: "Suku Dinas Sumber Daya Air"."""
    name = agency_name(code)
    if name is None:
        return None
    return name.split(" Kota Administrasi ")[0]
