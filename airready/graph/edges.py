"""The edges of the inventory, in plain Python: every reference field that carries harm.

Edges point the way harm spreads (see docs/format.md, "Relations and blast radius"):
a poisoned dataset taints the models it ``trains``, a compromised vendor ``supplies``
what it sells, a manipulated model ``acts_through`` its tools, and so on.  Owners,
playbooks and contacts are not edges: they are looked up for what harm reaches.

This module needs no graph library, so that ``check`` (whose controls judge over the
edges) does not pay for importing one; graph.py builds the networkx graph from it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from ..inventory.model import Inventory

# (entity kind, first field under spec) -> (edge type, True if harm flows ref -> entity)
EDGE_RULES: dict[tuple[str, str], tuple[str, bool]] = {
    ("Model", "training_data"): ("trains", True),
    ("Model", "fine_tuning"): ("trains", True),
    ("Dataset", "derived_from"): ("derives", True),
    ("Model", "base_model"): ("fine_tunes", True),
    ("Model", "provider"): ("supplies", True),
    ("Model", "developer"): ("supplies", True),
    ("Model", "publisher"): ("supplies", True),
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
# Fields holding blocks, of which only one key is the edge (fine_tuning[].by is a lookup).
EDGE_LEAVES: dict[tuple[str, str], str] = {
    ("Model", "fine_tuning"): "dataset",
    ("Model", "tools"): "tool",
}
# Edges along which a cycle means the lineage itself is wrong: data and weights cannot
# descend from themselves.  ``serves`` is left out: two agents may well call each other.
LINEAGE_EDGES = frozenset({"trains", "derives", "fine_tunes"})


class EdgeSource(NamedTuple):
    """Where an edge was declared, to point users at it.

    A named tuple, not a frozen dataclass: a graph holds one per edge (over 100,000 at
    10,000 models), and a frozen dataclass sets each field through object.__setattr__.
    """

    entity: str
    path: tuple[str | int, ...]


# Which kinds declare each edge type, so a walk for a few types skips the other entities.
_KINDS_OF = {edge: {kind for (kind, _), (e, _) in EDGE_RULES.items() if e == edge}
             for edge in EDGE_TYPES}


def _edges(inventory: Inventory, only: frozenset[str] | None = None
           ) -> Iterator[tuple[str, str, str, EdgeSource]]:
    """Every edge declaration (or those of the types ``only``), in inventory order."""
    kinds = None if only is None else set().union(*(_KINDS_OF[e] for e in only))
    for ref, entity in inventory.entities.items():
        if kinds is not None and entity.kind not in kinds:
            continue
        for path, target, _ in inventory.references(ref):
            if len(path) < 2 or path[0] != "spec":
                continue  # metadata.owner and the like are lookups, not edges
            key = (entity.kind, str(path[1]))
            rule = EDGE_RULES.get(key)
            if rule is None or (key in EDGE_LEAVES and path[-1] != EDGE_LEAVES[key]):
                continue
            edge, inbound = rule
            if only is not None and edge not in only:
                continue
            source, dest = (target, ref) if inbound else (ref, target)
            yield source, dest, edge, EdgeSource(ref, path)


def forward_edges(inventory: Inventory) -> dict[str, list[tuple[str, str]]]:
    """Each entity's outgoing edges as (destination, edge type), sorted, built once.

    An edge declared twice between the same pair is kept once per type.
    """
    cached: dict[str, list[tuple[str, str]]] | None = inventory.derived.get("forward_edges")
    if cached is not None:
        return cached
    found: dict[str, set[tuple[str, str]]] = {}
    for source, dest, edge, _ in _edges(inventory):
        if source in inventory.entities and dest in inventory.entities:
            found.setdefault(source, set()).add((dest, edge))
    forward = {ref: sorted(pairs) for ref, pairs in found.items()}
    inventory.derived["forward_edges"] = forward
    return forward


def _forward_along(inventory: Inventory, along: frozenset[str]
                   ) -> dict[str, list[tuple[str, str]]]:
    """``forward_edges`` keeping only edges of the types ``along``, built once per set:
    a model has many edges a walk along a few types would test and skip, every time."""
    key = "forward_along:" + ",".join(sorted(along))
    cached: dict[str, list[tuple[str, str]]] | None = inventory.derived.get(key)
    if cached is None:
        cached = {}
        for ref, pairs in forward_edges(inventory).items():
            kept = [pair for pair in pairs if pair[1] in along]
            if kept:
                cached[ref] = kept
        inventory.derived[key] = cached
    return cached


def shortest_paths(inventory: Inventory, start: str, along: frozenset[str]
                   ) -> dict[str, list[tuple[str, str]]]:
    """Every entity reachable from ``start`` along edges of the types ``along``, each with
    a shortest path as (edge type, entity) steps from ``start`` (ties: smallest refs)."""
    forward = _forward_along(inventory, along)
    paths: dict[str, list[tuple[str, str]]] = {start: []}
    frontier = [start]
    while frontier:
        following = []
        for ref in frontier:
            for dest, edge in forward.get(ref, ()):
                if dest not in paths:
                    paths[dest] = [*paths[ref], (edge, dest)]
                    following.append(dest)
        frontier = following
    del paths[start]
    return paths


# How each edge reads in a sentence, from its source to its destination.
EDGE_VERBS = {
    "trains": "trains", "derives": "feeds", "fine_tunes": "is the base of",
    "supplies": "supplies", "serves": "serves", "acts_through": "acts through",
    "reaches": "reaches", "reads": "reads", "holds": "holds", "runs_in": "runs in",
}


def describe_path(start: str, steps: list[tuple[str, str]]) -> str:
    """``model:bot holds credential:ops, which reaches datastore:logs``."""
    words = [start]
    for index, (edge, ref) in enumerate(steps):
        words.append(("" if index == 0 else ", which ") + f"{EDGE_VERBS.get(edge, edge)} {ref}")
    return words[0] + " " + "".join(words[1:]) if len(words) > 1 else start
