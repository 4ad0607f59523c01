"""The NIK hash key: configured, or generated once per store and shared."""

from __future__ import annotations

from pydantic import SecretStr
from sqlalchemy import Engine

from aduan.store.keys import nik_hash_key


def test_generated_once_and_stable(engine: Engine) -> None:
    first = nik_hash_key(engine)
    assert len(first) == 64
    assert nik_hash_key(engine) == first


def test_configured_key_wins(engine: Engine) -> None:
    assert nik_hash_key(engine, SecretStr("from-secrets")) == b"from-secrets"
