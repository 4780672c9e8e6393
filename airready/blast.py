"""Blast radius: what harm starting at one entity reaches, why, and whom to act on.

The walk is a breadth-first search, so the path kept for each entity is a shortest
one: the explanation a responder can check.  A scenario restricts the walk to the
edges along which that kind of harm spreads.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from .inventory import Inventory
from .kinds import Entity

FORWARD, REVERSE = "fwd", "rev"
LINEAGE = ("derives", "trains", "fine_tunes")
# Which edges each scenario follows, and in which direction.
SCENARIOS: dict[str, dict[str, Any]] = {
    "data_poisoning": {
        "summary": "poisoned data: every dataset derived from it, every model trained or "
                   "fine-tuned on it, and where those models run",
        "edges": {(e, FORWARD) for e in (*LINEAGE, "serves", "runs_in")},
        "start": {"Dataset", "Vendor", "Model"},
    },
    "supply_chain": {
        "summary": "a compromised vendor, component or upstream model: everything built on "
                   "it and everything those systems can touch",
        "edges": {(e, FORWARD) for e in ("supplies", "serves", *LINEAGE, "acts_through",
                                         "reaches", "reads", "holds", "runs_in")},
        "start": {"Vendor", "Component", "Model", "Dataset"},
    },
    "prompt_injection": {
        "summary": "a manipulated model: the tools it acts through, the data it reads, the "
                   "credentials it holds and the models that call it",
        "edges": {(e, FORWARD) for e in ("acts_through", "reaches", "reads", "holds",
                                         "runs_in", "serves")},
        "start": {"Model"},
    },
    "credential_leak": {
        "summary": "a leaked credential (or every credential a model holds): what it grants",
        "edges": {("holds", FORWARD), ("reaches", FORWARD)},
        "start": {"Credential", "Model", "Tool"},
    },
    "model_theft": {
        "summary": "stolen weights: the data they were trained on (extractable by inversion) "
                   "and the models fine-tuned from them",
        "edges": {("fine_tunes", FORWARD), ("trains", REVERSE), ("derives", REVERSE)},
        "start": {"Model"},
    },
}
SCENARIOS_WITH_PLAYBOOKS = {"data_poisoning", "supply_chain", "prompt_injection", "model_theft"}
WRITE_ACTIONS = frozenset({"write", "execute", "send", "pay", "delete", "deploy", "admin"})
SENSITIVE = frozenset({"pii", "phi", "payment", "credentials", "proprietary"})


@dataclass
class Reached:
    ref: str
    kind: str
    depth: int
    path: list[str]
    edges: list[str]


@dataclass
class BlastRadius:
    start: str
    scenario: str | None
    reverse: bool
    reached: list[Reached]
    act_on: dict[str, Any] = field(default_factory=dict)


def _neighbours(graph: nx.DiGraph, node: str, allowed: set[tuple[str, str]] | None,
                reverse: bool) -> Iterable[tuple[str, str]]:
    """(next node, edge type) pairs along the allowed edges."""
    forward, backward = (graph._pred, graph._succ) if reverse else (graph._succ, graph._pred)
    for other, data in forward[node].items():
        if allowed is None or (data["edge"], FORWARD) in allowed:
            yield other, data["edge"]
    if allowed is not None and any(d == REVERSE for _, d in allowed):
        for other, data in backward[node].items():
            if (data["edge"], REVERSE) in allowed:
                yield other, data["edge"]


def walk(graph: nx.DiGraph, start: str, scenario: str | None = None, reverse: bool = False,
         depth: int | None = None) -> list[Reached]:
    """Everything reachable from ``start``, each with one shortest path (BFS order)."""
    allowed = SCENARIOS[scenario]["edges"] if scenario else None
    parent: dict[str, tuple[str, str] | None] = {start: None}
    order: list[tuple[str, int]] = []
    queue = deque([(start, 0)])
    while queue:
        node, level = queue.popleft()
        if depth is not None and level >= depth:
            continue
        for other, edge in _neighbours(graph, node, allowed, reverse):
            if other not in parent:
                parent[other] = (node, edge)
                order.append((other, level + 1))
                queue.append((other, level + 1))
    kinds = graph.nodes
    reached = []
    for node, level in order:
        path, edges = [node], []
        step = parent[node]
        while step is not None:
            previous, edge = step
            path.append(previous)
            edges.append(edge)
            step = parent[previous]
        path.reverse()
        edges.reverse()
        reached.append(Reached(node, kinds[node]["kind"], level, path, edges))
    return reached


def blast_radius(graph: nx.DiGraph, inventory: Inventory, start: str,
                 scenario: str | None = None, reverse: bool = False,
                 depth: int | None = None, kinds: Iterable[str] = ()) -> BlastRadius:
    reached = walk(graph, start, scenario, reverse, depth)
    act_on = actions(inventory, start, reached, scenario)
    wanted = {k.lower() for k in kinds}
    if wanted:
        reached = [r for r in reached if r.kind.lower() in wanted]
    return BlastRadius(start, scenario, reverse, reached, act_on)


def _contact(entity: Entity) -> dict[str, Any]:
    spec = entity.spec
    info: dict[str, Any] = {"ref": entity.ref}
    for key in ("email", "phone"):
        if getattr(spec, key, None):
            info[key] = getattr(spec, key)
    return info


def _owner_entry(inventory: Inventory, owner: str, owns: list[str]) -> dict[str, Any]:
    entry: dict[str, Any] = {"ref": owner, "owns": sorted(owns)}
    entity = inventory.get(owner)
    if entity is None or entity.spec is None:
        return entry
    if entity.kind == "Person":
        entry.update({k: v for k, v in _contact(entity).items() if k != "ref"})
    elif entity.kind == "Team":
        if entity.spec.on_call:
            entry["on_call"] = entity.spec.on_call.model_dump(exclude_none=True)
        entry["members"] = [_contact(inventory.entities[m]) for m in entity.spec.members
                            if m in inventory.entities]
    return entry


def _vendors_of(entity: Entity) -> list[str]:
    spec = entity.spec
    if spec is None:
        return []
    found = [getattr(spec, name, None) for name in ("provider", "supplier", "issuer")]
    return [v for v in found if isinstance(v, str) and v.startswith("vendor:")]


def actions(inventory: Inventory, start: str, reached: list[Reached],
            scenario: str | None) -> dict[str, Any]:
    """Who and what to act on for the entities harm reaches (the start included)."""
    refs = [start, *(r.ref for r in reached)]
    entities = [inventory.entities[r] for r in refs if r in inventory.entities]
    models = [e for e in entities if e.kind == "Model"]
    owners: dict[str, list[str]] = {}
    for entity in entities:
        if entity.kind in ("Model", "Dataset", "Tool", "Component", "DataStore") and (
                entity.metadata.owner):
            owners.setdefault(entity.metadata.owner, []).append(entity.ref)
    vendors: dict[str, Entity] = {}
    for entity in entities:
        if entity.kind == "Vendor":
            vendors[entity.ref] = entity
        for vendor in _vendors_of(entity):
            if vendor in inventory.entities:
                vendors[vendor] = inventory.entities[vendor]
    data_classes: set[str] = set()
    for entity in entities:
        data_classes.update(getattr(entity.spec, "data_classes", None) or [])
    environments = [e for e in entities if e.kind == "Environment"]
    model_refs = {m.ref for m in models}
    playbooks = [p for p in inventory.of_kind("Playbook")
                 if (p.spec.applies_to == "all" or model_refs & set(p.spec.applies_to))
                 and (scenario is None or p.spec.scenario == scenario
                      or scenario not in SCENARIOS_WITH_PLAYBOOKS)]
    org = inventory.organization
    roles = {}
    if org is not None and org.spec is not None:
        roles = {name: role.model_dump(exclude_none=True) for name, role in org.spec.roles.items()}
    return {
        "models": sorted(model_refs),
        "owners": [_owner_entry(inventory, o, owns) for o, owns in sorted(owners.items())],
        "roles": roles,
        "credentials": [{"ref": c.ref, "revocation": c.spec.revocation}
                        for c in entities if c.kind == "Credential"],
        "vendors": [_vendor_entry(v) for _, v in sorted(vendors.items())],
        "environments": [{"ref": e.ref, "stage": e.spec.stage, "users": e.spec.users}
                         for e in environments],
        "users": sum((m.spec.users.count or 0) for m in models if m.spec.users),
        "data_classes": sorted(data_classes),
        "sensitive_data": sorted(data_classes & SENSITIVE),
        "write_tools": sorted(e.ref for e in entities if e.kind == "Tool"
                              and WRITE_ACTIONS & set(e.spec.actions)),
        "playbooks": sorted(p.ref for p in playbooks),
        "no_rollback": sorted(m.ref for m in models if m.spec.provider is None and not (
            m.spec.rollback and m.spec.rollback.known_good_version)),
    }


def _vendor_entry(vendor: Entity) -> dict[str, Any]:
    entry: dict[str, Any] = {"ref": vendor.ref}
    spec = vendor.spec
    if spec is None:
        entry["external"] = True
        return entry
    if spec.security_contact:
        entry["security_contact"] = spec.security_contact.model_dump(exclude_none=True,
                                                                      mode="json")
    if spec.incident_reporting:
        entry["incident_reporting"] = spec.incident_reporting
    if spec.notification_sla:
        entry["notification_sla"] = spec.notification_sla
    return entry


@dataclass
class Reach:
    """How far a model's harm reaches: what the scorecard asks more of."""

    write_tools: int
    sensitive_data: list[str]
    users: int
    external_users: bool


def model_reach(graph: nx.DiGraph, inventory: Inventory, ref: str) -> Reach:
    reached = walk(graph, ref, "prompt_injection")
    act = actions(inventory, ref, reached, None)
    model = inventory.entities[ref]
    external = bool(model.spec.users and model.spec.users.audience == "external")
    return Reach(len(act["write_tools"]), act["sensitive_data"], act["users"], external)
