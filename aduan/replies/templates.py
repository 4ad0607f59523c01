"""Rendering the messages: Indonesian Jinja2 templates, shipped or overridden by the city.

A message for event ``resolved`` on channel type ``email`` is the first of
``resolved.email.txt`` and ``resolved.txt`` found, in the city's
``[replies] templates_dir`` first, then in ``aduan/replies/templates``. The
environment is sandboxed (a template cannot reach Python objects' internals)
and strict (an unknown name is an error, found at start by :func:`check`).
Plain text: nothing is HTML-escaped.

What a template may use is :class:`Facts`, and only that: the complaint's own
reference, tracking code and link, category and agency labels, dates (WIB),
the status note (masked: no phone, e-mail or NIK of anyone) and, for
``reply``, the clerk's text. No name, no contact, no complaint text — a
message never carries another person's data.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateError,
)
from jinja2.sandbox import SandboxedEnvironment

from aduan.config.replies import EVENTS
from aduan.core.errors import ConfigError
from aduan.core.logs import get_logger

SHIPPED = Path(__file__).parent / "templates"
log = get_logger("aduan.replies")


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything a template sees."""

    reference: str
    code: str = ""
    """The tracking check code (``K7QF``); '' when the store's key is not at hand."""
    link: str = ""
    """``https://.../track/ADU-2026-000123-K7QF``."""
    category: str | None = None
    agency: str | None = None
    other_agency: str | None = None
    """For ``rejected``: the agency the complaint belongs to."""
    received: str | None = None
    due: str | None = None
    """The target date on the three-working-day clock, ``12 Mar 2026 10:00 WIB``."""
    note: str | None = None
    text: str | None = None
    """For ``reply``: the clerk's free text."""


SAMPLE = Facts(
    reference="ADU-2026-000123",
    code="K7QF",
    link="http://127.0.0.1:8080/track/ADU-2026-000123-K7QF",
    category="Penerangan jalan",
    agency="Suku Dinas Bina Marga",
    other_agency="PLN",
    received="2 Mar 2026 09:15 WIB",
    due="5 Mar 2026 09:15 WIB",
    note="Lampu sudah diganti",
    text="Petugas akan datang besok pagi.",
)


BARE = Facts(reference=SAMPLE.reference, code=SAMPLE.code, link=SAMPLE.link)
"""The least a message knows: no category, agency, dates or note yet."""


def _environment(directory: Path | None) -> SandboxedEnvironment:
    loaders = [FileSystemLoader(str(directory))] if directory is not None else []
    return SandboxedEnvironment(
        loader=ChoiceLoader([*loaders, FileSystemLoader(str(SHIPPED))]),
        autoescape=False,
        undefined=StrictUndefined,
        keep_trailing_newline=False,
        trim_blocks=False,
        auto_reload=False,  # read once: a changed file is seen at the next start
    )


class Templates:
    """The templates in force: the city's directory over the shipped ones."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory
        self.env = _environment(directory)
        self.shipped = _environment(None) if directory is not None else self.env
        self._chosen: dict[tuple[str, str], Template] = {}

    def render(self, event: str, channel: str, facts: Facts) -> str:
        """The text of ``event`` for a channel type, blank lines at its ends trimmed.

        A city's template that fails on facts :meth:`check` did not try is logged
        and replaced by the shipped one: one template never holds up a batch."""
        try:
            return self._render(self.env, event, channel, facts)
        except TemplateError as exc:
            if self.shipped is self.env:
                raise
            log.warning("reply_template_failed", template=event, channel=channel, error=str(exc))
            return self._render(self.shipped, event, channel, facts)

    def _render(self, env: Environment, event: str, channel: str, facts: Facts) -> str:
        template = self._chosen.get((event, channel)) if env is self.env else None
        if template is None:
            template = env.select_template([f"{event}.{channel}.txt", f"{event}.txt"])
            if env is self.env:
                self._chosen[(event, channel)] = template
        return template.render(**asdict(facts)).strip()

    def check(self, channels: tuple[str, ...] = ("sms", "email")) -> None:
        """Render every event with :data:`SAMPLE`; ConfigError naming each broken template."""
        problems = []
        if self.directory is not None and not self.directory.is_dir():
            problems.append(f"replies.templates_dir: {self.directory} is not a directory")
        for event in EVENTS:
            for channel in channels:
                for facts in (SAMPLE, BARE):
                    try:
                        self._render(self.env, event, channel, facts)
                    except TemplateError as exc:
                        problems.append(f"replies template {event} ({channel}): {exc}")
        if problems:
            raise ConfigError(sorted(set(problems)))
