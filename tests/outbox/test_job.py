"""The daemon's outbox job and its settings: built from the configured channel instances."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from aduan.channels.registry import REPLYING, repliers_for
from aduan.core.errors import ConfigError
from aduan.daemon.jobs import PERIODIC_JOBS
from aduan.daemon.outbox_job import OutboxJob
from aduan.runtime import Runtime, build_channels
from aduan.runtime.loader import load_settings
from aduan.store import outbox as ob
from tests.channels.local_http import serve
from tests.outbox.helpers import CHANNEL, CountingTwilio, twilio_config
from tests.outbox.test_send import put


def runtime_for(engine: Engine, base: str, tmp_path: Path, **outbox: object) -> Runtime:
    settings = load_settings(
        env={},
        data_dir=tmp_path,
        outbox=outbox,
        channels={"sms": {"twilio": twilio_config(base)}, "walkin": {"desk": {}}},
    )
    return Runtime(settings, engine, build_channels(settings))


def test_the_outbox_job_is_registered_on_its_cadence(engine: Engine, tmp_path: Path) -> None:
    (job,) = [job for job in PERIODIC_JOBS if job.name == "outbox"]
    runtime = runtime_for(engine, "http://127.0.0.1:9", tmp_path, cadence_seconds=7)
    assert job.seconds(runtime) == 7
    assert not job.singleton


def test_the_job_sends_through_the_configured_instance(engine: Engine, tmp_path: Path) -> None:
    put(engine, 2)
    fake = CountingTwilio()
    job = OutboxJob()
    with serve(fake) as base:
        runtime = runtime_for(engine, base, tmp_path)
        assert set(repliers_for(runtime.channels)) == {CHANNEL}  # walk-in cannot answer
        assert job(runtime, lambda: False) == 2
        assert job.sender(runtime) is job.sender(runtime)  # buckets kept between runs
        runtime.close()
    assert len(fake.accepted) == 2
    assert {r.status for r in ob.list_rows(engine)} == {"sent"}


def test_a_disabled_outbox_sends_nothing(engine: Engine, tmp_path: Path) -> None:
    put(engine, 1)
    runtime = runtime_for(engine, "http://127.0.0.1:9", tmp_path, enabled=False)
    assert OutboxJob()(runtime, lambda: False) == 0
    assert {r.status for r in ob.list_rows(engine)} == {"queued"}


def test_sms_instances_answer_through_themselves() -> None:
    assert "sms" in REPLYING


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"batch": 0}, "outbox.batch: Input should be greater than or equal to 1"),
        ({"cadence_seconds": -1}, "outbox.cadence_seconds: Input should be greater than 0"),
        ({"rates": {"kannel": 2}}, "outbox.rates: Value error, 'kannel': name a channel"),
        ({"rates": {"sms/kannel": 0}}, "outbox.rates: Value error, 'sms/kannel': the rate"),
        ({"backoff_base_seconds": 60, "backoff_max_seconds": 30}, "outbox: Value error"),
        ({"speed": 3}, "outbox.speed: unknown key"),
    ],
)
def test_bad_outbox_settings_stop_start_up(
    tmp_path: Path, values: dict[str, object], expected: str
) -> None:
    config = tmp_path / "aduan.toml"
    lines = ["[outbox]"]
    for key, value in values.items():
        if isinstance(value, dict):
            continue
        lines.append(f"{key} = {value}")
    for key, value in values.items():
        if isinstance(value, dict):
            lines.append(f"[outbox.{key}]")
            lines += [f'"{k}" = {v}' for k, v in value.items()]
    config.write_text("\n".join(lines) + "\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(config, env={})
    assert any(p.startswith(f"{config}: {expected}") for p in caught.value.problems), (
        caught.value.problems
    )


def test_the_running_daemon_sends_on_its_cadence(engine: Engine, tmp_path: Path) -> None:
    from aduan.daemon.scheduler import Daemon
    from tests.helpers.daemons import wait_until

    put(engine, 3)
    fake = CountingTwilio()
    with serve(fake) as base:
        runtime = runtime_for(engine, base, tmp_path, cadence_seconds=0.2)
        daemon = Daemon(runtime)
        daemon.start()
        try:
            wait_until(lambda: len(fake.accepted) == 3, 30, what="three messages sent")
        finally:
            daemon.stop(5)
            runtime.close()
    assert wait_until(lambda: {r.status for r in ob.list_rows(engine)} == {"sent"}, 10)
