"""Benchmark tabletop packs against the reach walks they build on.

    python bench/bench_tabletop.py [--models 1000 10000] [--repeat 3] [--seed 0]

On the synthetic project of ``--models`` N (bench/synth.py, cached under bench/out/), in
this one process, each round on a fresh graph of the same inventory:

  walks      blast.reach(graph, model, "prompt_injection") from every model: the bare
             walks a pack must make to find the model whose harm reaches furthest
  cold       one pack, ``airready tabletop --scenario prompt_injection``, on a graph
             nobody walked yet: what the command costs on its own
  scorecard  blast.injection_reach from every model (walks and act-on lists): what a
             site build already pays for the scorecard before it writes any page
  site       the seven packs the site builds, after those scorecard walks

The garbage collector runs before, and is off during, each timing; the best (minimum)
of ``--repeat`` rounds counts.  Targets: cold / walks <= 1.2 (choosing the model is those
walks, and little more) and site / scorecard <= 0.5 (the seven packs add at most half
again what the scorecard's walks cost).  It is a report: it prints the verdict, exits 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_load import project_for  # noqa: E402

from airready.audit import load_all  # noqa: E402
from airready.graph.blast import injection_reach, reach  # noqa: E402
from airready.graph.graph import build_graph  # noqa: E402
from airready.inventory.config import load_project  # noqa: E402
from airready.inventory.model import Inventory  # noqa: E402
from airready.readiness.injects import PLANS  # noqa: E402
from airready.readiness.tabletop import build_tabletop  # noqa: E402

TODAY = dt.date(2026, 11, 25)
TARGETS = {("cold", "walks"): 1.2, ("site", "scorecard"): 0.5}


def fresh_graph(inventory: Inventory):  # type: ignore[no-untyped-def]
    inventory.derived.pop("graph", None)  # build_graph keeps one per inventory
    return build_graph(inventory)


def timed(work: Callable[[], object]) -> float:
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        work()
        return time.perf_counter() - start
    finally:
        gc.enable()


def one_round(inventory: Inventory) -> dict[str, float]:
    models = [m.ref for m in inventory.of_kind("Model")]
    graph = fresh_graph(inventory)
    found = {"walks": timed(lambda: [reach(graph, m, "prompt_injection") for m in models])}
    graph = fresh_graph(inventory)
    found["cold"] = timed(lambda: build_tabletop(graph, inventory, "prompt_injection", TODAY))
    graph = fresh_graph(inventory)
    found["scorecard"] = timed(lambda: [injection_reach(graph, inventory, m) for m in models])
    found["site"] = timed(lambda: [build_tabletop(graph, inventory, s, TODAY) for s in PLANS])
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(f"{'N':>7} {'walks s':>8} {'cold s':>7} {'scorecard s':>12} {'site s':>7} "
          f"{'cold/walks':>11} {'site/scorecard':>15}  verdict")
    for models in args.models:
        root = project_for(models, args.seed)
        inventory = load_all(load_project(root, root)).inventory
        rounds = [one_round(inventory) for _ in range(args.repeat)]
        best = {key: min(r[key] for r in rounds) for key in rounds[0]}
        ratios = {pair: best[pair[0]] / best[pair[1]] for pair in TARGETS}
        verdict = "PASS" if all(ratios[p] <= TARGETS[p] for p in TARGETS) else "FAIL"
        targets = ", ".join(f"{a}/{b} <= {t}" for (a, b), t in TARGETS.items())
        print(f"{models:>7} {best['walks']:>8.2f} {best['cold']:>7.2f} "
              f"{best['scorecard']:>12.2f} {best['site']:>7.2f} "
              f"{ratios['cold', 'walks']:>11.2f} {ratios['site', 'scorecard']:>15.2f}  "
              f"{verdict} (targets: {targets})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
