"""The shipped Indonesian templates, a city's overrides, and what a template may reach."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from aduan import replies
from aduan.config.replies import EVENTS, RepliesSettings
from aduan.core.errors import ConfigError
from aduan.replies.templates import SAMPLE, Templates

EXPECTED = {
    "received": ["sudah kami terima", SAMPLE.reference, SAMPLE.link, SAMPLE.code],
    "triaged": ["diteruskan ke Suku Dinas Bina Marga", "5 Mar 2026 09:15 WIB"],
    "in_progress": ["sedang ditangani"],
    "resolved": ["selesai ditangani", "Catatan: Lampu sudah diganti"],
    "rejected": ["bukan kewenangan kami", "PLN"],
    "overdue_apology": ["Mohon maaf", "5 Mar 2026 09:15 WIB"],
    "reply": ["Petugas akan datang besok pagi."],
}


@pytest.mark.parametrize("channel", ["sms", "email", "telegram"])
@pytest.mark.parametrize("event", EVENTS)
def test_every_event_renders_in_indonesian_with_its_reference_and_link(
    event: str, channel: str
) -> None:
    text = Templates().render(event, channel, SAMPLE)
    assert SAMPLE.reference in text and SAMPLE.link in text
    for words in EXPECTED[event]:
        assert words in text
    assert "{{" not in text and "{%" not in text and text == text.strip()


def test_the_email_acknowledgement_is_a_letter_and_optional_parts_drop_out() -> None:
    text = Templates().render("received", "email", SAMPLE)
    assert "Kode pantau: K7QF" in text and "Salam," in text
    bare = replace(SAMPLE, agency=None, category=None, due=None, note=None)
    assert "diteruskan" not in Templates().render("received", "email", bare)
    assert "Catatan" not in Templates().render("resolved", "sms", bare)
    assert "instansi yang berwenang" in Templates().render(
        "rejected", "sms", replace(bare, other_agency=None)
    )


def test_a_city_overrides_one_event_and_one_channel(tmp_path: Path) -> None:
    (tmp_path / "resolved.txt").write_text("Beres: {{ reference }} {{ link }}\n")
    (tmp_path / "received.sms.txt").write_text("Terima kasih, {{ reference }} {{ link }}")
    ours = Templates(tmp_path)
    assert ours.render("resolved", "email", SAMPLE).startswith("Beres: ADU-2026-000123")
    assert ours.render("received", "sms", SAMPLE).startswith("Terima kasih, ADU")
    assert "Kode pantau" in ours.render("received", "email", SAMPLE)  # ours for e-mail
    setup = replies.configure(RepliesSettings(templates_dir=tmp_path))
    try:
        assert setup.templates.render("resolved", "sms", SAMPLE).startswith("Beres:")
    finally:
        replies.configure()


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("{{ reporter_name }}", "undefined"),  # only the Facts exist: no name, no contact
        ("{{ reference.__class__.__mro__ }}", "unsafe"),  # the sandbox
        ("{% if %}", "Expected an expression"),
    ],
)
def test_a_broken_or_prying_override_stops_start_up(
    tmp_path: Path, body: str, problem: str
) -> None:
    (tmp_path / "triaged.txt").write_text(body)
    with pytest.raises(ConfigError, match=problem) as caught:
        replies.configure(RepliesSettings(templates_dir=tmp_path))
    assert "triaged" in str(caught.value)
    assert replies.active().settings.templates_dir is None  # the previous replies stay


def test_a_missing_templates_dir_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a directory"):
        replies.configure(RepliesSettings(templates_dir=tmp_path / "nope"))


def test_unknown_events_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown events"):
        RepliesSettings.model_validate({"events": {"recieved": True}})
    assert RepliesSettings().event_on("overdue_apology") is False
    assert RepliesSettings(events={"overdue_apology": True}).event_on("overdue_apology")
    assert RepliesSettings(enabled=False).event_on("received") is False


def test_a_city_template_failing_on_unchecked_facts_falls_back_to_ours(tmp_path: Path) -> None:
    (tmp_path / "resolved.txt").write_text(
        "{% if note == 'rahasia' %}{{ nama_pelapor }}{% endif %}Beres {{ reference }} {{ link }}"
    )
    ours = Templates(tmp_path)
    ours.check()  # the sample facts do not take that branch
    assert ours.render("resolved", "sms", SAMPLE).startswith("Beres ADU-2026-000123")
    odd = replace(SAMPLE, note="rahasia")
    assert ours.render("resolved", "sms", odd).startswith("Aduan ADU-2026-000123 selesai")


def test_a_template_that_needs_facts_a_new_complaint_lacks_is_caught_at_start(
    tmp_path: Path,
) -> None:
    (tmp_path / "received.txt").write_text("{{ reference }} {{ due.upper() }}")
    with pytest.raises(ConfigError, match="received"):
        Templates(tmp_path).check()
