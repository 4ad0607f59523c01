"""Where the channel tests read the registry of channels, and find each channel's tables.

The list of channels comes from the application's registry only (switch the
import below when the registry moves). Each registered ``<type>`` keeps its
tests under ``tests/channels/<type>/``: ``cases.py`` (the payload table:
``HARNESS``, ``CASES``) and ``contract_case.py`` (``make_case``).
"""

from __future__ import annotations

import importlib
from types import ModuleType

from aduan.channels.base import Channel
from aduan.channels.registry import REGISTRY


def registered() -> list[str]:
    """Every registered channel type, sorted."""
    return sorted(REGISTRY)


def channel_tests(kind: str, module: str) -> ModuleType | None:
    """``tests.channels.<kind>.<module>``, or None when the channel has none."""
    name = f"tests.channels.{kind}.{module}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and name.startswith(exc.name):
            return None
        raise


def channel_class(kind: str) -> type[Channel]:
    """The registered class of a channel type."""
    return REGISTRY[kind]
