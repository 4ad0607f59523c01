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

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, Template, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from aduan.config.replies import EVENTS
from aduan.core.errors import ConfigError

SHIPPED = Path(__file__).parent / "templates"


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


class Templates:
    """The templates in force: the city's directory over the shipped ones."""

    def __init__(self, directory: Path | None = None) -> None:
        loaders = [FileSystemLoader(str(directory))] if directory is not None else []
        self.directory = directory
        self.env = SandboxedEnvironment(
            loader=ChoiceLoader([*loaders, FileSystemLoader(str(SHIPPED))]),
            autoescape=False,
            undefined=StrictUndefined,
            keep_trailing_newline=False,
            trim_blocks=False,
            auto_reload=False,  # read once: a changed file is seen at the next start
        )
        self._chosen: dict[tuple[str, str], Template] = {}

    def render(self, event: str, channel: str, facts: Facts) -> str:
        """The text of ``event`` for a channel type, blank lines at its ends trimmed."""
        template = self._chosen.get((event, channel))
        if template is None:
            template = self.env.select_template([f"{event}.{channel}.txt", f"{event}.txt"])
            self._chosen[(event, channel)] = template
        return template.render(**asdict(facts)).strip()

    def check(self, channels: tuple[str, ...] = ("sms", "email")) -> None:
        """Render every event with :data:`SAMPLE`; ConfigError naming each broken template."""
        problems = []
        if self.directory is not None and not self.directory.is_dir():
            problems.append(f"replies.templates_dir: {self.directory} is not a directory")
        for event in EVENTS:
            for channel in channels:
                try:
                    self.render(event, channel, SAMPLE)
                except TemplateError as exc:
                    problems.append(f"replies template {event} ({channel}): {exc}")
        if problems:
            raise ConfigError(sorted(set(problems)))
