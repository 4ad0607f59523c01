"""The privacy rule's default public categories are triage's public-space codes."""

from __future__ import annotations

from aduan.core.disclosure import DEFAULT_PUBLIC_CATEGORIES, PrivacySettings
from aduan.triage import CATEGORIES


def test_default_public_categories_are_the_first_six_triage_codes() -> None:
    assert CATEGORIES[:6] == DEFAULT_PUBLIC_CATEGORIES
    assert PrivacySettings().public_categories == list(CATEGORIES[:6])
