"""Blending the rules, the learned model and the danger detector into one decision.

:func:`blend` is a pure function of the three verdicts (no store, no I/O):

=============================  ===================  ====================================
rules                          model                outcome
=============================  ===================  ====================================
confident, high priority       anything             the rules' category stands
confident                      agrees (or none)     the rules' category stands
confident                      disagrees, p >= lvl  the model's category
confident                      disagrees, p < lvl   the rules' category, human queue
abstain (below threshold,      p >= level           the model's category
  too close, or ``other``)
abstain, model names the      p >= seconded        the model's category
  rules' own best guess
abstain                        p < level or none    the rules' answer, human queue
=============================  ===================  ====================================

Priority is never lowered: it is ``high`` when the rules say so (danger terms,
a high-priority category) or when the :class:`~aduan.triage.danger.Danger`
detector found a sign; otherwise the final category's default. A decision for
the fallback category (``other``) always goes to the human queue, as in the
rules. The :class:`Blended` keeps both sources and says which decided:
``rules: drainage_flooding (got, saluran); model: roads 0.83 -> model``.
"""

from __future__ import annotations

from dataclasses import dataclass

from aduan.triage import Decision
from aduan.triage.danger import Danger
from aduan.triage.learned import Prediction
from aduan.triage.rules import RuleSet

DEFAULT_LEVEL = 0.5
DEFAULT_OVERRIDE = 0.7
DEFAULT_SECONDED = 0.3
SHOWN_TERMS = 4


@dataclass(frozen=True)
class Blended:
    decision: Decision  # what is recorded: source "rules" or "model"
    rules: Decision
    model: Prediction | None
    danger: Danger | None
    explanation: str


def rules_confident(decision: Decision, fallback: str = "other") -> bool:
    """The rules claimed the complaint: above threshold, clear of the runner-up, not ``other``."""
    return not decision.needs_review and decision.category != fallback


def rules_candidates(decision: Decision) -> set[str]:
    """The categories the rules leaned to: their decision, the one below the threshold,
    the close runner-up."""
    out = {decision.category}
    for name in decision.rules:
        head, _, code = name.partition(":")
        if head in ("below_threshold", "close"):
            out.add(code)
    return out


def explain_rules(decision: Decision, fallback: str = "other") -> str:
    """``drainage_flooding (got, saluran)``, or ``abstain (below_threshold:roads)``."""
    prefix = f"{decision.category}:"
    terms = [n[len(prefix) :] for n in decision.rules if n.startswith(prefix)]
    notes = [n for n in decision.rules if n.startswith(("below_threshold:", "close:", "no_rule"))]
    if not rules_confident(decision, fallback) and notes:
        return f"abstain ({', '.join(notes)})"
    shown = terms[:SHOWN_TERMS] + (["..."] if len(terms) > SHOWN_TERMS else [])
    return f"{decision.category} ({', '.join(shown)})" if shown else decision.category


def blend(
    rules: Decision,
    model: Prediction | None,
    danger: Danger | None,
    ruleset: RuleSet,
    *,
    level: float = DEFAULT_LEVEL,
    override: float | None = DEFAULT_OVERRIDE,
    seconded: float = DEFAULT_SECONDED,
) -> Blended:
    """One decision from the rules' decision, the model's prediction and the danger verdict.

    ``level``: the model decides where the rules abstain when its probability
    reaches it; ``override``: the same where the rules were confident and the
    model disagrees (None: ``level``); ``seconded``: the same where the rules abstained
    but their own best guess (below the threshold, or one of two close ones) is the
    model's category.
    """
    fallback = ruleset.fallback
    confident = rules_confident(rules, fallback)
    agrees = model is not None and model.category == rules.category
    needed = level if not confident or override is None else override
    if not confident and model is not None and model.category in rules_candidates(rules):
        needed = min(needed, seconded)  # two weak signals that agree
    sure = model is not None and model.probability >= needed
    if confident and (rules.priority == "high" or model is None or agrees):
        source, review = "rules", False
    elif sure:
        source, review = "model", False
    else:
        source, review = "rules", True
    if source == "model":
        assert model is not None
        category = model.category
        category_rule = ruleset.categories[category]
        agency = model.agency or category_rule.agency
        score = model.probability
    else:
        category, agency, score = rules.category, rules.agency, rules.score
        category_rule = ruleset.categories[category]
    if danger is not None:  # the rules' danger terms, hedge-aware, and the detector's own signs
        high = danger.high or category_rule.priority == "high"
    else:
        high = rules.priority == "high"
    if high:
        priority, track = "high", "same_day"
    else:
        priority, track = category_rule.priority, category_rule.track
    if category == fallback:
        review = True
    names = list(rules.rules)
    if model is not None:
        names.append(f"model:{model.category}:{model.probability:.2f}")
    if danger is not None:
        names.extend(s for s in danger.signs if s not in names)
    parts = [f"rules: {explain_rules(rules, fallback)}"]
    if model is not None:
        parts.append(f"model: {model.category} {model.probability:.2f}")
    if danger is not None and danger.high:
        parts.append(f"danger: {danger.explain()}")
    outcome = "human queue" if review else source
    decision = Decision(
        category=category,
        agency=agency,
        priority=priority,
        track=track,
        score=round(score, 3),
        rules=tuple(names),
        source=source,
        needs_review=review,
    )
    return Blended(decision, rules, model, danger, "; ".join(parts) + f" -> {outcome}")
