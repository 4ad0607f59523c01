"""The place extractor the config asks for (``[places]``), built once per gazetteer.

Loading a gazetteer and building its automaton takes some 15 ms; the
normalizer, ``aduan eval`` and the desk all ask here, so one process builds
each gazetteer once. A bad gazetteer raises :class:`~aduan.core.errors.ConfigError`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from aduan.config.places import PlacesSettings
from aduan.places.extract import PlaceExtractor, default_extractor
from aduan.places.gazetteer import load_gazetteer


@cache
def _extractor(path: Path | None, max_distance_m: float) -> PlaceExtractor:
    if path is None and max_distance_m == 300.0:
        return default_extractor()
    return PlaceExtractor(load_gazetteer(path), max_distance_m=max_distance_m)


def extractor_for(settings: PlacesSettings | None = None) -> PlaceExtractor:
    """The extractor of ``settings`` (None: the defaults, South Jakarta's gazetteer)."""
    settings = settings or PlacesSettings()
    return _extractor(settings.gazetteer, settings.max_distance_m)
