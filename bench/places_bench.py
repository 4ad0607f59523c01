"""Place extraction: microseconds per message, beside a bare pass over the same texts.

Texts: the labelled place sets under ``tests/data/`` (dev and held-out:
slang, emoji, formal letters, walk-in notes), repeated to ``--messages``.
The extractor is the shipped South Jakarta one (built before timing:
building the automaton is a start-up cost, not a per-message one).
Baseline in the same process over the same texts: ``text.lower().split()``,
so the ratio says how many bare passes over the text one extraction costs,
whatever the machine's speed or load. Each is timed in CPU time
(``time.process_time``), best of several passes. Prints human lines and ends
with one JSON line.

    python bench/places_bench.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from aduan.places import default_extractor  # noqa: E402

SETS = ("places_dev.jsonl", "places_heldout.jsonl")
TARGET_US = 30.0


def texts(count: int) -> list[str]:
    base = [
        json.loads(line)["text"]
        for name in SETS
        for line in (REPO / "tests" / "data" / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return (base * (count // len(base) + 1))[:count]


def best_us(fn: Callable[[str], object], items: list[str], passes: int) -> float:
    best = float("inf")
    for _ in range(passes):
        start = time.process_time()
        for item in items:
            fn(item)
        best = min(best, time.process_time() - start)
    return best / len(items) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer messages and passes")
    parser.add_argument("--messages", type=int, default=None)
    args = parser.parse_args()
    count = args.messages or (2_000 if args.quick else 20_000)
    passes = 3 if args.quick else 7
    items = texts(count)
    started = time.process_time()
    extractor = default_extractor()
    build_ms = (time.process_time() - started) * 1e3
    extract_us = best_us(extractor.extract, items, passes)
    baseline_us = best_us(lambda t: t.lower().split(), items, passes)
    ratio = extract_us / baseline_us if baseline_us else float("inf")
    mean_chars = sum(map(len, items)) / len(items)
    print(f"messages {len(items)} (mean {mean_chars:.0f} chars), best of {passes} passes")
    print(f"gazetteer + automaton built in {build_ms:.0f} ms")
    print(f"extract   {extract_us:8.2f} µs/message   (target <= {TARGET_US:.0f})")
    print(f"baseline  {baseline_us:8.2f} µs/message   (text.lower().split())")
    print(f"ratio     {ratio:8.1f} x")
    print(
        json.dumps(
            {
                "messages": len(items),
                "extract_us_per_message": round(extract_us, 2),
                "baseline_us_per_message": round(baseline_us, 2),
                "ratio": round(ratio, 2),
                "build_ms": round(build_ms, 1),
                "target_us": TARGET_US,
            }
        )
    )


if __name__ == "__main__":
    main()
