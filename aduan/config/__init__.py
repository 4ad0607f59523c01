"""Configuration: the settings model and its loader (see :mod:`aduan.config.loader`)."""

from aduan.config.loader import load_settings
from aduan.config.settings import Settings

__all__ = ["Settings", "load_settings"]
