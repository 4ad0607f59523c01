"""The desk's office list and the official names its form offers.

Complaints are received in person at kecamatan and kelurahan offices (on
weekdays and Saturday 08:00-11:00). The list comes from ``[[desk.offices]]``
in the config; without one, each kecamatan of the gazetteer's city gets its
office with the default hours. The kelurahan and kecamatan names offered to
the clerk are the official ones (:mod:`aduan.places.regions`), so a form's
fields land in the complaint's columns as typed.
"""

from __future__ import annotations

from dataclasses import dataclass

from aduan.config.desk import SATURDAY_SERVICE, DeskOffice
from aduan.config.places import PlacesSettings
from aduan.places.configured import extractor_for


@dataclass(frozen=True)
class Names:
    """The city's official kecamatan and kelurahan names, in code order."""

    kecamatan: tuple[str, ...]
    kelurahan: tuple[str, ...]


def official_names(places: PlacesSettings | None = None) -> Names:
    regions = extractor_for(places).regions
    kec = sorted(regions.kecamatan.values(), key=lambda r: r.code)
    kel = sorted(regions.kelurahan.values(), key=lambda r: r.code)
    return Names(tuple(r.name for r in kec), tuple(r.name for r in kel))


def office_list(
    configured: list[DeskOffice], places: PlacesSettings | None = None
) -> list[DeskOffice]:
    """The configured offices, or one per kecamatan of the city."""
    if configured:
        return list(configured)
    return [
        DeskOffice(name=f"Kantor Kecamatan {name}", kecamatan=name, hours=SATURDAY_SERVICE)
        for name in official_names(places).kecamatan
    ]
