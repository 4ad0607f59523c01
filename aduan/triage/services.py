"""Our categories as Open311 services, with Indonesian names from the routing rules."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    agency: str | None
    keywords: tuple[str, ...]


def services() -> list[Service]:
    from aduan.triage import active

    rules = active().rules
    found = []
    for category in rules.categories.values():
        agency = rules.agencies.get(category.agency or "", category.agency)
        keywords = tuple(term.name.split(":", 1)[-1] for term in category.terms[:5])
        found.append(Service(category.code, category.label, agency, keywords))
    return found


def agency_name(code: str | None) -> str | None:
    """The agency's full name for the code complaints carry (``sudin-bina-marga``)."""
    from aduan.triage import active

    return active().rules.agencies.get(code, code) if code else None


def service_codes() -> list[str]:
    return [service.code for service in services()]


def service(code: str) -> Service | None:
    return next((s for s in services() if s.code == code), None)
