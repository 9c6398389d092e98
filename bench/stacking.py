"""Stacking engine benchmark: evaluation latency, bulk re-evaluation, planner optimality.

Run ``python bench/stacking.py`` (or ``--quick``). It generates its own realistic
synthetic data: six illustrative occupations (about 7 areas x 4 competencies x 4
indicators), rules shaped like DOMAIN.md section 6, a 200-credential catalog with
prerequisites, and learners with current, expired and too-old awards, PLAR results and
external credentials. It prints a table, then one JSON line with the same figures.

Targets: evaluate one learner against all six occupations p95 < 1 ms; 100,000
learners re-evaluated (each against the occupation they pursue) < 30 s; planner p95
< 200 ms on the 200-credential catalog with optimality proven.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import multiprocessing
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pathways.stacking.engine.achievements import Achievements  # noqa: E402
from pathways.stacking.engine.achievements import Catalog  # noqa: E402
from pathways.stacking.engine.achievements import EarnedCredential  # noqa: E402
from pathways.stacking.engine.achievements import Equivalence  # noqa: E402
from pathways.stacking.engine.achievements import ExternalCredential  # noqa: E402
from pathways.stacking.engine.achievements import Offer  # noqa: E402
from pathways.stacking.engine.achievements import PlarResult  # noqa: E402
from pathways.stacking.engine.evaluate import compile_rules  # noqa: E402
from pathways.stacking.engine.evaluate import evaluate  # noqa: E402
from pathways.stacking.engine.evaluate import evaluate_many  # noqa: E402
from pathways.stacking.engine.planner import plan  # noqa: E402
from pathways.stacking.engine.rules import RuleSet  # noqa: E402
from pathways.stacking.engine.rules import parse_rule  # noqa: E402

AS_OF = dt.date(2026, 11, 1)
OCCUPATIONS = {"MO": 7, "AS": 7, "MH": 7, "LH": 6, "SU": 8, "MG": 9}


def build_world(seed: int = 7, credentials: int = 200):
    """Items, catalog and rule sets; the same seed gives the same world."""
    rng = random.Random(seed)
    items: dict[str, str | None] = {}
    competencies: dict[str, list[str]] = {}
    for occupation, areas in OCCUPATIONS.items():
        root = f"ILL-{occupation}"
        items[root] = None
        competencies[occupation] = []
        for area in range(1, areas + 1):
            items[f"{root}-{area}"] = root
            for competency in range(1, rng.randint(3, 5) + 1):
                code = f"{root}-{area}.{competency}"
                items[code] = f"{root}-{area}"
                competencies[occupation].append(code)
                for indicator in range(1, rng.randint(3, 5) + 1):
                    items[f"{code}.{indicator}"] = code
    for module in ("SAFETY", "QUALITY", "PROCESSES", "MAINTENANCE"):
        items[f"MSSC-CPT-{module}"] = "MSSC-CPT"
    items["MSSC-CPT"] = None
    items["MSSC-CLT"] = None
    offers: list[Offer] = []
    by_occupation: dict[str, list[str]] = {occupation: [] for occupation in OCCUPATIONS}
    names = list(OCCUPATIONS)
    for number in range(credentials):
        occupation = names[number % len(names)]
        code = f"MC-{occupation}-{number:03d}"
        pool = competencies[occupation]
        aligned = set(rng.sample(pool, rng.choice([1, 1, 2, 2, 3])))
        # Every competency is taught somewhere: the first credentials of each occupation
        # go round its competencies before the rest are drawn at random.
        turn = number // len(names)
        if turn < len(pool):
            aligned.add(pool[turn])
        if rng.random() < 0.1:  # a shared credential, e.g. safety for two occupations
            aligned.add(rng.choice(competencies[rng.choice(names)]))
        indicators = sum(
            1 for item, parent in items.items() if parent in aligned and item.count(".") == 2
        )
        hours = max(10, round(indicators * rng.uniform(2.5, 4.5)))
        earlier = by_occupation[occupation]
        prerequisites = (
            frozenset(rng.sample(earlier, k=1)) if earlier and rng.random() < 0.3 else frozenset()
        )
        offers.append(
            Offer(
                code,
                hours,
                frozenset(aligned),
                prerequisites,
                3 * 365,
                1,
                True,
                f"Credential {code}",
            )
        )
        earlier.append(code)
    catalog = Catalog(
        items=items,
        equivalences=(
            Equivalence("CME-MSSC-2015", "MSSC-CPT", "ILL-AS", "exact", "declared"),
            Equivalence("CME-MSSC-2015", "MSSC-CPT", "ILL-MO", "exact", "declared"),
            Equivalence("MSSC-NOTE", "MSSC-CLT", "ILL-MH", "related", "proposed"),
        ),
        offers=tuple(offers),
    )
    rulesets = []
    for occupation in OCCUPATIONS:
        codes = by_occupation[occupation]
        safety, core, option_a, option_b = codes[0], codes[1], codes[2], codes[3]
        stack = {
            "all": [
                {"within_years": {"years": 3, "rule": {"credential": safety}}},
                {"credential": core},
                {"n_of": {"n": 1, "rules": [{"credential": option_a}, {"credential": option_b}]}},
                {"min_hours": {"hours": 120}},
                {"covers": {"items": [f"ILL-{occupation}"], "fraction": 1.0}},
            ]
        }
        if occupation in ("AS", "MO"):
            rule = {
                "any": [
                    stack,
                    {"equivalent": {"crosswalk": "CME-MSSC-2015", "credential": "MSSC-CPT"}},
                ]
            }
        elif occupation in ("SU", "MG"):
            stack["all"][4] = {"covers": {"items": [f"ILL-{occupation}"], "fraction": 0.9}}
            rule = {"all": [stack, {"signoff": {"note": {"en": "Assessor sign-off"}}}]}
        else:
            rule = stack
        rulesets.append(
            RuleSet(
                "certworkplus-ill", f"ILL-{occupation}", 1, parse_rule(rule), requires_signoff=True
            )
        )
    return catalog, rulesets, by_occupation, items


def make_learner(
    rng: random.Random, catalog: Catalog, by_occupation, items
) -> tuple[int, Achievements]:
    """A learner pursuing one occupation, part-way through, with realistic noise."""
    target = rng.randrange(len(OCCUPATIONS))
    occupation = list(OCCUPATIONS)[target]
    offers = {offer.code: offer for offer in catalog.offers}
    own = by_occupation[occupation]
    held = rng.sample(own, rng.randint(0, min(len(own), 12)))
    if rng.random() < 0.3:
        other = by_occupation[rng.choice(list(OCCUPATIONS))]
        held += rng.sample(other, 2)
    credentials = []
    for code in sorted(set(held)):
        offer = offers[code]
        earned_on = AS_OF - dt.timedelta(days=rng.randint(10, 6 * 365))
        expires_on = (
            earned_on + dt.timedelta(days=offer.validity_days) if rng.random() < 0.6 else None
        )
        revoked_on = AS_OF - dt.timedelta(days=5) if rng.random() < 0.01 else None
        credentials.append(
            EarnedCredential(
                code, 1, earned_on, expires_on, offer.effort_hours, offer.aligned_items, revoked_on
            )
        )
    indicators = [
        code for code in items if code.startswith(f"ILL-{occupation}-") and code.count(".") == 2
    ]
    plar = [
        PlarResult(
            code, rng.random() < 0.85, AS_OF - dt.timedelta(days=rng.randint(1, 900)), "assessor"
        )
        for code in rng.sample(indicators, rng.randint(0, 10))
    ]
    external = []
    if rng.random() < 0.1:
        earned_on = AS_OF - dt.timedelta(days=rng.randint(100, 2500))
        external.append(
            ExternalCredential(
                "MSSC-CPT", earned_on, earned_on + dt.timedelta(days=5 * 365), rng.random() < 0.8
            )
        )
    if rng.random() < 0.05:
        external.append(ExternalCredential("MSSC-CLT", AS_OF - dt.timedelta(days=400), None, True))
    return target, Achievements(tuple(credentials), tuple(plar), tuple(external), ())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def bench_single(catalog, rulesets, learners, warm_up: int = 20) -> dict:
    """Latency of one learner against every rule set: six ``evaluate`` calls, then one
    ``evaluate_many``. Only the calls are timed. Rules are compiled and the first
    ``warm_up`` learners evaluated untimed first, as a running service would have done,
    and the garbage left by generating the learners is collected before timing (the
    collector stays on: what the evaluations allocate is theirs to pay for).
    """
    for _, achievements in learners[:warm_up]:
        for ruleset in rulesets:
            evaluate(ruleset, achievements, AS_OF, catalog)
        evaluate_many(rulesets, achievements, AS_OF, catalog)
    gc.collect()
    samples, shared = [], []
    for _, achievements in learners:
        start = time.perf_counter()
        for ruleset in rulesets:
            evaluate(ruleset, achievements, AS_OF, catalog)
        samples.append((time.perf_counter() - start) * 1e6)
        start = time.perf_counter()
        evaluate_many(rulesets, achievements, AS_OF, catalog)
        shared.append((time.perf_counter() - start) * 1e6)
    return {
        "p50_us": percentile(samples, 0.5),
        "p95_us": percentile(samples, 0.95),
        "p99_us": percentile(samples, 0.99),
        "many_p50_us": percentile(shared, 0.5),
        "many_p95_us": percentile(shared, 0.95),
        "many_p99_us": percentile(shared, 0.99),
    }


def _bulk_worker(arguments) -> tuple[float, int, int]:
    seed, count = arguments
    catalog, rulesets, by_occupation, items = build_world()
    programs = [compile_rules(ruleset, catalog) for ruleset in rulesets]
    rng = random.Random(seed)
    learners = [make_learner(rng, catalog, by_occupation, items) for _ in range(count)]
    start = time.perf_counter()
    satisfied = 0
    for target, achievements in learners:
        if programs[target].evaluate(achievements, AS_OF).satisfied:
            satisfied += 1
    return time.perf_counter() - start, count, satisfied


def bench_bulk(total: int, processes: int) -> dict:
    chunks = [(1000 + index, total // processes) for index in range(processes)]
    start = time.perf_counter()
    if processes == 1:
        results = [_bulk_worker(chunks[0])]
    else:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            results = pool.map(_bulk_worker, chunks)
    wall = time.perf_counter() - start
    evaluating = max(result[0] for result in results)
    count = sum(result[1] for result in results)
    return {
        "learners": count,
        "processes": processes,
        "evaluate_seconds": evaluating,
        "wall_seconds_with_generation": wall,
        "learners_per_second": count / evaluating,
        "satisfied": sum(result[2] for result in results),
    }


def bench_planner(catalog, rulesets, learners) -> dict:
    samples, proven, feasible, nodes = [], 0, 0, []
    for target, achievements in learners:
        start = time.perf_counter()
        result = plan(rulesets[target], achievements, catalog, AS_OF)
        samples.append((time.perf_counter() - start) * 1e3)
        proven += result.proven_optimal
        feasible += result.feasible
        nodes.append(result.nodes_explored)
    return {
        "plans": len(learners),
        "candidates": len(catalog.offers),
        "p50_ms": percentile(samples, 0.5),
        "p95_ms": percentile(samples, 0.95),
        "max_ms": max(samples),
        "proven_optimal": proven,
        "feasible": feasible,
        "nodes_p95": percentile(nodes, 0.95),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run")
    parser.add_argument("--processes", type=int, default=2)
    options = parser.parse_args()
    quick = options.quick
    catalog, rulesets, by_occupation, items = build_world()
    rng = random.Random(42)
    learners = [
        make_learner(rng, catalog, by_occupation, items) for _ in range(200 if quick else 2000)
    ]
    single = bench_single(catalog, rulesets, learners)
    bulk = bench_bulk(5_000 if quick else 100_000, options.processes)
    planner = bench_planner(catalog, rulesets, learners[: 10 if quick else 50])
    indicators = sum(1 for code in items if code.startswith("ILL-") and code.count(".") == 2)
    rows = [
        ("evaluate 1 learner x 6 occupations p50", f"{single['p50_us']:.0f} us", ""),
        ("evaluate 1 learner x 6 occupations p95", f"{single['p95_us']:.0f} us", "< 1000 us"),
        ("evaluate_many (state shared) p50", f"{single['many_p50_us']:.0f} us", ""),
        ("evaluate_many (state shared) p95", f"{single['many_p95_us']:.0f} us", "< 1000 us"),
        (
            f"re-evaluate {bulk['learners']:,} learners ({bulk['processes']} processes)",
            f"{bulk['evaluate_seconds']:.2f} s",
            "< 30 s" if not quick else "",
        ),
        ("  learners per second", f"{bulk['learners_per_second']:,.0f}", ""),
        (f"planner p50 ({planner['candidates']} candidates)", f"{planner['p50_ms']:.1f} ms", ""),
        ("planner p95", f"{planner['p95_ms']:.1f} ms", "< 200 ms"),
        (
            "plans proven optimal",
            f"{planner['proven_optimal']} / {planner['plans']}",
            "all",
        ),
    ]
    print(f"world: 6 occupations, {indicators} indicators, {len(catalog.offers)} credentials")
    width = max(len(row[0]) for row in rows)
    print(f"{'measure'.ljust(width)}  {'value':>12}  target")
    for name, value, target in rows:
        print(f"{name.ljust(width)}  {value:>12}  {target}")
    print(
        json.dumps(
            {
                "bench": "stacking",
                "quick": quick,
                "indicators": indicators,
                "evaluate_six_p50_us": round(single["p50_us"], 1),
                "evaluate_six_p95_us": round(single["p95_us"], 1),
                "evaluate_six_p99_us": round(single["p99_us"], 1),
                "evaluate_many_six_p50_us": round(single["many_p50_us"], 1),
                "evaluate_many_six_p95_us": round(single["many_p95_us"], 1),
                "evaluate_many_six_p99_us": round(single["many_p99_us"], 1),
                "bulk_learners": bulk["learners"],
                "bulk_processes": bulk["processes"],
                "bulk_seconds": round(bulk["evaluate_seconds"], 3),
                "bulk_learners_per_second": round(bulk["learners_per_second"]),
                "planner_candidates": planner["candidates"],
                "planner_plans": planner["plans"],
                "planner_p50_ms": round(planner["p50_ms"], 2),
                "planner_p95_ms": round(planner["p95_ms"], 2),
                "planner_max_ms": round(planner["max_ms"], 2),
                "planner_proven_optimal": planner["proven_optimal"],
                "planner_feasible": planner["feasible"],
                "planner_nodes_p95": planner["nodes_p95"],
            }
        )
    )


if __name__ == "__main__":
    main()
