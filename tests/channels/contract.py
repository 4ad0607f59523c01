"""The contract every registered channel is held to, and how channels take part.

Each channel's tests provide a module ``tests/channels/<type>/contract_case.py``
with ``make_case(tmp_path) -> ContextManager[PullCase | PushCase]`` that starts
its fake provider (local HTTP server, Dovecot ...) and yields a configured
channel, and add that module's name to :data:`CASE_MODULES` (one line).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from aduan.channels.base import PullChannel, PushChannel, WebhookRequest


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

CASE_MODULES: list[str] = [
    # one line per channel, e.g. "tests.channels.email.contract_case",
    "tests.channels.facebook.contract_case",
    "tests.channels.rss.contract_case",
    "tests.channels.telegram.contract_case",
    "tests.channels.twitter.contract_case",
    "tests.channels.sms.contract_case",
    "tests.channels.open311.contract_case",
    "tests.channels.walkin.contract_case",
    "tests.channels.email.contract_case",
]


def cases() -> dict[str, CaseFactory]:
    found: dict[str, CaseFactory] = {}
    for name in CASE_MODULES:
        module = importlib.import_module(name)
        found[module.CHANNEL_TYPE] = module.make_case
    return found
