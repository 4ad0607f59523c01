"""Are two complaints about the same problem at the same place? The exact check of dedup.

Candidates come from the reporter's own recent complaints, from MinHash LSH
(near-identical wording) and from the block index (a shared concept and a
shared place word); each is confirmed here, cheaply, from the two texts'
:class:`~aduan.normalize.features.Features` and their word similarity:

* a **pinpoint conflict** (different RT/RW, house number, numbered street,
  landmark next to the spot, or kelurahan) means two places: never the same;
* a **resolved** notice ("sudah menyala lagi") is not a new report of the
  problem, and a message that moves on to another problem is not a resend;
* otherwise the same problem needs a shared concept (what) and, unless the
  wording is nearly identical or one of the two names no place, a shared
  place word (where). For the same reporter a shared concept is enough when
  either text names no place, and follow-ups are read generously.
"""

from __future__ import annotations

from typing import NamedTuple

from rapidfuzz.fuzz import token_set_ratio

from aduan.normalize.features import Features


class Verdict(NamedTuple):
    same: bool
    similarity: float
    reason: str


def _disjoint(a: frozenset[object], b: frozenset[object]) -> bool:
    return bool(a) and bool(b) and a.isdisjoint(b)


_CONFLICTS = {
    why: Verdict(False, 0.0, f"conflict:{why}")
    for why in ("rt", "rw", "house_number", "numbered_street", "kelurahan", "landmark")
}
"""Most candidates of a busy street end here (another RT): one shared answer each."""


def conflict(a: Features, b: Features) -> str | None:
    """Why these two name different places, or None."""
    if not (a.rt or a.rw or a.house or a.numbered or a.kelurahan or a.landmarks):
        return None
    if _disjoint(a.rt, b.rt):
        return "rt"
    if _disjoint(a.rw, b.rw):
        return "rw"
    if _disjoint(a.house, b.house):
        return "house_number"
    numbered_b = dict(b.numbered)
    for name, number in a.numbered:
        other = numbered_b.get(name)
        if other is not None and other != number:
            return "numbered_street"
    if _disjoint(a.kelurahan, b.kelurahan):
        return "kelurahan"
    if _disjoint(a.landmarks, b.landmarks):
        return "landmark"
    return None


def similarity(a_text: str, b_text: str) -> float:
    """Word similarity of two matching forms, 0..1 (rapidfuzz token set ratio)."""
    return token_set_ratio(a_text, b_text) / 100.0


def judge(
    a: Features,
    b: Features,
    a_text: str,
    b_text: str,
    *,
    same_reporter: bool,
    near_duplicate: float = 0.9,
) -> Verdict:
    """Whether ``b`` (the later message) reports the same problem as ``a``.

    The cheap set checks run first; the word similarity is computed only when
    it decides (near-identical wording) or is reported (a match).
    """
    why = conflict(a, b)
    if why is not None:
        return _CONFLICTS[why]
    if b.resolved and not same_reporter:
        return Verdict(False, 0.0, "resolved_notice")
    if b.resolved and (b.concepts - a.concepts):
        return Verdict(False, 0.0, "moved_on")
    shared = a.concepts & b.concepts
    only_a, only_b = a.concepts - b.concepts, b.concepts - a.concepts
    if only_a and only_b and not shared:
        return Verdict(False, 0.0, "other_problem")
    sim = similarity(a_text, b_text)
    if sim >= near_duplicate and (sim >= 0.98 or not (only_a and only_b)):
        return Verdict(True, sim, "near_duplicate")
    if not shared:
        return Verdict(False, sim, "no_shared_concept")
    place_shared = bool(a.places & b.places) or bool(a.kelurahan & b.kelurahan)
    if place_shared:
        return Verdict(True, sim, "concept_and_place")
    if same_reporter and (not a.places or not b.places or b.followup):
        return Verdict(True, sim, "same_reporter_concept")
    return Verdict(False, sim, "no_shared_place")
