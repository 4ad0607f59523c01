"""Configuration: zero config, file, environment, secrets, and every kind of bad config."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from aduan.core.errors import ConfigError
from aduan.runtime.loader import load_settings


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def problems(**kwargs: object) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_settings(**kwargs)  # type: ignore[arg-type]
    return caught.value.problems


def test_zero_config_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(env={})
    assert settings.database_url == "sqlite:///aduan.db"
    assert (settings.server.host, settings.server.port) == ("127.0.0.1", 8080)
    assert settings.channels == {}


def test_file_then_environment(tmp_path: Path) -> None:
    config = write(tmp_path / "a.toml", 'database_url = "sqlite:///x.db"\n[server]\nport = 9000\n')
    settings = load_settings(config, env={"ADUAN_SERVER__PORT": "9100"})
    assert settings.database_url == "sqlite:///x.db"
    assert settings.server.port == 9100


def test_aduan_config_env_and_default_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "aduan.toml", "[server]\nport = 9001\n")
    assert load_settings(env={}).server.port == 9001
    other = write(tmp_path / "other.toml", "[server]\nport = 9002\n")
    assert load_settings(env={"ADUAN_CONFIG": str(other)}).server.port == 9002


def test_unknown_key_names_file_and_key(tmp_path: Path) -> None:
    config = write(tmp_path / "a.toml", "[server]\nprot = 1\n")
    assert problems(path=config, env={}) == [f"{config}: server.prot: unknown key"]


def test_wrong_type_and_unknown_env_all_reported(tmp_path: Path) -> None:
    config = write(tmp_path / "a.toml", '[server]\nport = "eighty"\n[log]\nlevel = "LOUD"\n')
    found = problems(path=config, env={"ADUAN_DATABSE_URL": "x"})
    assert len(found) == 3
    assert any(p.startswith(f"{config}: server.port: ") for p in found)
    assert any(p.startswith(f"{config}: log.level: ") for p in found)
    assert "environment ADUAN_DATABSE_URL: databse_url: unknown key" in found


def test_unreadable_and_invalid_files(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    assert problems(path=missing, env={})[0].startswith(f"{missing}: cannot read the file")
    broken = write(tmp_path / "broken.toml", "[server\n")
    assert problems(path=broken, env={})[0].startswith(f"{broken}: not valid TOML")


@pytest.mark.usefixtures("test_channels_registered")
def test_several_instances_and_secrets_from_env(tmp_path: Path) -> None:
    config = write(
        tmp_path / "a.toml",
        "[channels.testlist.north]\ncadence_seconds = 30\n[channels.testlist.south]\n",
    )
    env = {
        "ADUAN_CHANNELS__TESTLIST__NORTH__TOKEN": "n-token",
        "ADUAN_CHANNELS__TESTLIST__SOUTH__TOKEN": "s-token",
    }
    settings = load_settings(config, env=env)
    assert set(settings.channels["testlist"]) == {"north", "south"}


@pytest.mark.usefixtures("test_channels_registered")
def test_secrets_file(tmp_path: Path) -> None:
    config = write(tmp_path / "a.toml", "[channels.testlist.north]\n")
    secrets = write(tmp_path / "secrets.toml", '[channels.testlist.north]\ntoken = "t"\n')
    settings = load_settings(config, env={"ADUAN_SECRETS_FILE": str(secrets)})
    assert settings.channels["testlist"]["north"]["token"] == "t"


@pytest.mark.usefixtures("test_channels_registered")
def test_secret_in_config_file_is_refused(tmp_path: Path) -> None:
    config = write(tmp_path / "a.toml", '[channels.testlist.north]\ntoken = "leak"\n')
    found = problems(path=config, env={})
    assert found == [
        f"{config}: channels.testlist.north.token: secrets may not be in the config file; "
        "set ADUAN_CHANNELS__TESTLIST__NORTH__TOKEN or put it in the secrets file"
    ]


@pytest.mark.usefixtures("test_channels_registered")
def test_missing_secret_for_enabled_channel_only(tmp_path: Path) -> None:
    config = write(
        tmp_path / "a.toml",
        "[channels.testlist.north]\n[channels.testlist.off]\nenabled = false\n",
    )
    found = problems(path=config, env={})
    assert len(found) == 1
    assert found[0].startswith(f"{config}: channels.testlist.north.token: missing secret")


def test_unknown_channel_type(tmp_path: Path) -> None:
    config = write(tmp_path / "a.toml", "[channels.pigeon.roof]\n")
    assert problems(path=config, env={})[0].startswith(
        f"{config}: channels.pigeon: unknown channel type"
    )


def test_bad_config_stops_cli_with_exit_2_and_no_traceback(tmp_path: Path) -> None:
    config = write(tmp_path / "a.toml", "[server]\nport = 0\nbogus = 1\n")
    result = subprocess.run(
        [sys.executable, "-m", "aduan", "db", "current", "--config", str(config)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert all(line.startswith(f"aduan: config: {config}: server.") for line in lines)
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "aduan.db").exists()


def test_a_bad_gazetteer_stops_start_up_naming_the_place(tmp_path: Path) -> None:
    gazetteer = write(
        tmp_path / "gazetteer.toml",
        '[gazetteer]\ncity = "31.74"\n\n[[place]]\nname = "Taman X"\nkind = "park"\n'
        'kelurahan = "Bangka"\nkecamatan = "Tebet"\nlat = -6.25\nlon = 106.82\n',
    )
    config = write(tmp_path / "a.toml", f'[places]\ngazetteer = "{gazetteer}"\n')
    (problem,) = problems(path=config, env={})
    assert "gazetteer.toml" in problem and "kecamatan" in problem
    settings = load_settings(path=write(tmp_path / "b.toml", "[places]\n"), env={})
    assert settings.places.gazetteer is None and settings.places.incident_distance_m == 250.0
