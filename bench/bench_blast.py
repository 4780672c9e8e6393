"""Benchmark the blast-radius walk against a bare networkx reachability query.

    python bench/bench_blast.py [--entities 100000] [--repeat 9] [--seed 0]

Builds, in memory, a synthetic dependency graph of ``--entities`` nodes shaped like
an AI estate (no Inventory, no YAML: a ``networkx.DiGraph`` with the node and edge
attributes ``airready.graph.graph.build_graph`` produces: node ``kind``; edge ``edge``,
``edges`` and ``source``, edges added in the same sorted order):

  vendors    -supplies->   components, root datasets, hosted models
  components -serves->     components (a dependency DAG) and models
  datasets   -derives->    derived datasets (lineage chains)
  datasets   -trains->     foundation and fine-tuned models
  models     -fine_tunes-> models (fine-tune trees, some dozens of generations deep)
  models     -acts_through-> tools, -reads-> datastores, -holds-> credentials,
             -runs_in->    environments, -serves-> models that call them
  tools and credentials -reaches-> datastores and tools
  people and teams: nodes without edges (they are looked up, never walked)

Then, from one start whose blast radius covers more than 30% of the graph (the
vendor of the most used serving stack and pretraining corpus), it times

  walk         airready.graph.blast.walk(graph, start): every reached entity with its
               depth and one shortest path (nodes and edge types)
  descendants  networkx.descendants(graph, start): the bare reachable set
  (and, for information, the same walk through the scenario code path:
  ``walk(graph, start, "supply_chain")``, which follows every edge type too)

taking turns in each round (the order flips every round), with the garbage
collector run before and disabled during each timing.  Times are CPU time of this
process (time.process_time), so a busy shared machine that preempts the benchmark
does not count against either side.  The best (minimum) of ``--repeat`` rounds
counts for each.  The target is walk/descendants <= 2.0: explaining every reached
entity must cost no more than twice finding it.  Exits 0 on PASS, 1 on FAIL.
"""

from __future__ import annotations

import argparse
import gc
import platform
import sys
import time
from collections.abc import Callable
from random import Random
from typing import Any

import networkx as nx

from airready.graph.blast import walk
from airready.graph.edges import EdgeSource

TARGET = 2.0
START = "vendor:v0000"

# Shares of the entities, by kind (what is left over becomes people and teams).
SHARES = {
    "Vendor": 0.003, "Component": 0.06, "Dataset": 0.2, "Model": 0.3, "Tool": 0.1,
    "DataStore": 0.12, "Credential": 0.15, "Environment": 0.0006,
}
PREFIX = {"Vendor": "vendor", "Component": "component", "Dataset": "dataset",
          "Model": "model", "Tool": "tool", "DataStore": "datastore",
          "Credential": "credential", "Environment": "environment", "Person": "person",
          "Team": "team"}
FIELD = {  # the field each edge type is declared by, for EdgeSource
    "supplies": "supplier", "serves": "depends_on", "derives": "derived_from",
    "trains": "training_data", "fine_tunes": "base_model", "acts_through": "tools",
    "reads": "data_access", "holds": "credentials", "runs_in": "environments",
    "reaches": "reaches",
}


def synth_graph(entities: int, seed: int) -> nx.DiGraph:
    """A deterministic estate-shaped graph of exactly ``entities`` nodes."""
    rng = Random(seed)
    counts = {kind: max(2, int(entities * share)) for kind, share in SHARES.items()}
    counts["Person"] = (entities - sum(counts.values())) * 4 // 5
    counts["Team"] = entities - sum(counts.values())
    refs = {kind: [f"{PREFIX[kind]}:{PREFIX[kind][0]}{i:04d}" for i in range(n)]
            for kind, n in counts.items()}
    vendors, components, datasets = refs["Vendor"], refs["Component"], refs["Dataset"]
    models, tools, stores = refs["Model"], refs["Tool"], refs["DataStore"]
    credentials, environments = refs["Credential"], refs["Environment"]

    # (source, dest) -> (edge type, declaring entity): the first declaration wins.
    found: dict[tuple[str, str], tuple[str, str]] = {}

    def edge(source: str, dest: str, kind: str, declared_by: str) -> None:
        if source != dest:
            found.setdefault((source, dest), (kind, declared_by))

    def skewed(items: list[str], upto: int | None = None, power: float = 3.0) -> str:
        """Early items are picked far more often: popular vendors, base stacks."""
        n = len(items) if upto is None else max(1, upto)
        return items[int(n * rng.random() ** power)]

    # Components: a dependency DAG; the first few are the common serving stack.
    for i, comp in enumerate(components):
        edge(skewed(vendors), comp, "supplies", comp)
        for _ in range(rng.randint(0, 3) if i else 0):
            edge(skewed(components, i), comp, "serves", comp)
    # Datasets: a tenth are roots from vendors; the rest derive from earlier ones.
    roots = len(datasets) // 10
    for i, data in enumerate(datasets):
        if i < roots:
            edge(skewed(vendors), data, "supplies", data)
        else:
            for _ in range(rng.randint(1, 2)):
                edge(datasets[rng.randrange(max(0, i - 400), i)], data, "derives", data)
    # Models: foundation models trained on datasets; the rest fine-tuned from an
    # earlier model, usually a recent one, so lineages run dozens of generations deep.
    foundations = max(1, len(models) // 100)
    for i, model in enumerate(models):
        if i < foundations:
            for _ in range(rng.randint(3, 8)):
                edge(skewed(datasets, roots * 3), model, "trains", model)
            if rng.random() < 0.3:
                edge(skewed(vendors), model, "supplies", model)
        else:
            parent = models[rng.randrange(max(0, i - 60), i)] if rng.random() < 0.7 \
                else skewed(models, foundations, 1.5)
            edge(parent, model, "fine_tunes", model)
            for _ in range(rng.randint(0, 2)):
                edge(datasets[rng.randrange(len(datasets))], model, "trains", model)
        for _ in range(rng.randint(1, 3)):
            edge(skewed(components), model, "serves", model)
        if i and rng.random() < 0.05:
            edge(models[rng.randrange(i)], model, "serves", model)
        for _ in range(rng.randint(0, 3)):
            edge(model, tools[rng.randrange(len(tools))], "acts_through", model)
        for _ in range(rng.randint(0, 2)):
            edge(model, stores[rng.randrange(len(stores))], "reads", model)
        for _ in range(rng.randint(0, 2)):
            edge(model, credentials[rng.randrange(len(credentials))], "holds", model)
        for _ in range(rng.randint(1, 2)):
            edge(model, environments[rng.randrange(len(environments))], "runs_in", model)
    for tool in tools:
        for _ in range(rng.randint(1, 2)):
            edge(tool, stores[rng.randrange(len(stores))], "reaches", tool)
        if rng.random() < 0.1:
            edge(tool, tools[rng.randrange(len(tools))], "reaches", tool)
    for cred in credentials:
        for _ in range(rng.randint(1, 2)):
            target = tools if rng.random() < 0.4 else stores
            edge(cred, target[rng.randrange(len(target))], "reaches", cred)

    graph = nx.DiGraph()
    for kind, kind_refs in refs.items():
        for ref in kind_refs:
            graph.add_node(ref, kind=kind)
    for (source, dest), (kind, declared_by) in sorted(found.items()):
        graph.add_edge(source, dest, edge=kind, edges={kind},
                       source=EdgeSource(declared_by, ("spec", FIELD[kind])))
    assert graph.number_of_nodes() == entities, graph.number_of_nodes()
    return graph


def _time(func: Callable[[], Any]) -> float:
    gc.collect()
    gc.disable()
    try:
        began = time.process_time()
        result = func()
        elapsed = time.process_time() - began
    finally:
        gc.enable()
    del result  # dropped after the clock stops
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=9, help="rounds; the best counts")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start", default=START)
    args = parser.parse_args(argv)

    began = time.process_time()
    graph = synth_graph(args.entities, args.seed)
    built = time.process_time() - began
    start = args.start
    if start not in graph:
        print(f"--start {start} is not in the graph (try {START} or dataset:d0000)")
        return 2
    reached = walk(graph, start)
    expected = nx.descendants(graph, start)
    if {r.ref for r in reached} != expected or walk(graph, start, "supply_chain") != reached:
        print("FAIL: walk, its supply_chain scenario and descendants disagree")
        return 1
    share = len(expected) / graph.number_of_nodes()
    deepest = max(r.depth for r in reached)
    print(f"python {platform.python_version()}, networkx {nx.__version__}, {platform.machine()}")
    print(f"graph: {graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} edges "
          f"(built in {built:.1f} s)")
    print(f"start: {start} reaches {len(expected):,} nodes ({share:.0%}), "
          f"deepest path {deepest} hops, mean {sum(r.depth for r in reached) / len(reached):.1f}")
    if share <= 0.3:
        print("note: the start reaches 30% of the graph or less; pick a wider --start")

    runs: dict[str, Callable[[], Any]] = {
        "walk": lambda: walk(graph, start),
        "descendants": lambda: nx.descendants(graph, start),
        "walk supply_chain": lambda: walk(graph, start, "supply_chain"),
    }
    best = dict.fromkeys(runs, float("inf"))
    names = list(runs)
    for round_no in range(args.repeat):
        order = names if round_no % 2 == 0 else names[::-1]
        for name in order:
            best[name] = min(best[name], _time(runs[name]))
    base = best["descendants"]
    for name in names:
        print(f"{name:<18} best of {args.repeat}: {best[name] * 1000:8.1f} ms"
              + ("" if name == "descendants" else f"  ({best[name] / base:.2f} x descendants)"))
    ratio = best["walk"] / base
    verdict = "PASS" if ratio <= TARGET else "FAIL"
    print(f"walk/descendants = {ratio:.2f} (target <= {TARGET:.1f}): {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
