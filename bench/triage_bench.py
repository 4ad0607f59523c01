"""Triage throughput: routing decisions and due dates per second.

Baseline (same process): computing the matching form alone, which every
complaint pays anyway in the normalizer. Reported: complaints routed per
second (matching form + decide), the ratio to the baseline, decisions per
second and microseconds per decision on ready matching forms (what the
normalizer's triage step costs), and due_at computations per second. The
machine is shared: compare runs by the ratio, or run before/after back to back.

    python bench/triage_bench.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aduan.core.text import matching_form
from aduan.triage import configure, decide, due_at

DATA = Path(__file__).resolve().parent.parent / "tests" / "triage" / "data"


def texts() -> list[str]:
    out = []
    for name in ("triage_dev.jsonl", "heldout.jsonl"):
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line)["text"])
    return out


def rate(fn: object, items: list[object], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        for item in items:
            fn(item)  # type: ignore[operator]
    return repeat * len(items) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a few seconds")
    args = parser.parse_args()
    repeat = 2 if args.quick else 20
    configure()
    corpus: list[object] = list(texts())
    baseline = rate(matching_form, corpus, repeat)
    routed = rate(lambda t: decide(matching_form(t)), corpus, repeat)
    forms: list[object] = [matching_form(str(t)) for t in corpus]
    decisions = rate(decide, forms, repeat)
    base = datetime(2026, 11, 2, tzinfo=UTC)
    moments: list[object] = [base + timedelta(minutes=37 * i) for i in range(2000)]
    clock = rate(due_at, moments, max(1, repeat // 2))
    print(f"complaints: {len(corpus)} texts x {repeat}")
    print(f"matching form only (baseline): {baseline:10,.0f} /s")
    print(f"matching form + decide:        {routed:10,.0f} /s  ({routed / baseline:.2f}x baseline)")
    print(f"decide on matching forms:      {decisions:10,.0f} /s  ({1e6 / decisions:.1f} us each)")
    print(f"due_at:                        {clock:10,.0f} /s")
    print(
        json.dumps(
            {
                "decisions_per_s": round(routed),
                "baseline_matching_per_s": round(baseline),
                "ratio_to_baseline": round(routed / baseline, 3),
                "decide_only_per_s": round(decisions),
                "us_per_decision": round(1e6 / decisions, 1),
                "due_at_per_s": round(clock),
            }
        )
    )


if __name__ == "__main__":
    main()
