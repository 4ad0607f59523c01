"""The channel registry: one entry per adapter, each with its own identity prefix."""

from __future__ import annotations

import pytest

from aduan.channels.registry import CHANNELS, IDENTITY_PREFIXES, REGISTRY
from aduan.core.identity import RESERVED_PREFIXES, handle_identity


def test_every_adapter_is_listed_once_under_its_type() -> None:
    assert len({channel.type for channel in CHANNELS}) == len(CHANNELS)
    for channel in CHANNELS:
        assert REGISTRY[channel.type] is channel


def test_identity_prefixes_are_the_adapters_own() -> None:
    kinds = {"twitter", "telegram", "facebook", "instagram", "open311", "walkin"}
    assert kinds == IDENTITY_PREFIXES
    assert not IDENTITY_PREFIXES & RESERVED_PREFIXES
    for prefix in IDENTITY_PREFIXES:
        assert handle_identity(prefix, 42) == f"{prefix}:42"


@pytest.mark.parametrize("kind", ["tel", "mailto", "nik", "Twitter", "", "x:y"])
def test_reserved_or_malformed_prefixes_are_refused(kind: str) -> None:
    with pytest.raises(ValueError, match="unknown identity kind"):
        handle_identity(kind, 1)
