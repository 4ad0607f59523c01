"""Answering the citizen: which events become messages, to whom, in what words.

Events (:mod:`.events`) become outbox rows (:mod:`aduan.store.outbox`) in the
same transaction as the change that causes them, each with an idempotency key
so a replay, a restart or a second replica queues it once:

==================  ===========================================  =====================
event               caused by                                    key
==================  ===========================================  =====================
``received``        the normalizer creating the complaint        ``received``
``triaged``         the triage job or a human setting an agency  ``triaged:<agency>``
``in_progress``,    a status change (desk, CLI, partners' API)   ``status:<event id>``
``resolved``,
``rejected``
``overdue_apology`` the escalation job (off by default)          ``overdue``
``reply``           a clerk's free text on the case page         ``reply:<uuid>``
==================  ===========================================  =====================

The recipient is the complaint's **first contact** (:mod:`.recipients`): the
identity and channel instance of the message that made it, e-mail answers in
its thread; a walk-in reporter only through the phone or e-mail they asked to
be told on. An identity that said STOP (:mod:`.optout`) gets nothing until it
says MULAI. Words come from :mod:`.templates`, SMS lengths and quiet hours
from :mod:`.sms`.

What is in force is set once by :func:`configure` (``Runtime.create`` calls it
with the ``[replies]`` settings, the public URL, the tracking key and the
routing rules' labels); :func:`active` is what the hooks use.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import time
from functools import cached_property
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from aduan.config.replies import RepliesSettings, parse_quiet
from aduan.core.messages import Message, RawMessage
from aduan.replies.templates import Templates

Label = Callable[[str | None], str | None]
Reader = Callable[[RawMessage], Message]


def _same(code: str | None) -> str | None:
    return code


@dataclass(frozen=True)
class Setup:
    """The replies in force."""

    settings: RepliesSettings = field(default_factory=RepliesSettings)
    base_url: str = "http://127.0.0.1:8080"
    timezone: str = "Asia/Jakarta"
    tracking_key: Callable[[Connection], bytes] | None = None
    """The store's key read in the caller's transaction (the tracking check code is
    derived from it)."""
    agency_name: Label = _same
    category_name: Label = _same
    reader: Reader | None = None
    """Reads a stored raw message again (the first contact of a stored complaint)."""
    templates: Templates = field(default_factory=Templates)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def quiet(self) -> tuple[time, time] | None:
        return parse_quiet(self.settings.sms.quiet_hours)


_lock = threading.Lock()
_active = Setup()


def configure(
    settings: RepliesSettings | None = None,
    *,
    base_url: str = "http://127.0.0.1:8080",
    timezone: str = "Asia/Jakarta",
    tracking_key: Callable[[Connection], bytes] | None = None,
    agency_name: Label = _same,
    category_name: Label = _same,
    reader: Reader | None = None,
) -> Setup:
    """Put these replies in force; ConfigError when a template does not render."""
    global _active
    settings = settings or RepliesSettings()
    templates = Templates(settings.templates_dir)
    templates.check()
    setup = Setup(
        settings,
        base_url.rstrip("/"),
        timezone,
        tracking_key,
        agency_name,
        category_name,
        reader,
        templates,
    )
    with _lock:
        _active = setup
    return setup


def active() -> Setup:
    return _active


__all__ = ["Setup", "active", "configure"]
