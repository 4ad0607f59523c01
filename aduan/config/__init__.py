"""Configuration models: the aggregate :class:`Settings` and the sections of each part.

Loading them (files, environment, the channels' own models) is
:mod:`aduan.runtime.loader`: the channels' config models live with the channels,
a layer above this one.
"""

from aduan.config.settings import Settings

__all__ = ["Settings"]
