"""The contract every registered channel is held to, and how channels take part.

Each registered channel's tests provide a module ``tests/channels/<type>/contract_case.py``
with ``make_case(tmp_path) -> ContextManager[PullCase | PushCase]`` that starts
its fake provider (local HTTP server, Dovecot ...) and yields a configured
channel. The list of channels is the application's registry (registry_cases.py).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from aduan.channels.base import PullChannel, PushChannel, WebhookRequest
from tests.channels.registry_cases import channel_tests, registered


@dataclass
class PullCase:
    channel: PullChannel
    deliver: Callable[[int], None]
    """Make the fake provider hold ``n`` more new messages."""


@dataclass
class PushCase:
    channel: PushChannel
    request: Callable[[int], WebhookRequest]
    """A valid, authentic request carrying message number ``i``."""


Case = PullCase | PushCase
CaseFactory = Callable[[Path], AbstractContextManager[Case]]


def cases() -> dict[str, CaseFactory]:
    """The contract case of every registered channel that has one."""
    found: dict[str, CaseFactory] = {}
    for kind in registered():
        module = channel_tests(kind, "contract_case")
        if module is not None:
            assert kind == module.CHANNEL_TYPE, module.__name__
            found[kind] = module.make_case
    return found
