"""The dependency graph: every reference in the inventory as a typed edge (networkx).

The edge rules live in edges.py; this builds the graph that blast-radius walks use.
"""

from __future__ import annotations

import networkx as nx

from ..inventory.model import Inventory
from ..inventory.problems import Problem
from .edges import LINEAGE_EDGES, EdgeSource, _edges


def build_graph(inventory: Inventory) -> nx.DiGraph:
    """Nodes are references (with their ``kind``); edges carry ``edge`` and ``source``.

    Two declarations of the same pair (a model that both depends on and is fine-tuned
    from another) keep the first edge type in ``edge`` and list every type in ``edges``.
    Edges are added sorted by (source, destination), so every adjacency is in sorted
    order whatever the files' layout: walks then break ties between equally short paths
    toward the lexicographically smallest one, the same on every machine.
    """
    cached = inventory.derived.get("graph")
    if cached is not None:  # the inventory does not change once loaded: build it once
        return cached
    graph = nx.DiGraph()
    inventory.derived["graph"] = graph
    for ref, entity in inventory.entities.items():
        graph.add_node(ref, kind=entity.kind)
    found: dict[tuple[str, str], tuple[str, set[str], EdgeSource]] = {}
    for source, dest, edge, where in _edges(inventory):
        if source not in graph or dest not in graph:
            continue  # a dangling reference: validate reports it
        first = found.get((source, dest))
        if first is None:
            found[source, dest] = (edge, {edge}, where)
        else:
            first[1].add(edge)
    for (source, dest), (edge, edges, where) in sorted(found.items()):
        graph.add_edge(source, dest, edge=edge, edges=edges, source=where)
    return graph


def lineage_cycles(inventory: Inventory) -> list[Problem]:
    """Warnings for cycles that make no sense: A fine-tuned from B fine-tuned from A.

    One warning per strongly connected group of the lineage edges, naming the shortest
    cycle through its smallest reference and pointing at the first declaration of that
    cycle's first edge.  The result is sorted and does not depend on hash seeds.  Only
    the lineage edges are built: ``check`` and ``validate`` need nothing more of the
    graph, and building all of it cost a large estate's audit a tenth of its time.
    """
    lineage = nx.DiGraph()
    for source, dest, _, declared in _edges(inventory, LINEAGE_EDGES):
        if (source in inventory.entities and dest in inventory.entities
                and not lineage.has_edge(source, dest)):
            lineage.add_edge(source, dest, source=declared)
    problems = []
    for component in nx.strongly_connected_components(lineage):
        if len(component) < 2:
            continue
        cycle = _shortest_cycle(lineage, min(component), component)
        where: EdgeSource = lineage.edges[cycle[0], cycle[1]]["source"]
        file, line, column = inventory.locate(where.entity, where.path)
        chain = " -> ".join(cycle)
        problems.append(Problem(file, line, column,
                                f"lineage cycle: {chain} (each one trains, derives or "
                                "fine-tunes the next; one of these references is wrong)",
                                level="warning", code="graph"))
    return sorted(problems)


def _shortest_cycle(graph: nx.DiGraph, start: str, within: set[str]) -> list[str]:
    """``[start, ..., start]``: a shortest way back to ``start`` (ties: smallest refs)."""
    parent: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for other in sorted(graph._succ[node]):
                if other == start:
                    cycle = [start, node]
                    while node != start:
                        node = parent[node]
                        cycle.append(node)
                    return cycle[::-1]
                if other in within and other not in parent:
                    parent[other] = node
                    following.append(other)
        frontier = following
    raise ValueError(f"{start} is on no cycle")  # not reached for a strong component
