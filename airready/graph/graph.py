"""The dependency graph: every reference in the inventory as a typed edge (networkx).

The edge rules live in edges.py; this builds the graph that blast-radius walks use.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

from ..inventory.model import Inventory
from ..inventory.problems import Problem
from .edges import LINEAGE_EDGES, EdgeSource, _edges

if TYPE_CHECKING:  # imported where a graph is built: check and validate never need it
    import networkx as nx


def edge_pairs(inventory: Inventory, only: frozenset[str]) -> Iterator[tuple[str, str, str]]:
    """(source, destination, type) of every declared edge of the types ``only`` between
    two entities: what the graph's edges of those types are, without building it (the
    scorecard needs reach sets, not a networkx graph)."""
    entities = inventory.entities
    for source, dest, edge, _ in _edges(inventory, only):
        if source in entities and dest in entities:
            yield source, dest, edge


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
    import networkx as nx

    graph = nx.DiGraph()
    inventory.derived["graph"] = graph
    for ref, entity in inventory.entities.items():
        graph.add_node(ref, kind=entity.kind)
    # source -> destination -> (first edge type, every type, first declaration)
    found: dict[str, dict[str, tuple[str, set[str], EdgeSource]]] = {}
    nodes = graph._node  # a dict: no method call per test, as ``in graph`` makes
    for source, dest, edge, where in _edges(inventory):
        if source not in nodes or dest not in nodes:
            continue  # a dangling reference: validate reports it
        out = found.get(source)
        if out is None:
            out = found[source] = {}
        first = out.get(dest)
        if first is None:
            out[dest] = (edge, {edge}, where)
        else:
            first[1].add(edge)
    # Both endpoints are nodes already: the adjacency is filled in directly, as add_edge
    # would fill it (one attribute dict shared by both directions), at a fraction of the
    # cost of 100,000 add_edge calls. Sources in order, then each one's destinations:
    # the order of sorting every (source, destination) pair, with short sorts.
    succ, pred = graph._succ, graph._pred
    for source in sorted(found):
        out = found[source]
        adjacent = succ[source]
        for dest in sorted(out):
            edge, edges, where = out[dest]
            adjacent[dest] = pred[dest][source] = {"edge": edge, "edges": edges,
                                                   "source": where}
    return graph


def lineage_cycles(inventory: Inventory) -> list[Problem]:
    """Warnings for cycles that make no sense: A fine-tuned from B fine-tuned from A.

    One warning per strongly connected group of the lineage edges, naming the shortest
    cycle through its smallest reference and pointing at the first declaration of that
    cycle's first edge.  The result is sorted and does not depend on hash seeds.  Only
    the lineage edges are built: ``check`` and ``validate`` need nothing more of the
    graph, and building all of it cost a large estate's audit a tenth of its time.
    """
    # source -> destination -> the first declaration of that edge
    lineage: dict[str, dict[str, EdgeSource]] = {}
    for source, dest, _, declared in _edges(inventory, LINEAGE_EDGES):
        if source in inventory.entities and dest in inventory.entities:
            lineage.setdefault(source, {}).setdefault(dest, declared)
            lineage.setdefault(dest, {})
    problems = []
    for component in strong_components(lineage):
        if len(component) < 2:
            continue
        cycle = _shortest_cycle(lineage, min(component), component)
        where = lineage[cycle[0]][cycle[1]]
        file, line, column = inventory.locate(where.entity, where.path)
        chain = " -> ".join(cycle)
        problems.append(Problem(file, line, column,
                                f"lineage cycle: {chain} (each one trains, derives or "
                                "fine-tunes the next; one of these references is wrong)",
                                level="warning", code="graph"))
    return sorted(problems)


def strong_components(graph: Mapping[str, Iterable[str]]) -> list[set[str]]:
    """The strongly connected components of ``graph`` (node -> successors), every node
    of which is a key (Tarjan's algorithm, without recursion)."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for root in graph:
        if root in order:
            continue
        order[root] = low[root] = len(order)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(graph[root]))]
        while work:
            node, children = work[-1]
            for child in children:
                if child not in order:
                    order[child] = low[child] = len(order)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                    break
                if child in on_stack and order[child] < low[node]:
                    low[node] = order[child]
            else:
                work.pop()
                if work and low[node] < low[work[-1][0]]:
                    low[work[-1][0]] = low[node]
                if low[node] == order[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    found.append(component)
    return found


def _shortest_cycle(graph: dict[str, dict[str, EdgeSource]], start: str, within: set[str]
                    ) -> list[str]:
    """``[start, ..., start]``: a shortest way back to ``start`` (ties: smallest refs)."""
    parent: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for other in sorted(graph[node]):
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
