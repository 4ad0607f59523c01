"""Load settings from a TOML file, a secrets file and ``ADUAN_*`` environment variables.

Precedence, lowest first: defaults, the config file (``--config PATH``, else
``ADUAN_CONFIG``, else ``./aduan.toml`` when present), the secrets file
(``ADUAN_SECRETS_FILE`` or ``secrets_file``), the environment
(``ADUAN_DATABASE_URL``, ``ADUAN_SERVER__PORT``,
``ADUAN_CHANNELS__EMAIL__CITY__PASSWORD``: ``__`` separates levels).

Every problem becomes one line naming where the value came from, the key and
the reason; :class:`~aduan.core.errors.ConfigError` carries them all at once so
an operator fixes the file in one go. Secrets (``SecretStr`` fields) are
refused in the config file, which is meant to be committed.
"""

from __future__ import annotations

import json
import os
import tomllib
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr, ValidationError

from aduan.channels.registry import REGISTRY
from aduan.config.settings import Settings
from aduan.core.errors import ConfigError
from aduan.places.configured import extractor_for

ENV_PREFIX = "ADUAN_"
NOT_SETTINGS = {"ADUAN_CONFIG", "ADUAN_SECRETS_FILE"}
DEFAULT_FILE = Path("aduan.toml")


@dataclass
class _Sources:
    """Where each dotted key's value came from, for error messages."""

    origins: dict[tuple[str, ...], str]

    def of(self, loc: tuple[str, ...]) -> str:
        for cut in range(len(loc), 0, -1):
            if loc[:cut] in self.origins:
                return self.origins[loc[:cut]]
        for path, origin in self.origins.items():
            if path[: len(loc)] == loc:
                return origin
        return "defaults"


def config_path(explicit: Path | None, env: Mapping[str, str]) -> tuple[Path | None, bool]:
    """The config file to read and whether it was asked for (then it must exist)."""
    if explicit is not None:
        return explicit, True
    if env.get("ADUAN_CONFIG"):
        return Path(env["ADUAN_CONFIG"]), True
    if DEFAULT_FILE.exists():
        return DEFAULT_FILE, False
    return None, False


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read the file: {exc.strerror or exc}"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: not valid TOML: {exc}"]) from None


def _leaves(data: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for key, value in data.items():
        path = (*prefix, str(key))
        if isinstance(value, Mapping) and value:
            yield from _leaves(value, path)
        else:
            yield path


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        elif isinstance(value, Mapping):
            base[key] = {}
            _merge(base[key], value)
        else:
            base[key] = value


def _env_value(text: str) -> Any:
    stripped = text.strip()
    if stripped[:1] in "[{":
        try:
            return json.loads(stripped)
        except json.JSONDecodeError:
            return text
    return text


def _from_env(env: Mapping[str, str], sources: _Sources) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX) or name in NOT_SETTINGS:
            continue
        path = tuple(part.lower() for part in name[len(ENV_PREFIX) :].split("__"))
        if not all(path):
            continue
        node = data
        for part in path[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            node[path[-1]] = _env_value(value)
            sources.origins[path] = f"environment {name}"
    return data


def _is_secret(annotation: Any) -> bool:
    if annotation is SecretStr:
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_is_secret(arg) for arg in typing.get_args(annotation))
    return False


def secret_fields(model: type[BaseModel]) -> set[str]:
    """Secret field names of ``model`` and of its subclasses (a config validated as one of
    several variants, such as the SMS gateways' union, refuses every variant's secrets)."""
    found = {name for name, info in model.model_fields.items() if _is_secret(info.annotation)}
    for sub in model.__subclasses__():
        found |= secret_fields(sub)
    return found


def _model_at(path: tuple[str, ...]) -> type[BaseModel] | None:
    """The settings model that holds the key at ``path`` (for secret checks)."""
    if len(path) >= 4 and path[0] == "channels" and path[1] in REGISTRY:
        model: type[BaseModel] = REGISTRY[path[1]].Config
        rest = path[3:-1]
    else:
        model = Settings
        rest = path[:-1]
    for part in rest:
        info = model.model_fields.get(part)
        annotation = info.annotation if info else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        model = annotation
    return model


def _secrets_in_file(data: Mapping[str, Any], path: Path) -> list[str]:
    problems = []
    for leaf in _leaves(data):
        model = _model_at(leaf)
        if model is not None and leaf[-1] in secret_fields(model):
            env_name = ENV_PREFIX + "__".join(leaf).upper()
            problems.append(
                f"{path}: {'.'.join(leaf)}: secrets may not be in the config file; "
                f"set {env_name} or put it in the secrets file"
            )
    return problems


def _format(error: Mapping[str, Any], prefix: tuple[str, ...], sources: _Sources) -> str:
    loc = (*prefix, *(str(part) for part in error["loc"]))
    reason = error["msg"]
    if error["type"] == "extra_forbidden":
        reason = "unknown key"
    return f"{sources.of(loc)}: {'.'.join(loc)}: {reason}"


def _check_channels(settings: Settings, sources: _Sources, secrets: bool = True) -> list[str]:
    from aduan.channels.registry import REGISTRY

    problems = []
    for kind, instances in settings.channels.items():
        if kind not in REGISTRY:
            known = ", ".join(sorted(REGISTRY)) or "none"
            problems.append(
                f"{sources.of(('channels', kind))}: channels.{kind}: "
                f"unknown channel type (known: {known})"
            )
            continue
        model = REGISTRY[kind].Config
        for name, raw in instances.items():
            prefix = ("channels", kind, name)
            if not isinstance(raw, Mapping):
                problems.append(f"{sources.of(prefix)}: {'.'.join(prefix)}: must be a table")
                continue
            try:
                config = model.model_validate(raw)
            except ValidationError as exc:
                problems += [_format(e, prefix, sources) for e in exc.errors()]
                continue
            if not config.enabled or not secrets:
                continue
            for field in sorted(getattr(type(config), "required_secrets", ())):
                if getattr(config, field) is None:
                    env_name = ENV_PREFIX + "__".join((*prefix, field)).upper()
                    problems.append(
                        f"{sources.of(prefix)}: {'.'.join((*prefix, field))}: missing secret "
                        f"for an enabled channel; set {env_name} or put it in the secrets file"
                    )
    return problems


def load_settings(
    path: Path | None = None,
    env: Mapping[str, str] | None = None,
    *,
    secrets: bool = True,
    **overrides: Any,
) -> Settings:
    """Read, merge and validate every source; raise ConfigError listing all problems.

    ``secrets=False`` (commands that only read the store) does not ask for the
    enabled channels' secrets: an analyst need not hold them.
    """
    env = os.environ if env is None else env
    sources = _Sources({})
    data: dict[str, Any] = {}
    problems: list[str] = []

    file, required = config_path(path, env)
    if file is not None and (required or file.exists()):
        from_file = _read_toml(file)
        problems += _secrets_in_file(from_file, file)
        _merge(data, from_file)
        sources.origins.update({leaf: str(file) for leaf in _leaves(from_file)})

    from_env = _from_env(env, sources)
    secrets_path = (
        env.get("ADUAN_SECRETS_FILE") or from_env.get("secrets_file") or data.get("secrets_file")
    )
    if secrets_path:
        secrets_file = Path(secrets_path)
        if file is not None and not secrets_file.is_absolute() and "secrets_file" in data:
            secrets_file = file.parent / secrets_file
        from_secrets = _read_toml(secrets_file)
        _merge(data, from_secrets)
        sources.origins.update({leaf: str(secrets_file) for leaf in _leaves(from_secrets)})
        data["secrets_file"] = str(secrets_file)
    _merge(data, from_env)
    _merge(data, overrides)

    try:
        settings = Settings(**data)
    except ValidationError as exc:
        problems += [_format(e, (), sources) for e in exc.errors()]
        raise ConfigError(problems) from None
    problems += _check_channels(settings, sources, secrets)
    problems += _check_gazetteer(settings)
    if problems:
        raise ConfigError(problems)
    return settings


def _check_gazetteer(settings: Settings) -> list[str]:
    """A city gazetteer that cannot be used stops start-up, one line per problem."""
    if settings.places.gazetteer is None:
        return []
    try:
        extractor_for(settings.places)
    except ConfigError as exc:
        return list(exc.problems)
    return []
