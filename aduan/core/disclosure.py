"""The privacy rule: what each public surface may show, and to whom. One rule, one module.

The public surfaces are ``/track``, the Open311 API, ``/healthz`` and
``/metrics``. Every one of them asks this module what a viewer may see:

==========================  ==========================  ===============================
field                       a stranger (no key)          a partner, its own requests
==========================  ==========================  ===============================
status, category, agency,   yes                         yes
dates (received, updated,
due)
status notes                masked                      masked
description                 masked, only when the       masked
                            category is public
location (lat/long)         rounded to ~100 m, only     when its config grants
                            when the category is public ``location``
media URL                   only when public            when granted ``media``
address                     never                       when granted ``address``
reporter's name, contacts   never                       never
==========================  ==========================  ===============================

"Masked" is :func:`aduan.core.privacy.mask_text` with the reporter's own known
names (so a name in a signature or anywhere in the text goes too), then the
log redaction (tokens, configured secrets). A category is public when it is
listed in ``[privacy] public_categories`` (default: the public-space ones,
:data:`DEFAULT_PUBLIC_CATEGORIES`); a stranger reads a single complaint only
with its check code (:mod:`aduan.store.references`). ``/healthz`` shows
states, counts and times, and error texts only masked; ``/metrics`` labels
are configured names and status codes, never a value from a request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from aduan.core.logs import scrub
from aduan.core.privacy import mask_text

# Core sits below triage, so the codes are spelled here; aduan.triage.CATEGORIES
# starts with them.
DEFAULT_PUBLIC_CATEGORIES = (
    "roads",
    "street_lighting",
    "drainage_flooding",
    "waste",
    "parks_trees",
    "traffic_parking",
)
"""The routing rules' first six codes, the public-space ones: roads, street lighting,
drainage/flooding, waste, parks/trees, traffic/parking."""
LOCATION_DECIMALS = 3


class PrivacySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    public_categories: list[str] = Field(
        default_factory=lambda: list(DEFAULT_PUBLIC_CATEGORIES),
        description="Categories whose (masked) descriptions and locations strangers may see.",
    )


class Grant(StrEnum):
    """What a partner's config may add to its view of its own requests."""

    location = "location"
    media = "media"
    address = "address"


DEFAULT_GRANTS = (Grant.location, Grant.media)


class Item(StrEnum):
    """The kinds of fields the public surfaces show."""

    status = "status"
    dates = "dates"
    category = "category"
    agency = "agency"
    notes = "notes"
    description = "description"
    location = "location"
    media = "media"
    address = "address"
    reporter = "reporter"


ALWAYS = frozenset({Item.status, Item.dates, Item.category, Item.agency, Item.notes})
PUBLIC_ONLY = frozenset({Item.description, Item.location, Item.media})


@dataclass(frozen=True)
class Viewer:
    """Who asks: a stranger, or a partner (with what its config grants)."""

    partner: str | None = None
    grants: frozenset[str] = frozenset()


STRANGER = Viewer()


@dataclass(frozen=True)
class View:
    """What ``viewer`` may see of one complaint (in ``category``, by a reporter known as
    ``names``), and its text masked."""

    viewer: Viewer
    public: bool
    names: tuple[str, ...] = ()

    def shows(self, item: Item) -> bool:
        if item in ALWAYS:
            return True
        if item is Item.reporter:
            return False
        if self.viewer.partner is None:
            return self.public and item in PUBLIC_ONLY
        return item is Item.description or item.value in self.viewer.grants

    def text(self, value: str | None) -> str | None:
        """``value`` masked: personal data, the reporter's names, tokens."""
        return scrub(mask_text(value, self.names)) if value else value

    def location(self, lat: float | None, lon: float | None) -> tuple[float | None, float | None]:
        if not self.shows(Item.location) or lat is None or lon is None:
            return None, None
        if self.viewer.partner is None:
            return round(lat, LOCATION_DECIMALS), round(lon, LOCATION_DECIMALS)
        return lat, lon

    def keep(self, item: Item, value: Any) -> Any:
        return value if self.shows(item) else None


def view(
    viewer: Viewer, category: str | None, settings: PrivacySettings, names: Iterable[str] = ()
) -> View:
    public = bool(category) and category in settings.public_categories
    return View(viewer, public, tuple(n for n in names if n))


def public_health(snapshot: Mapping[str, Mapping[str, object]]) -> dict[str, dict[str, object]]:
    """The channels' health for ``/healthz``: states, counts, times; error texts masked."""
    out: dict[str, dict[str, object]] = {}
    for key, entry in snapshot.items():
        shown = dict(entry)
        for name, value in entry.items():
            if isinstance(value, str) and "error" in name:
                shown[name] = scrub(mask_text(value))
        out[key] = shown
    return out
