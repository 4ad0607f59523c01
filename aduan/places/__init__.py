"""Places in complaints: kelurahan, kecamatan, RT/RW, street, landmark, coordinates.

A pure function of a complaint's text and its channel's hints (a map pin, a
walk-in form's fields), at the same layer as ``normalize``: it imports only
the standard library, pyahocorasick and ``aduan.errors``. Public surface::

    extract(text, Hints(...)) -> Place       # with the shipped South Jakarta gazetteer
    PlaceExtractor(load_gazetteer(path))     # with a city's own gazetteer

Modules: ``regions`` (DKI's official table), ``gazetteer`` (the city file and
its loader), ``lexicon`` (the automaton), ``address`` (RT/RW, streets,
coordinates), ``extract`` (the rules), ``evaluate`` (``aduan eval places``).
"""

from __future__ import annotations

from aduan.places.extract import Hints, Place, PlaceExtractor, default_extractor, extract
from aduan.places.gazetteer import Gazetteer, Landmark, load_gazetteer

__all__ = [
    "Gazetteer",
    "Hints",
    "Landmark",
    "Place",
    "PlaceExtractor",
    "default_extractor",
    "extract",
    "load_gazetteer",
]
