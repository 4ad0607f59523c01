"""The ``[places]`` settings section: the city gazetteer and the distances of places.

::

    [places]
    gazetteer = "/etc/aduan/gazetteer.toml"   # default: South Jakarta's, shipped with aduan
    max_distance_m = 300                      # a map pin -> the nearest gazetteer place's kelurahan
    incident_distance_m = 250                 # two reports this close are at one place

The gazetteer's format is in the README (Places). A bad file stops start-up
with one line per problem.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class PlacesSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    gazetteer: Path | None = Field(
        None, description="The city gazetteer (TOML); None: South Jakarta's, shipped."
    )
    max_distance_m: float = Field(
        300.0, gt=0, description="A map pin lies in the nearest gazetteer place's kelurahan within."
    )
    incident_distance_m: float = Field(
        250.0, gt=0, description="Two reports with coordinates this close are at one place."
    )
    conflict_distance_m: float = Field(
        1000.0, gt=0, description="Two reports with coordinates farther apart are two places."
    )
