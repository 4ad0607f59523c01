"""``/track``: references cannot be enumerated; anonymous readers are rate-limited per client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from aduan.daemon.app import create_app
from aduan.runtime import Runtime
from aduan.runtime.loader import load_settings
from tests.helpers.complaints import insert_complaint, tracking


def runtime_for(store_url: str, tmp_path: Path, **env: str) -> Runtime:
    settings = load_settings(
        env={"ADUAN_DATABASE_URL": store_url, "ADUAN_DATA_DIR": str(tmp_path / "data"), **env}
    )
    return Runtime.create(settings, logging=False)


@pytest.fixture
def runtime(engine: Engine, store_url: str, tmp_path: Path) -> Iterator[Runtime]:
    runtime = runtime_for(store_url, tmp_path)
    yield runtime
    runtime.close()


def seed(runtime: Runtime, count: int = 100) -> list[str]:
    references = [f"ADU-2026-{300001 + i:06d}" for i in range(count)]
    for reference in references:
        insert_complaint(runtime.engine, reference=reference, category="social_welfare")
    return references


def test_sequential_references_find_nothing(runtime: Runtime) -> None:
    references = seed(runtime)
    with TestClient(create_app(runtime)) as client:
        answers = [client.get(f"/track/{reference}") for reference in references]
    assert not [a for a in answers if a.status_code == 200]
    limited = [a for a in answers if a.status_code == 429]
    assert limited, "no rate limit"
    assert all(int(a.headers["retry-after"]) >= 1 for a in limited)


def test_a_wrong_check_code_is_not_found(runtime: Runtime) -> None:
    (reference,) = seed(runtime, 1)
    with TestClient(create_app(runtime)) as client:
        good = client.get(f"/track/{tracking(runtime, reference)}")
        wrong = client.get(f"/track/{reference}-AAAA")
        missing = client.get("/track/ADU-2026-999999-AAAA")
    assert good.status_code == 200 and "Diteruskan" in good.text
    assert wrong.status_code == missing.status_code == 404
    assert wrong.text.replace(reference, "X") == missing.text.replace("ADU-2026-999999", "X")


def statuses(runtime: Runtime, peer: str, forwarded: str) -> list[int]:
    """60 reads from ``peer``, each claiming another address ``forwarded % i``."""
    with TestClient(create_app(runtime), client=(peer, 1000)) as client:
        return [
            client.get(
                "/track/ADU-2026-000001", headers={"x-forwarded-for": forwarded % i}
            ).status_code
            for i in range(60)
        ]


def test_forwarded_for_is_believed_only_from_trusted_proxies(
    engine: Engine, store_url: str, tmp_path: Path
) -> None:
    untrusted = runtime_for(store_url, tmp_path)
    codes = statuses(untrusted, "203.0.113.9", "10.1.0.%d")
    untrusted.close()
    assert 429 in codes
    trusted = runtime_for(store_url, tmp_path / "t", ADUAN_SERVER__TRUSTED_PROXIES='["10.0.0.1"]')
    codes = statuses(trusted, "10.0.0.1", "198.51.100.%d")
    trusted.close()
    assert 429 not in codes
