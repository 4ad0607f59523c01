"""The triage pipeline's periodic jobs (listed in :mod:`aduan.daemon.jobs`).

* ``triage`` (every ``scheduler.triage_seconds``): routes complaints still
  ``new`` without a category — created before rules were configured, or left
  by the normalizer.
* ``escalate`` (every ``scheduler.escalate_seconds``): marks overdue
  complaints and warns about those nearing their due time
  (see :mod:`aduan.triage.escalate`).
* ``triage-retrain`` (every ``triage.model.retrain_check_seconds``): when the
  model is switched on (``[triage.model] enabled`` and ``retrain``), fits it
  again once ``retrain_min_labels`` new labels came (:mod:`aduan.triage.retrain`);
  the next batch uses the new model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from aduan.core.logs import get_logger
from aduan.triage.apply import triage_pending
from aduan.triage.escalate import escalate
from aduan.triage.retrain import due, retrain

if TYPE_CHECKING:
    from aduan.runtime import Runtime

log = get_logger("aduan.triage.jobs")


def run_triage(runtime: Runtime, should_stop: Callable[[], bool]) -> int:
    total = 0
    batch = runtime.settings.triage.batch
    while not should_stop():
        done = triage_pending(runtime.engine, limit=batch)
        total += done
        if done < batch:
            break
    if total:
        log.info("triage_pending_done", complaints=total)
    return total


def run_escalate(runtime: Runtime, should_stop: Callable[[], bool]) -> int:
    result = escalate(runtime.engine, runtime.settings.triage.escalation)
    if result.overdue or result.due_soon:
        log.info("escalation_done", overdue=result.overdue, due_soon=result.due_soon)
    return result.overdue


def run_retrain(runtime: Runtime, should_stop: Callable[[], bool]) -> int:
    settings = runtime.settings
    model = settings.triage.model
    if not (model.enabled and model.retrain) or should_stop():
        return 0
    new = due(runtime.engine, settings.triage, settings.data_dir)
    if not new:
        return 0
    trained = retrain(runtime.engine, settings.triage, settings.data_dir)
    meta = trained.model.metadata
    log.info("triage_model_retrained", new_labels=new, rows=meta.rows, cv_accuracy=meta.cv_accuracy)
    return new
