"""Triage throughput: routing decisions and due dates per second.

Baseline (same process): computing the matching form alone, which every
complaint pays anyway in the normalizer. Reported: complaints routed per
second (matching form + decide), the ratio to the baseline, decisions per
second and microseconds per decision on ready matching forms (what the
normalizer's triage step costs), and due_at computations per second. The
machine is shared: compare runs by the ratio, or run before/after back to back.

The learned half (:mod:`aduan.triage.learned`): a model trained on the dev set
(plus the rules' terms) classifies the same matching forms in batches of
``--batch``; reported in microseconds a complaint of CPU time (this process
only, so a busy shared machine inflates it less than wall time) and of wall
time, beside the bare baseline of the same batches: splitting each form into
words and counting them. Then the whole blended decision a complaint (rules,
danger detector, model, blend), and the training time on 10,000 labelled
complaints on one core (recombined from the dev texts: the first half of one
complaint and the second half of another of the same category), beside its
bare baseline: counting the words of those 10,000. Targets: <= 150 us a
complaint, <= 60 s training. ``--quick``: fewer repeats, 2,000 training rows.

    python bench/triage_bench.py [--quick] [--batch 256]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from threadpoolctl import threadpool_limits

from aduan.core.text import matching_form
from aduan.triage import active, configure, decide, due_at
from aduan.triage.blend import blend
from aduan.triage.danger import DangerDetector
from aduan.triage.learned import Example, Model, rule_examples, train

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


def labelled() -> list[Example]:
    lines = (DATA / "triage_dev.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return [Example(r["text"], r["category"]) for r in rows]


def recombined(examples: list[Example], n: int, seed: int = 0) -> list[Example]:
    """``n`` complaints: the first half of one and the second half of another, same category."""
    by_category: dict[str, list[list[str]]] = {}
    for e in examples:
        by_category.setdefault(e.category, []).append(e.text.split())
    rng = random.Random(seed)
    codes = sorted(by_category)
    out = []
    for i in range(n):
        code = codes[i % len(codes)]
        a, b = rng.sample(by_category[code], 2)
        out.append(Example(" ".join(a[: len(a) // 2] + b[len(b) // 2 :]), code))
    return out


def per_item(
    fn: Callable[[list[str]], Any], batches: list[list[str]], repeat: int
) -> dict[str, float]:
    """Best CPU and wall microseconds an item over ``repeat`` passes of ``fn`` on each batch."""
    items = sum(len(b) for b in batches)
    cpu, wall = float("inf"), float("inf")
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        for batch in batches:
            fn(batch)
        cpu = min(cpu, time.process_time() - c0)
        wall = min(wall, time.perf_counter() - w0)
    return {"cpu_us": round(1e6 * cpu / items, 1), "wall_us": round(1e6 * wall / items, 1)}


def bare(batch: list[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for form in batch:
        counts.update(form.split())
    return counts


def learned_figures(corpus: list[str], quick: bool, batch: int) -> dict[str, Any]:
    ruleset = active().rules
    prior = rule_examples(ruleset)
    model: Model = train(labelled(), prior=prior, cv_folds=0)
    detector = DangerDetector(active())
    forms = [matching_form(t) for t in corpus] * (2 if quick else 8)
    batches = [forms[i : i + batch] for i in range(0, len(forms), batch)]
    repeat = 2 if quick else 5

    def blended(chunk: list[str]) -> None:
        for form, prediction in zip(chunk, model.predict(chunk), strict=True):
            by_rules = decide(form)
            blend(by_rules, prediction, detector.detect(form, by_rules.rules), ruleset)

    figures: dict[str, Any] = {
        "batch": batch,
        "classify": per_item(model.predict, batches, repeat),
        "classify_baseline": per_item(bare, batches, repeat),
        "blended_decision": per_item(blended, batches, repeat),
    }
    rows = recombined(labelled(), 2000 if quick else 10_000)
    texts = [e.text for e in rows]
    with threadpool_limits(1):
        c0, w0 = time.process_time(), time.perf_counter()
        train(rows, prior=prior, cv_folds=0)
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    c0 = time.process_time()
    bare([matching_form(t) for t in texts])
    base_cpu = time.process_time() - c0
    figures["train"] = {
        "rows": len(rows),
        "cpu_s": round(cpu, 2),
        "wall_s": round(wall, 2),
        "baseline_cpu_s": round(base_cpu, 2),
    }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a few seconds")
    parser.add_argument("--batch", type=int, default=256, help="complaints a model call")
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
    learned = learned_figures([str(t) for t in corpus], args.quick, args.batch)
    c, b, d = learned["classify"], learned["classify_baseline"], learned["blended_decision"]
    print(
        f"model, batches of {args.batch:<4}:      {c['cpu_us']:8.1f} us cpu  "
        f"{c['wall_us']:8.1f} us wall"
    )
    print(f"  baseline (split + count):     {b['cpu_us']:8.1f} us cpu  {b['wall_us']:8.1f} us wall")
    print(f"rules + danger + model + blend: {d['cpu_us']:8.1f} us cpu  {d['wall_us']:8.1f} us wall")
    t = learned["train"]
    print(
        f"training on {t['rows']:,} (one core):  {t['cpu_s']:8.2f} s cpu  {t['wall_s']:8.2f} s wall"
        f"  (baseline counting words: {t['baseline_cpu_s']:.2f} s)"
    )
    print(
        json.dumps(
            {
                "decisions_per_s": round(routed),
                "baseline_matching_per_s": round(baseline),
                "ratio_to_baseline": round(routed / baseline, 3),
                "decide_only_per_s": round(decisions),
                "us_per_decision": round(1e6 / decisions, 1),
                "due_at_per_s": round(clock),
                "model_us_cpu": c["cpu_us"],
                "model_us_wall": c["wall_us"],
                "model_baseline_us_cpu": b["cpu_us"],
                "blended_us_cpu": d["cpu_us"],
                "blended_us_wall": d["wall_us"],
                "train_rows": t["rows"],
                "train_s_cpu": t["cpu_s"],
                "train_s_wall": t["wall_s"],
                "train_baseline_s_cpu": t["baseline_cpu_s"],
            }
        )
    )


if __name__ == "__main__":
    main()
