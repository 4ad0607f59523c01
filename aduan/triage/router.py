"""One complaint's decision from all that is in force: rules, danger detector, learned model.

:class:`Router` is what the one writer (:mod:`aduan.triage.writer`) and
re-triage (:mod:`aduan.triage.apply`) ask. It takes the rules' decision
(:meth:`aduan.triage.engine.Triage.decide`), the danger detector's verdict
(``[triage] danger``, on by default) and — only when ``[triage.model]
enabled = true`` *and* a model file exists — the model's prediction, and
blends them (:func:`aduan.triage.blend.blend`). With the model off, the
category is exactly the rules'.

The model is loaded once per process and kept while its files are unchanged
(:func:`current_model` keys its cache by the files' modification times, so a
retrain, in this process or another, is picked up at the next batch). A
missing or unusable model file is logged once (``triage_model_missing``,
``triage_model_unusable``) and the rules decide alone; it never stops triage.
scikit-learn is imported only when a model is to be loaded.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from aduan.config.triage import ModelSettings
from aduan.core.logs import get_logger
from aduan.triage import Decision, active, settings_in_force
from aduan.triage.blend import Blended, blend
from aduan.triage.danger import DangerDetector

if TYPE_CHECKING:
    from aduan.triage.engine import Triage
    from aduan.triage.learned import Model

log = get_logger("aduan.triage.router")
MODEL_DIR = "triage-model"
MODEL_FILES = ("model.joblib", "model.json")

_lock = threading.Lock()
_model: tuple[tuple[Path, tuple[int, ...]], Model | None] | None = None
_told: set[tuple[Path, tuple[int, ...]]] = set()
_detector: tuple[Triage, DangerDetector] | None = None


def model_directory(settings: ModelSettings | None = None, data_dir: Path | None = None) -> Path:
    """``[triage.model] directory``, else ``DATA_DIR/triage-model``."""
    if settings is None or data_dir is None:
        found, found_dir = settings_in_force()
        settings, data_dir = settings or found.model, data_dir or found_dir
    return settings.directory or data_dir / MODEL_DIR


def _stamp(directory: Path) -> tuple[int, ...]:
    stamp = []
    for name in MODEL_FILES:
        try:
            stamp.append((directory / name).stat().st_mtime_ns)
        except OSError:
            stamp.append(-1)
    return tuple(stamp)


def current_model(directory: Path | None = None) -> Model | None:
    """The model in ``directory`` (default: the one in force), loaded once while unchanged;
    None (logged once) when missing or unusable."""
    global _model
    directory = directory or model_directory()
    key = (directory, _stamp(directory))
    with _lock:
        if _model is not None and _model[0] == key:
            return _model[1]
        model: Model | None = None
        if -1 in key[1]:
            if key not in _told:
                log.warning(
                    "triage_model_missing",
                    directory=str(directory),
                    hint="run `aduan triage train`; rules decide alone",
                )
        else:
            from aduan.triage.learned import ModelError, load

            try:
                model = load(directory)
            except (ModelError, OSError, ValueError, KeyError, EOFError) as exc:
                if key not in _told:
                    log.error("triage_model_unusable", error=str(exc), hint="rules decide alone")
            else:
                log.info(
                    "triage_model_loaded",
                    trained_at=model.metadata.trained_at,
                    rows=model.metadata.rows,
                )
        _told.add(key)
        _model = (key, model)
        return model


def detector(triage: Triage) -> DangerDetector:
    """One detector per rules in force (it holds compiled patterns)."""
    global _detector
    held = _detector
    if held is None or held[0] is not triage:
        held = _detector = (triage, DangerDetector(triage))
    return held[1]


class Router:
    """The rules, danger detector and model in force when made (a batch, a job run)."""

    def __init__(self) -> None:
        settings, _ = settings_in_force()
        self.settings = settings.model
        self.triage = active()
        self.detector = detector(self.triage) if settings.danger else None
        self.model = current_model() if self.settings.enabled else None

    def decide(
        self,
        match_text: str,
        *,
        channel: str | None,
        hint: str | None,
        kecamatan: str | None = None,
    ) -> Blended:
        rules = self.triage.decide(match_text, channel=channel, hint=hint, kecamatan=kecamatan)
        danger = self.detector.detect(match_text, rules.rules) if self.detector else None
        if danger is None and self.model is None:
            return Blended(rules, rules, None, None, "")
        prediction = self.model.predict([match_text])[0] if self.model is not None else None
        s = self.settings
        return blend(
            rules,
            prediction,
            danger,
            self.triage.rules,
            level=s.level,
            override=s.override,
            seconded=s.seconded,
        )

    def recorded(self, blended: Blended) -> Decision:
        """The decision to record: with a model, its training date and the explanation."""
        decision = blended.decision
        if self.model is None:
            return decision
        names = (
            *decision.rules,
            f"model_at:{self.model.metadata.trained_at}",
            f"why:{blended.explanation}",
        )
        return replace(decision, rules=names)
