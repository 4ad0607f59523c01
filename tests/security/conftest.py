"""Fixtures of the security tests: the Open311 app with its two partners."""

from __future__ import annotations

from tests.open311.conftest import api

__all__ = ["api"]
