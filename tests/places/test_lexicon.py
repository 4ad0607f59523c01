"""The automaton against an obviously right reference: every key found with str.find."""

from __future__ import annotations

import json
from pathlib import Path

from aduan.places import default_extractor
from aduan.places.lexicon import Lexicon, variants

DATA = Path(__file__).parents[1] / "data"


def reference(lexicon: Lexicon, low: str) -> list[tuple[int, int]]:
    """Every key at every position on word boundaries, then leftmost-longest, slowly."""
    hits = []
    for key in lexicon.automaton:
        start = low.find(key)
        while start != -1:
            end = start + len(key)
            inside_before = start > 0 and (low[start - 1].isalnum() or low[start - 1] in "_@")
            inside_after = end < len(low) and (low[end].isalnum() or low[end] == "_")
            if not inside_before and not inside_after:
                hits.append((start, end))
            start = low.find(key, start + 1)
    hits.sort(key=lambda h: (h[0], h[0] - h[1]))
    kept: list[tuple[int, int]] = []
    for start, end in hits:
        if not kept or start >= kept[-1][1]:
            kept.append((start, end))
    return kept


def test_automaton_matches_the_reference() -> None:
    lexicon = default_extractor().lexicon
    texts = [
        json.loads(line)["text"].lower()
        for name in ("places_dev.jsonl", "places_heldout.jsonl", "places_fresh.jsonl")
        for line in (DATA / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert len(texts) == 210
    for low in texts:
        assert [(m.start, m.end) for m in lexicon.find(low)] == reference(lexicon, low), low


def test_variants() -> None:
    assert {"kebayoran lama", "kby lama", "kby. lama", "kby.lama", "kebayoranlama"} <= variants(
        "Kebayoran Lama"
    )
    assert {"lt. agung", "lt agung"} <= variants("Lenteng Agung")
    assert variants("Pulo") == {"pulo"}
