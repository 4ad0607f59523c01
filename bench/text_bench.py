"""Per-message text work of the normalizer: microseconds per text for each step.

The steps the normalizer runs on every message, each fed what the pipeline
feeds it: :func:`~aduan.core.text.clean_text` of the raw text,
:func:`~aduan.core.text.matching_form` of the clean text,
:func:`~aduan.normalize.features.extract` of the matching form, and
:func:`~aduan.core.identity.phones_in_text` of the raw text.

Texts: the labelled dev sets under ``tests/`` (real wording: slang, emoji,
line breaks, phone numbers) and messages from ``bench/replay.py``'s generator
as its readers deliver them (email bodies with greeting and signature,
tweets with a leading @mention). Baseline (same process, same texts):
``text.lower().split()``, so the ratio says how many bare passes over the
text the whole step costs, whatever the machine's speed or load.

Each step is timed in CPU time of this process (``time.process_time``), as
the best of several passes over all texts: on a shared machine wall time
also counts the waits for a core, the best pass is the least disturbed.
Prints a table and ends with one JSON line.

    python bench/text_bench.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import aduan.channels  # noqa: E402, F401  (identity imported first is a circular import)
from aduan.core import text  # noqa: E402
from aduan.core.identity import phones_in_text  # noqa: E402
from aduan.core.text import clean_text, matching_form  # noqa: E402
from aduan.normalize.features import extract  # noqa: E402
from bench.replay import LOCAL, generate  # noqa: E402

TESTS = REPO / "tests"
DEV_SETS = (
    "normalize/data/dedup_dev.jsonl",
    "triage/data/triage_dev.jsonl",
    "triage/data/heldout.jsonl",
    "triage/data/fresh.jsonl",
)


def texts(generated: int) -> list[str]:
    """The dev sets' texts, then ``generated`` messages of the replay generator."""
    out: list[str] = []
    for name in DEV_SETS:
        for line in (TESTS / name).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            if "text" in row:
                out.append(row["text"])
            out.extend(row[side]["text"] for side in ("a", "b") if side in row)
    out.extend(LOCAL[raw.channel](raw).text for raw in generate(generated, seed=3))
    return out


def best_us(
    fn: Callable[[str], object], items: list[str], passes: int, before: Callable[[], object] = list
) -> float:
    """Microseconds per item of the fastest of ``passes`` passes, ``before`` run before each."""
    best = float("inf")
    for _ in range(passes):
        before()
        start = time.process_time()
        for item in items:
            fn(item)
        best = min(best, time.process_time() - start)
    return best / len(items) * 1e6


def baseline(text: str) -> list[str]:
    return text.lower().split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a few seconds")
    args = parser.parse_args()
    passes = 5 if args.quick else 15
    raw = texts(500 if args.quick else 2000)
    clean = [clean_text(t) for t in raw]
    match = [matching_form(t) for t in clean]
    steps = {
        "clean_text": best_us(clean_text, raw, passes),
        "matching_form": best_us(matching_form, clean, passes),
        "extract": best_us(extract, match, passes),
        "phones_in_text": best_us(phones_in_text, raw, passes),
    }
    total = sum(steps.values())
    # matching_form keeps each word's form: the passes after the first find them all. A
    # running normalizer is in between (new names and typos keep coming).
    cold = best_us(matching_form, clean, passes, before=text._FORMS.clear)
    base = best_us(baseline, raw, passes)
    chars = sum(map(len, raw)) / len(raw)
    print(f"{len(raw)} texts, {chars:.0f} characters on average, best of {passes} passes")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name, us in steps.items():
        print(f"  {name:<16}{us:8.2f} µs/text")
    print(f"  {'total':<16}{total:8.2f} µs/text")
    print(f"  {'baseline':<16}{base:8.2f} µs/text  (lower + split)")
    print(f"  ratio           {total / base:8.1f} x baseline")
    print(f"  matching_form with no word known at the start of a pass: {cold:.2f} µs/text")
    result = {f"{name}_us": round(us, 2) for name, us in steps.items()}
    result |= {
        "total_us": round(total, 2),
        "baseline_us": round(base, 3),
        "matching_form_cold_us": round(cold, 2),
        "ratio": round(total / base, 1),
        "texts": len(raw),
        "mean_chars": round(chars),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
