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

Danger sets the priority, and names the responder only where nothing else
does (:data:`KIND_CATEGORIES`): a medical emergency is ``health`` and a
missing child ``other`` whatever topic words stand beside them; for the
other kinds (violence, a collapse, fire, people trapped, a fall), where the
outcome would be the human queue for want of a category, the kind's category
is taken (the model's, if it is one of the kind's), and the queue still
confirms it. A gate of the rules (``gate:thanks``, :mod:`aduan.triage.gates`)
stands: the model does not give a thanks message a topic.

Priority is never lowered: it is ``high`` when the rules say so (danger terms,
a high-priority category) or when the :class:`~aduan.triage.danger.Danger`
detector found a sign; otherwise the final category's default. A decision for
the fallback category (``other``) always goes to the human queue, as in the
rules. The :class:`Blended` keeps both sources and says which decided:
``rules: drainage_flooding (got, saluran); model: roads 0.83 -> model``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aduan.triage import Decision
from aduan.triage.danger import Danger
from aduan.triage.gates import GATE_PREFIX
from aduan.triage.rules import RuleSet

if TYPE_CHECKING:  # the model's libraries (scikit-learn) load only when a model is used
    from aduan.triage.learned import Prediction

DEFAULT_LEVEL = 0.5
DEFAULT_OVERRIDE = 0.7
DEFAULT_SECONDED = 0.3
SHOWN_TERMS = 4
# A danger sign's kind -> the categories that answer it, the default first.
KIND_CATEGORIES: dict[str, tuple[str, ...]] = {
    "medical": ("health",),
    "missing": ("other",),
    "violence": ("public_order", "social_welfare"),
    "fire": ("fire_disaster",),
    "electricity": ("fire_disaster", "street_lighting"),
    "water": ("drainage_flooding", "fire_disaster"),
    "collapse": ("land_building", "parks_trees", "fire_disaster", "street_lighting", "roads"),
    "fall": ("roads", "drainage_flooding", "fire_disaster"),
}
DECISIVE_KINDS = ("medical", "missing")  # alone among the signs, they name the category


def danger_category(danger: Danger | None, model: Prediction | None) -> tuple[str, bool] | None:
    """The category a danger verdict names, and whether it is decisive; None if it names none."""
    if danger is None or not danger.high:
        return None
    kinds = list(dict.fromkeys(s.partition(":")[0] for s in danger.signs))
    kinds = [k for k in kinds if k in KIND_CATEGORIES]
    if not kinds:
        return None
    if len(kinds) == 1 and kinds[0] in DECISIVE_KINDS:
        return KIND_CATEGORIES[kinds[0]][0], True
    choices = KIND_CATEGORIES[kinds[0]]
    if model is not None and model.category in choices:
        return model.category, False
    return choices[0], False


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
    gated = any(n.startswith(GATE_PREFIX) for n in rules.rules)
    confident = gated or rules_confident(rules, fallback)
    agrees = model is not None and model.category == rules.category
    needed = level if not confident or override is None else override
    if not confident and model is not None and model.category in rules_candidates(rules):
        needed = min(needed, seconded)  # two weak signals that agree
    sure = model is not None and model.probability >= needed
    if confident and (gated or rules.priority == "high" or model is None or agrees):
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
    by_danger = None if gated else danger_category(danger, model)
    named = by_danger is not None and by_danger[0] != category and (by_danger[1] or review)
    if named:
        assert by_danger is not None
        category = by_danger[0]
        category_rule = ruleset.categories[category]
        agency = model.agency if model is not None and model.category == category else None
        agency = agency or category_rule.agency
        source = "model" if model is not None and model.category == category else "rules"
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
    if named:
        names.append(f"danger_category:{category}")
    parts = [f"rules: {explain_rules(rules, fallback)}"]
    if model is not None:
        parts.append(f"model: {model.category} {model.probability:.2f}")
    if danger is not None and danger.high:
        parts.append(f"danger: {danger.explain()}" + (f" ({category})" if named else ""))
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
