"""The blend's decision table: who decides, what the priority is, what the explanation says."""

from __future__ import annotations

import pytest

from aduan.triage import Decision, active
from aduan.triage.blend import blend, explain_rules
from aduan.triage.danger import Danger
from aduan.triage.learned import Prediction
from aduan.triage.rules import RuleSet

CONFIDENT = Decision(
    "drainage_flooding",
    "sudin-sda",
    "normal",
    "coordination",
    4.5,
    ("drainage_flooding:got", "drainage_flooding:saluran"),
)
ABSTAIN = Decision(
    "other", None, "normal", "coordination", 1.5, ("below_threshold:roads",), needs_review=True
)
CLOSE = Decision(
    "roads", "sudin-bina-marga", "normal", "coordination", 3.0,
    ("roads:aspal", "close:drainage_flooding"), needs_review=True,
)  # fmt: skip
DANGER_RULES = Decision(
    "fire_disaster", "sudin-gulkarmat", "high", "same_day", 6.0,
    ("fire_disaster:api", "danger:kebakaran"),
)  # fmt: skip
NO_DANGER = Danger(False, ())
FIRE = Danger(True, ("fire:kebakar",))


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    return active().rules


@pytest.mark.parametrize(
    ("rules", "model", "category", "source", "review"),
    [
        # confident rules, model agrees / absent / disagrees weakly / disagrees strongly
        (CONFIDENT, Prediction("drainage_flooding", 0.9), "drainage_flooding", "rules", False),
        (CONFIDENT, None, "drainage_flooding", "rules", False),
        (CONFIDENT, Prediction("roads", 0.6), "drainage_flooding", "rules", True),
        (CONFIDENT, Prediction("roads", 0.83), "roads", "model", False),
        # rules abstain (below threshold, too close): the model decides from the level
        (ABSTAIN, Prediction("roads", 0.55), "roads", "model", False),
        (ABSTAIN, Prediction("roads", 0.35), "roads", "model", False),  # seconds the rules
        (ABSTAIN, Prediction("waste", 0.35), "other", "rules", True),
        (ABSTAIN, Prediction("roads", 0.2), "other", "rules", True),
        (ABSTAIN, None, "other", "rules", True),
        (CLOSE, Prediction("drainage_flooding", 0.6), "drainage_flooding", "model", False),
        (CLOSE, Prediction("drainage_flooding", 0.4), "drainage_flooding", "model", False),
        (CLOSE, Prediction("waste", 0.4), "roads", "rules", True),
        # the model may decide "other": still the human queue
        (ABSTAIN, Prediction("other", 0.9), "other", "model", True),
        # high-priority rules always win, whatever the model says
        (DANGER_RULES, Prediction("roads", 0.99), "fire_disaster", "rules", False),
    ],
)
def test_decision_table(
    ruleset: RuleSet,
    rules: Decision,
    model: Prediction | None,
    category: str,
    source: str,
    review: bool,
) -> None:
    out = blend(rules, model, NO_DANGER, ruleset, level=0.5, override=0.7, seconded=0.3)
    assert (out.decision.category, out.decision.source, out.decision.needs_review) == (
        category,
        source,
        review,
    )
    assert out.rules is rules and out.model is model
    assert out.explanation.endswith("human queue" if review else source)


def test_model_decision_takes_its_categorys_agency(ruleset: RuleSet) -> None:
    out = blend(ABSTAIN, Prediction("roads", 0.8), None, ruleset).decision
    assert out.agency == ruleset.categories["roads"].agency
    assert out.score == 0.8
    learned = blend(ABSTAIN, Prediction("roads", 0.8, "dinas-jalan"), None, ruleset).decision
    assert learned.agency == "dinas-jalan"


def test_danger_raises_priority_and_the_model_never_lowers_it(ruleset: RuleSet) -> None:
    raised = blend(CONFIDENT, Prediction("drainage_flooding", 0.9), FIRE, ruleset).decision
    assert (raised.priority, raised.track) == ("high", "same_day")
    assert "fire:kebakar" in raised.rules
    calm = blend(CONFIDENT, Prediction("drainage_flooding", 0.9), NO_DANGER, ruleset).decision
    assert calm.priority == "normal"
    without_detector = blend(DANGER_RULES, None, None, ruleset).decision
    assert without_detector.priority == "high"


def test_explanation_names_both_sources(ruleset: RuleSet) -> None:
    out = blend(CONFIDENT, Prediction("roads", 0.83), None, ruleset)
    assert out.explanation == (
        "rules: drainage_flooding (got, saluran); model: roads 0.83 -> model"
    )
    assert "model:roads:0.83" in out.decision.rules
    danger = blend(ABSTAIN, Prediction("fire_disaster", 0.4), FIRE, ruleset, seconded=0.3)
    assert danger.explanation == (
        "rules: abstain (below_threshold:roads); model: fire_disaster 0.40; "
        "danger: fire:kebakar (fire_disaster) -> human queue"
    )
    assert danger.decision.priority == "high"
    assert danger.decision.category == "fire_disaster"  # the sign's kind names the responder
    assert "danger_category:fire_disaster" in danger.decision.rules


def test_explain_rules_shortens_long_lists() -> None:
    many = Decision(
        "roads", None, "normal", "coordination", 9.0, tuple(f"roads:t{i}" for i in range(6))
    )
    assert explain_rules(many) == "roads (t0, t1, t2, t3, ...)"


THANKS = Decision("other", None, "normal", "coordination", 6.0, ("gate:thanks",), needs_review=True)
MEDICAL = Danger(True, ("medical:pingsan", "medical:tidak sadar"))
VIOLENCE = Danger(True, ("violence:dipukulin",))


def test_a_thanks_gate_stands_against_a_sure_model(ruleset: RuleSet) -> None:
    out = blend(THANKS, Prediction("street_lighting", 0.95), NO_DANGER, ruleset).decision
    assert (out.category, out.source, out.needs_review) == ("other", "rules", True)


@pytest.mark.parametrize(
    ("rules", "model", "danger", "category"),
    [
        # a medical emergency is health even where the rules were sure of another topic
        (CONFIDENT, None, MEDICAL, "health"),
        # other kinds name the category only where the outcome was the human queue
        (ABSTAIN, Prediction("traffic_parking", 0.2), VIOLENCE, "public_order"),
        (CONFIDENT, None, VIOLENCE, "drainage_flooding"),
        # ... and the model's category when it is one of the kind's
        (ABSTAIN, Prediction("fire_disaster", 0.2), FIRE, "fire_disaster"),
        # no sign, no say
        (ABSTAIN, Prediction("roads", 0.2), NO_DANGER, "other"),
    ],
)
def test_danger_names_the_responder_where_nothing_else_does(
    ruleset: RuleSet, rules: Decision, model: Prediction | None, danger: Danger, category: str
) -> None:
    out = blend(rules, model, danger, ruleset).decision
    assert out.category == category
    assert out.priority == ("high" if danger.high else "normal")
