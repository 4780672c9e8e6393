"""The dependency graph: every reference in the inventory as a typed edge.

Edges point the way harm spreads (see docs/format.md, "Relations and blast radius"):
a poisoned dataset taints the models it ``trains``, a compromised vendor ``supplies``
what it sells, a manipulated model ``acts_through`` its tools, and so on.  Owners,
playbooks and contacts are not edges: they are looked up for what harm reaches.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import networkx as nx

from .inventory import Inventory
from .problems import Problem
from .refs import iter_refs

# (entity kind, first field under spec) -> (edge type, True if harm flows ref -> entity)
EDGE_RULES: dict[tuple[str, str], tuple[str, bool]] = {
    ("Model", "training_data"): ("trains", True),
    ("Model", "fine_tuning"): ("trains", True),
    ("Dataset", "derived_from"): ("derives", True),
    ("Model", "base_model"): ("fine_tunes", True),
    ("Model", "provider"): ("supplies", True),
    ("Dataset", "supplier"): ("supplies", True),
    ("Component", "supplier"): ("supplies", True),
    ("DataStore", "supplier"): ("supplies", True),
    ("Credential", "issuer"): ("supplies", True),
    ("Model", "depends_on"): ("serves", True),
    ("Component", "depends_on"): ("serves", True),
    ("Model", "tools"): ("acts_through", False),
    ("Tool", "reaches"): ("reaches", False),
    ("Credential", "grants"): ("reaches", False),
    ("Model", "data_access"): ("reads", False),
    ("Model", "credentials"): ("holds", False),
    ("Model", "environments"): ("runs_in", False),
}
EDGE_TYPES = ("trains", "derives", "fine_tunes", "supplies", "serves", "acts_through",
              "reaches", "reads", "holds", "runs_in")
# Edges along which a cycle means the lineage itself is wrong.
LINEAGE_EDGES = frozenset({"trains", "derives", "fine_tunes", "serves"})


@dataclass(frozen=True)
class EdgeSource:
    """Where an edge was declared, to point users at it."""

    entity: str
    path: tuple[str | int, ...]


def _edges(inventory: Inventory) -> Iterator[tuple[str, str, str, EdgeSource]]:
    for ref, entity in inventory.entities.items():
        for path, target, _ in iter_refs(entity):
            if len(path) < 2 or path[0] != "spec":
                continue  # metadata.owner and the like are lookups, not edges
            rule = EDGE_RULES.get((entity.kind, str(path[1])))
            if rule is None:
                continue
            edge, inbound = rule
            source, dest = (target, ref) if inbound else (ref, target)
            yield source, dest, edge, EdgeSource(ref, path)


def build_graph(inventory: Inventory) -> nx.DiGraph:
    """Nodes are references (with their ``kind``); edges carry ``edge`` and ``source``.

    Two declarations of the same pair (a dataset in training_data and fine_tuning) keep
    the first edge type and list every type in ``edges``.
    """
    graph = nx.DiGraph()
    for ref, entity in inventory.entities.items():
        graph.add_node(ref, kind=entity.kind)
    for source, dest, edge, where in _edges(inventory):
        if source not in graph or dest not in graph:
            continue  # a dangling reference: validate reports it
        data = graph.get_edge_data(source, dest)
        if data is None:
            graph.add_edge(source, dest, edge=edge, edges={edge}, source=where)
        else:
            data["edges"].add(edge)
    return graph


def lineage_cycles(graph: nx.DiGraph, inventory: Inventory) -> list[Problem]:
    """Warnings for cycles that make no sense: A fine-tuned from B fine-tuned from A."""
    lineage = graph.edge_subgraph(
        [(u, v) for u, v, d in graph.edges(data=True) if d["edges"] & LINEAGE_EDGES])
    problems = []
    for component in nx.strongly_connected_components(lineage):
        if len(component) < 2:
            continue
        members = sorted(component)
        cycle = nx.find_cycle(lineage.subgraph(members))
        first_source: EdgeSource = lineage.edges[cycle[0][0], cycle[0][1]]["source"]
        file, line, column = inventory.locate(first_source.entity, first_source.path)
        chain = " -> ".join([cycle[0][0], *(v for _, v in cycle)])
        problems.append(Problem(file, line, column,
                                f"lineage cycle: {chain} (each one trains, derives, fine-tunes or "
                                "serves the next; one of these references is wrong)",
                                level="warning", code="graph"))
    return problems
