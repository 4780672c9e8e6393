"""Blast radius: what harm starting at one entity reaches, why, and whom to act on.

The walk is a breadth-first search, so the path kept for each entity is a shortest
one: the explanation a responder can check.  A scenario restricts the walk to the
edges along which that kind of harm spreads.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..inventory.kinds import SENSITIVE_DATA, WRITE_ACTIONS, Entity
from ..inventory.model import Inventory
from .edges import EDGE_TYPES
from .graph import edge_pairs
from .reach import Closures, bit_slices, max_of, sum_of
from .reach import edge_of as _edge_of

if TYPE_CHECKING:  # graphs are built (and networkx imported) in graph.build_graph
    import networkx as nx

FORWARD, REVERSE = "fwd", "rev"
LINEAGE = ("derives", "trains", "fine_tunes")
# Which edges each scenario follows, and in which direction.
SCENARIOS: dict[str, dict[str, Any]] = {
    "data_poisoning": {
        "summary": "poisoned data (or a data vendor's feed): every dataset derived from it, "
                   "every model trained or fine-tuned on it, and where those models run",
        "edges": {(e, FORWARD) for e in ("supplies", *LINEAGE, "serves", "runs_in")},
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


@dataclass(slots=True)
class Reached:
    """One entity harm reaches, and the shortest way there.

    ``path`` runs from the start to ``ref``; ``edges[i]`` is the type of the edge between
    ``path[i]`` and ``path[i + 1]``, and ``against[i]`` is True when the walk took that
    edge backwards, from where harm goes to where it comes from (every step of a
    ``--reverse`` walk; the trains and derives steps of ``model_theft``).
    """

    ref: str
    kind: str
    depth: int
    path: list[str]
    edges: list[str]
    against: tuple[bool, ...] = ()


@dataclass
class BlastRadius:
    start: str
    scenario: str | None
    reverse: bool
    reached: list[Reached]
    act_on: dict[str, Any] = field(default_factory=dict)
    # The titles of the entities named, for people reading the report ("person:ada (Ada
    # Okafor)"); machines use the references.
    titles: dict[str, str] = field(default_factory=dict)


def walk(graph: nx.DiGraph, start: str, scenario: str | None = None, reverse: bool = False,
         depth: int | None = None, limit: int | None = None) -> list[Reached]:
    """Everything reachable from ``start``, each with one shortest path, in BFS order.

    ``scenario`` restricts the walk to the edges (and directions) of SCENARIOS,
    ``reverse`` walks every edge backwards, ``depth`` stops after that many hops, and
    ``limit`` after that many entities (the nearest ones: the first of the full walk).
    Between equally short paths the first found wins; a graph from build_graph keeps
    every adjacency sorted, so that is the lexicographically smallest path.
    """
    return walk_edges(graph, start, _edges_of(scenario), reverse, depth, limit)


def walk_edges(graph: nx.DiGraph, start: str, allowed: set[tuple[str, str]] | None,
               reverse: bool = False, depth: int | None = None,
               limit: int | None = None) -> list[Reached]:
    """walk() along a set of (edge type, direction) pairs of one's own; None is every edge."""
    if start not in graph:
        raise KeyError(f"{start} is not in the graph")
    stop = len(graph) if limit is None else limit
    if allowed is None:
        return _walk_all(graph, start, reverse, depth, stop)
    return _walk_scenario(graph, start, allowed, reverse, depth, stop)


def _edges_of(scenario: str | None) -> set[tuple[str, str]] | None:
    return None if scenario is None else SCENARIOS[scenario]["edges"]


def reach(graph: nx.DiGraph, start: str, scenario: str | None = None) -> list[str]:
    """The entities walk() reaches, in the same order, without building their paths.

    For callers that need only who is reached (the scorecard's required level, the
    runbook's act-on lists): about a third of the cost of a walk with paths.
    """
    allowed = _edges_of(scenario)
    if start not in graph:
        raise KeyError(f"{start} is not in the graph")
    if allowed is not None and any(d == REVERSE for _, d in allowed):
        return [r.ref for r in walk(graph, start, scenario)]
    along = None if allowed is None else frozenset(e for e, _ in allowed)
    return list(_reach_in_order(graph, start, along))


def _reach_in_order(graph: nx.DiGraph, start: str, along: frozenset[str] | None
                    ) -> Iterator[str]:
    """reach(), one entity at a time (forward edges only)."""
    ahead = graph._succ
    seen = {start}
    mark = seen.add
    frontier = [start]
    while frontier:
        following: list[str] = []
        follow = following.append
        for ref in frontier:
            for other, data in ahead[ref].items():
                if other in seen or (along is not None and data["edge"] not in along
                                     and _edge_of(data, along) is None):
                    continue
                mark(other)
                yield other
                follow(other)
        frontier = following


def _walk_all(graph: nx.DiGraph, start: str, reverse: bool,
              depth: int | None, stop: int) -> list[Reached]:
    """Every edge, one direction: the hot path, so it reads the adjacency directly.

    A child's path is its parent's plus one (one C-level copy, no walking back up the
    tree), the entries reached at one depth are the next depth's frontier, and the
    ``against`` flags, all alike, are one tuple shared by every entry of a depth.
    """
    ahead = graph._pred if reverse else graph._succ
    kinds = graph._node
    seen = {start}
    mark = seen.add
    reached: list[Reached] = []
    keep = reached.append
    frontier = [Reached(start, kinds[start]["kind"], 0, [start], [], ())]
    level = 0
    limit = len(graph) if depth is None else depth
    while frontier and level < limit:
        level += 1
        flags = (reverse,) * level
        following: list[Reached] = []
        follow = following.append
        for entry in frontier:
            if len(reached) >= stop:
                return reached if len(reached) <= stop else reached[:stop]
            around = ahead[entry.ref]
            path, edges = entry.path, entry.edges
            for other in around:
                if other not in seen:
                    mark(other)
                    found = Reached(other, kinds[other]["kind"], level, [*path, other],
                                    [*edges, around[other]["edge"]], flags)
                    keep(found)
                    follow(found)
        frontier = following
    return reached if len(reached) <= stop else reached[:stop]


def _walk_scenario(graph: nx.DiGraph, start: str, allowed: set[tuple[str, str]],
                   reverse: bool, depth: int | None, stop: int) -> list[Reached]:
    """Only the edges a scenario follows, each in its direction (reversed by ``reverse``)."""
    along = frozenset(e for e, d in allowed if d == FORWARD)
    back = frozenset(e for e, d in allowed if d == REVERSE)
    if back:
        both = _walk_both_ways(graph, start, along, back, reverse, depth)
        return both if len(both) <= stop else both[:stop]
    ahead = graph._pred if reverse else graph._succ
    kinds = graph._node
    seen = {start}
    mark = seen.add
    reached: list[Reached] = []
    keep = reached.append
    frontier = [Reached(start, kinds[start]["kind"], 0, [start], [], ())]
    level = 0
    limit = len(graph) if depth is None else depth
    while frontier and level < limit:
        level += 1
        flags = (reverse,) * level
        following: list[Reached] = []
        follow = following.append
        for entry in frontier:
            if len(reached) >= stop:
                return reached if len(reached) <= stop else reached[:stop]
            path, edges = entry.path, entry.edges
            for other, data in ahead[entry.ref].items():
                if other in seen:
                    continue
                edge = data["edge"]
                if edge not in along:
                    edge = _edge_of(data, along)
                    if edge is None:
                        continue
                mark(other)
                found = Reached(other, kinds[other]["kind"], level, [*path, other],
                                [*edges, edge], flags)
                keep(found)
                follow(found)
        frontier = following
    return reached if len(reached) <= stop else reached[:stop]


def _walk_both_ways(graph: nx.DiGraph, start: str, along: frozenset[str],
                    back: frozenset[str], reverse: bool, depth: int | None) -> list[Reached]:
    """Some edges forwards and some backwards (model_theft): neighbours merged in order."""
    ahead, behind = (graph._pred, graph._succ) if reverse else (graph._succ, graph._pred)
    kinds = graph._node
    seen = {start}
    reached: list[Reached] = []
    frontier = [Reached(start, kinds[start]["kind"], 0, [start], [], ())]
    level = 0
    limit = len(graph) if depth is None else depth
    while frontier and level < limit:
        level += 1
        following = []
        for entry in frontier:
            steps = []
            for other, data in ahead[entry.ref].items():
                if other not in seen and (edge := _edge_of(data, along)):
                    steps.append((other, edge, reverse))
            for other, data in behind[entry.ref].items():
                if other not in seen and (edge := _edge_of(data, back)):
                    steps.append((other, edge, not reverse))
            steps.sort(key=lambda step: step[0])  # stable: forward first on a tie
            for other, edge, flag in steps:
                if other in seen:
                    continue
                seen.add(other)
                found = Reached(other, kinds[other]["kind"], level, [*entry.path, other],
                                [*entry.edges, edge], (*entry.against, flag))
                reached.append(found)
                following.append(found)
        frontier = following
    return reached


def blast_radius(graph: nx.DiGraph, inventory: Inventory, start: str,
                 scenario: str | None = None, reverse: bool = False,
                 depth: int | None = None, kinds: Iterable[str] = ()) -> BlastRadius:
    reached = walk(graph, start, scenario, reverse, depth)
    act_on = actions(inventory, start, (r.ref for r in reached), scenario)
    wanted = {k.lower() for k in kinds}
    if wanted:
        reached = [r for r in reached if r.kind.lower() in wanted]
    named = {start, *(r.ref for r in reached), *act_on["models"], *act_on["write_tools"],
             *act_on["no_rollback"], *act_on["playbooks"]}
    for key in ("owners", "credentials", "vendors", "environments"):
        named.update(item["ref"] for item in act_on[key])
    for owner in act_on["owners"]:
        named.update(member["ref"] for member in owner.get("members", []))
    for role in act_on["roles"].values():
        named.update(ref for ref in (role.get("primary"), role.get("backup")) if ref)
    titles = {ref: title for ref in sorted(named)
              if (entity := inventory.get(ref)) is not None
              and (title := entity.metadata.title) and title != ref}
    return BlastRadius(start, scenario, reverse, reached, act_on, titles)


def _contact(entity: Entity) -> dict[str, Any]:
    spec = entity.spec
    info: dict[str, Any] = {"ref": entity.ref}
    for key in ("email", "phone"):
        if getattr(spec, key, None):
            info[key] = getattr(spec, key)
    return info


def _owner_entry(inventory: Inventory, owner: str, owns: list[str]) -> dict[str, Any]:
    """An owner to page: contact details (read once per inventory) and what it owns here."""
    contacts: dict[str, dict[str, Any]] = inventory.derived.setdefault("owner_contacts", {})
    if owner not in contacts:
        contacts[owner] = _owner_contact(inventory, owner)
    return {"ref": owner, "owns": sorted(owns), **contacts[owner]}


def _owner_contact(inventory: Inventory, owner: str) -> dict[str, Any]:
    entity = inventory.get(owner)
    if entity is None or entity.spec is None:
        return {}
    if entity.kind == "Person":
        return {k: v for k, v in _contact(entity).items() if k != "ref"}
    entry: dict[str, Any] = {}
    if entity.kind == "Team":
        if entity.spec.on_call:
            entry["on_call"] = entity.spec.on_call.model_dump(exclude_none=True)
        entry["members"] = [_contact(inventory.entities[m]) for m in entity.spec.members
                            if m in inventory.entities]
    return entry


_OWNED = frozenset({"Model", "Dataset", "Tool", "Component", "DataStore"})


@dataclass(frozen=True, slots=True)
class _Facts:
    """What actions() needs of one entity, read once per inventory.

    Reading the same fields through pydantic for every model whose reach includes the
    entity cost most of a site build: a missing attribute on a pydantic model is a slow
    ``__getattr__`` fallback, and an estate's models reach hundreds of the same entities.
    """

    entity: Entity
    owner: str | None
    vendors: tuple[str, ...]
    data_classes: tuple[str, ...]
    writes: bool
    users: int | None = None  # a live model's or an environment's declared users
    environments: tuple[str, ...] = ()  # where a live model runs
    no_rollback: bool = False  # a self-hosted model with no known-good version
    retired: bool = False


def _vendors_of(entity: Entity) -> tuple[str, ...]:
    """The vendors behind an entity: provider, developers, publishers, supplier, issuer."""
    spec = entity.spec
    if spec is None:
        return ()
    fields = type(spec).model_fields
    found: list[str] = []
    for name in ("provider", "developer", "publisher", "supplier", "issuer"):
        if name in fields:
            value = getattr(spec, name)
            found += value if isinstance(value, list) else [value]
    return tuple(v for v in found if isinstance(v, str) and v.startswith("vendor:"))


def _facts(inventory: Inventory) -> dict[str, _Facts]:
    cached: dict[str, _Facts] | None = inventory.derived.get("blast_facts")
    if cached is not None:
        return cached
    facts = {}
    for ref, entity in inventory.entities.items():
        spec = entity.spec
        fields = type(spec).model_fields if spec is not None else {}
        model = entity.kind == "Model" and spec is not None
        retired = model and spec.lifecycle == "retired"
        users = None
        if model and not retired and spec.users is not None:
            users = spec.users.count
        elif entity.kind == "Environment" and spec is not None:
            users = spec.users
        facts[ref] = _Facts(
            entity,
            entity.metadata.owner if entity.kind in _OWNED else None,
            _vendors_of(entity),
            tuple(spec.data_classes or ()) if "data_classes" in fields else (),
            entity.kind == "Tool" and spec is not None and bool(WRITE_ACTIONS & set(spec.actions)),
            users,
            tuple(spec.environments) if model and not retired else (),
            model and not retired and spec.provider is None and not (
                spec.rollback and spec.rollback.known_good_version),
            retired)
    inventory.derived["blast_facts"] = facts
    return facts


def actions(inventory: Inventory, start: str, reached: Iterable[str],
            scenario: str | None) -> dict[str, Any]:
    """Who and what to act on for the entities harm reaches (``start`` included).

    ``reached`` is the references a walk reached, in its order.
    """
    facts = _facts(inventory)
    by_kind: dict[str, list[Entity]] = {"Model": [], "Credential": [], "Environment": []}
    owners: dict[str, list[str]] = {}
    vendors: dict[str, Entity] = {}
    data_classes: set[str] = set()
    write_tools = []
    populations: dict[str, tuple[int, tuple[str, ...]]] = {}
    no_rollback = []
    for ref in (start, *reached):  # one pass: this runs for every model of the estate
        fact = facts.get(ref)
        if fact is None:
            continue
        entity = fact.entity
        if entity.kind in by_kind:
            by_kind[entity.kind].append(entity)
        elif entity.kind == "Vendor":
            vendors[ref] = entity
        if fact.owner:
            owners.setdefault(fact.owner, []).append(ref)
        for vendor in fact.vendors:
            if vendor in inventory.entities:
                vendors[vendor] = inventory.entities[vendor]
        if fact.data_classes:
            data_classes.update(fact.data_classes)
        if fact.writes:
            write_tools.append(ref)
        if entity.kind == "Model":
            _add_population(populations, fact, facts)
        if fact.no_rollback:
            no_rollback.append(ref)
    floor, ceiling = _user_range(populations, facts)
    models = by_kind["Model"]
    model_refs = {m.ref for m in models}
    playbooks = [p for p in inventory.of_kind("Playbook") if p.spec is not None  # external
                 and (p.spec.applies_to == "all" or model_refs & set(p.spec.applies_to))
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
                        for c in by_kind["Credential"]],
        "vendors": [_vendor_entry(v) for _, v in sorted(vendors.items())],
        "environments": [{"ref": e.ref, "stage": e.spec.stage, "users": e.spec.users}
                         for e in by_kind["Environment"]],
        # A floor and a ceiling: one population served by two models (a router and the
        # model behind it) is one population, and unknown overlaps are not assumed away.
        "users": floor,
        "users_ceiling": ceiling,
        "user_populations": {ref: count for ref, (count, _) in sorted(populations.items())},
        "data_classes": sorted(data_classes),
        "sensitive_data": sorted(data_classes & SENSITIVE_DATA),
        "write_tools": sorted(write_tools),
        "playbooks": sorted(p.ref for p in playbooks),
        "no_rollback": sorted(no_rollback),
    }


def _add_population(populations: dict[str, tuple[int, tuple[str, ...]]], model: _Facts,
                    facts: dict[str, _Facts]) -> None:
    """The users a live model reaches: its own count, or else the counts of the
    environments it runs in (all of them must declare one), keyed by where they are
    counted, with the environments that bound them.  Retired models reach nobody."""
    if model.retired:
        return
    if model.users is not None:
        populations[model.entity.ref] = (model.users, model.environments)
        return
    counts = [(env, facts[env].users) for env in model.environments if env in facts]
    if counts and all(users is not None for _, users in counts):
        for env, users in counts:
            populations[env] = (users or 0, (env,))


def _population(model: _Facts, facts: dict[str, _Facts]) -> int | None:
    """The largest population a live model adds on its own (see ``_add_population``)."""
    found: dict[str, tuple[int, tuple[str, ...]]] = {}
    _add_population(found, model, facts)
    return max((count for count, _ in found.values()), default=None)


def _user_range(populations: dict[str, tuple[int, tuple[str, ...]]],
                facts: dict[str, _Facts]) -> tuple[int | None, int | None]:
    """A floor (the largest population) and a ceiling (their sum, where the populations
    of one environment are capped at that environment's own count: two models serving
    the same users are not counted twice)."""
    if not populations:
        return None, None
    floor = max(count for count, _ in populations.values())
    groups: dict[tuple[str, ...], int] = {}
    for count, environments in populations.values():
        groups[environments] = groups.get(environments, 0) + count
    return floor, max(floor, _capped_sum(groups, facts))


def _capped_sum(totals: dict[tuple[str, ...], int], facts: dict[str, _Facts]) -> int:
    """The users of each group of environments, capped at what those environments declare
    (when every one of them declares a count), summed."""
    ceiling = 0
    for environments, total in totals.items():
        caps = [facts[env].users for env in environments if env in facts]
        if environments and len(caps) == len(environments) and None not in caps:
            total = min(total, sum(c or 0 for c in caps))
        ceiling += total
    return ceiling


def users_phrase(act: dict[str, Any]) -> str:
    """``52,000 to 104,000 users (environment:prod has 52,000)``, ``unknown`` when none is
    declared: a missing count is never shown as 0."""
    floor, ceiling = act.get("users"), act.get("users_ceiling")
    if floor is None:
        return "unknown (no user counts declared)"
    if ceiling == floor:
        return f"{floor:,}"
    populations = act.get("user_populations", {})
    largest = max(populations, key=lambda ref: (populations[ref], ref)) if populations else None
    where = f"; {largest} has {floor:,}" if largest else ""
    return f"{floor:,} to {ceiling:,} (how far they overlap is unknown{where})"


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
    users: int | None  # the largest known population reached; None: nothing declared
    external_users: bool


def injection_reach(graph: nx.DiGraph, inventory: Inventory, ref: str
                    ) -> tuple[list[str], dict[str, Any]]:
    """What a manipulated model reaches (in walk order) and whom to act on.

    Not kept: a runbook asks once per model, and at 10,000 models every model's reach
    and act-on lists, kept together, took gigabytes (the scorecard and the site's reach
    counts use the shared sets of ``closures`` instead).
    """
    reached = reach(graph, ref, "prompt_injection")
    return reached, actions(inventory, ref, reached, None)


def closures(graph: nx.DiGraph, scenario: str | None = None) -> Closures:
    """Every entity's reach under ``scenario`` (None: every edge), in one pass, once per
    graph: the sets ``walk`` would reach from each entity, without a walk per entity."""
    cache: dict[str | None, Closures] = graph.graph.setdefault("closures", {})
    found = cache.get(scenario)
    if found is None:
        allowed = _edges_of(scenario)
        if allowed is None:
            along, back = frozenset(EDGE_TYPES), frozenset[str]()
        else:
            along = frozenset(e for e, d in allowed if d == FORWARD)
            back = frozenset(e for e, d in allowed if d == REVERSE)
        found = cache[scenario] = Closures(graph, along, back)
    return found


def inventory_closures(inventory: Inventory, scenario: str) -> Closures:
    """``closures(build_graph(inventory), scenario)``, from the inventory's declared
    edges, without building the graph; once per inventory."""
    cache: dict[str, Closures] = inventory.derived.setdefault("closures", {})
    found = cache.get(scenario)
    if found is None:
        edges = SCENARIOS[scenario]["edges"]
        along = frozenset(e for e, d in edges if d == FORWARD)
        back = frozenset(e for e, d in edges if d == REVERSE)
        pairs = [(s, d) if edge in along else (d, s)
                 for s, d, edge in edge_pairs(inventory, along | back)]
        found = cache[scenario] = Closures(None, refs=inventory.entities, pairs=pairs)
    return found


def _write_closures(inventory: Inventory) -> tuple[Closures, int]:
    """The prompt-injection reach without the tool grants that may not write, and the tools
    that can write, on its index: a tool granted only ``[read]`` is no write tool for the
    models that hold it that way (it still is for one that reaches it through a
    credential).  Once per inventory."""
    cached: tuple[Closures, int] | None = inventory.derived.get("write_closures")
    if cached is not None:
        return cached
    along = frozenset(e for e, _ in SCENARIOS["prompt_injection"]["edges"])
    entities = inventory.entities
    read_only: set[tuple[str, str]] = set()
    for model in inventory.of_kind("Model"):
        if model.spec is None:
            continue
        for grant in model.spec.tools:
            if grant.permissions and not WRITE_ACTIONS & set(grant.permissions):
                read_only.add((model.ref, grant.tool))
    pairs = [(s, d) for s, d, edge in edge_pairs(inventory, along)
             if not (edge == "acts_through" and (s, d) in read_only)]
    index = Closures(None, refs=entities, pairs=pairs)
    facts = _facts(inventory)
    writes = index.mask(ref for ref, fact in facts.items() if fact.writes)
    inventory.derived["write_closures"] = (index, writes)
    return index, writes


@dataclass(frozen=True, slots=True)
class _Masks:
    """The facts model_reach and runbook_reach count, as bitsets over one Closures' index."""

    writes: int
    sensitive: dict[str, int]  # data class -> entities holding it (sensitive classes)
    # Each live model's population (its own user count, else the largest of its
    # environments' when they all declare one), bit-sliced for max_of; ``counted`` holds
    # the models that have one.  The floor of users reached is their maximum.
    population: list[int]
    counted: int
    classes: dict[str, int] = field(default_factory=dict)  # every data class, likewise
    vendors: dict[str, int] = field(default_factory=dict)  # vendor -> itself and its users
    kinds: dict[str, int] = field(default_factory=dict)  # Model, Credential, Environment
    revocable: int = 0  # credentials with a revocation procedure
    playbooks: dict[str, int] = field(default_factory=dict)  # -> the models it applies to


def _masks(inventory: Inventory, index: Closures) -> _Masks:
    cached: tuple[Closures, _Masks] | None = inventory.derived.get("reach_masks")
    if cached is not None and cached[0] is index:
        return cached[1]
    facts = _facts(inventory)
    writes = 0
    sensitive: dict[str, int] = {}
    populations: list[tuple[int, int]] = []  # (entity index, a live model's population)
    counted = 0
    classes: dict[str, int] = {}
    vendors: dict[str, int] = {}
    kinds: dict[str, int] = {"Model": 0, "Credential": 0, "Environment": 0}
    revocable = 0
    for ref, i in index.index.items():
        fact = facts.get(ref)
        if fact is None:
            continue
        bit = 1 << i
        kind = fact.entity.kind
        if kind in kinds:
            kinds[kind] |= bit
            spec = fact.entity.spec
            if kind == "Credential" and spec is not None and spec.revocation:
                revocable |= bit
        elif kind == "Vendor":
            vendors[ref] = vendors.get(ref, 0) | bit
        for vendor in fact.vendors:
            if vendor in inventory.entities:
                vendors[vendor] = vendors.get(vendor, 0) | bit
        if fact.writes:
            writes |= bit
        for data_class in fact.data_classes:
            classes[data_class] = classes.get(data_class, 0) | bit
            if data_class in SENSITIVE_DATA:
                sensitive[data_class] = sensitive.get(data_class, 0) | bit
        if kind == "Model":
            population = _population(fact, facts)
            if population is not None:
                populations.append((i, population))
                counted |= bit
    playbooks = {p.ref: index.mask(m for m in p.spec.applies_to
                                   if m in inventory.entities
                                   and inventory.entities[m].kind == "Model")
                 for p in inventory.of_kind("Playbook")
                 if p.spec is not None and p.spec.applies_to != "all"}
    playbooks.update({p.ref: -1 for p in inventory.of_kind("Playbook")  # every bitset
                      if p.spec is not None and p.spec.applies_to == "all"})
    masks = _Masks(writes, sensitive, bit_slices(populations), counted, classes=classes,
                   vendors=vendors, kinds=kinds, revocable=revocable, playbooks=playbooks)
    inventory.derived["reach_masks"] = (index, masks)
    return masks


@dataclass
class _UserGroups:
    """Live models' user populations as ``_user_range`` groups them, as bitsets over one
    Closures' index: a runbook's floor and ceiling then cost a few ANDs per group instead
    of a loop over every model reached (most of an estate, in a large one)."""

    # where the models run -> (the models counting their own users, their counts sliced)
    own: dict[tuple[str, ...], tuple[int, list[int]]]
    # environment -> the models counted through it (no count of their own; every
    # environment they run in declares one)
    through: dict[str, int]
    by_count: dict[int, int]  # an own count -> the models that have it


def _user_groups(inventory: Inventory, index: Closures) -> _UserGroups:
    cached: tuple[Closures, _UserGroups] | None = inventory.derived.get("user_groups")
    if cached is not None and cached[0] is index:
        return cached[1]
    facts = _facts(inventory)
    own: dict[tuple[str, ...], list[tuple[int, int]]] = {}
    through: dict[str, int] = {}
    by_count: dict[int, int] = {}
    for ref, i in index.index.items():
        fact = facts.get(ref)
        if fact is None or fact.entity.kind != "Model" or fact.retired:
            continue
        if fact.users is not None:
            own.setdefault(fact.environments, []).append((i, fact.users))
            by_count[fact.users] = by_count.get(fact.users, 0) | (1 << i)
            continue
        counts = [facts[env].users for env in fact.environments if env in facts]
        if counts and None not in counts:
            for env in fact.environments:
                if env in facts:
                    through[env] = through.get(env, 0) | (1 << i)
    groups = _UserGroups(
        {envs: (sum(1 << i for i, _ in members), bit_slices(members))
         for envs, members in own.items()}, through, by_count)
    inventory.derived["user_groups"] = (index, groups)
    return groups


def _user_range_of(bits: int, index: Closures, masks: _Masks, groups: _UserGroups,
                   facts: dict[str, _Facts]) -> tuple[int | None, int | None, str | None]:
    """``_user_range`` of the populations a reach set holds, and the reference of the
    largest (ties: the last by name, as users_phrase picks), from the bitsets."""
    floor = max_of(bits, masks.population, masks.counted)
    if floor is None:
        return None, None, None
    totals: dict[tuple[str, ...], int] = {}
    for environments, (mask, slices) in groups.own.items():
        if bits & mask:
            totals[environments] = sum_of(bits & mask, slices)
    reached = [env for env, mask in groups.through.items() if bits & mask]
    for env in reached:
        totals[(env,)] = totals.get((env,), 0) + (facts[env].users or 0)
    ceiling = _capped_sum(totals, facts)
    named = [env for env in reached if facts[env].users == floor]
    named += index.members(bits & groups.by_count.get(floor, 0))
    return floor, max(floor, ceiling), max(named) if named else None


@dataclass
class RunbookReach:
    """What a runbook needs of a model's reach, when only its first lines are shown.

    ``act`` has the fields of ``actions()`` that runbooks read (credentials,
    environments, users, data classes, write tools, vendors, playbooks), equal to what
    ``actions()`` gives for a walk from the model, except for their order and that
    ``credentials`` holds only the first ``keep`` with a revocation procedure and the
    first ``keep`` without, in the order a runbook lists them (the model's own first,
    then by name); ``dropped`` says how many of each were left out, and
    ``user_populations`` names only the largest population.
    """

    count: int  # entities reached (the start not counted)
    act: dict[str, Any]
    dropped_revocable: int
    dropped_unrevocable: int


def runbook_reach(graph: nx.DiGraph, inventory: Inventory, ref: str, keep: int
                  ) -> RunbookReach:
    """A runbook's act-on lists from the shared reach sets (for the site, which builds a
    runbook for every model and shows the first lines of each step).

    Everything comes from the bitsets, without a walk: a runbook lists credentials and
    environments the model names itself first, then the rest by name (build_runbook),
    so the first ``keep`` of each sort are the model's own and the lowest bits of the
    rest.  A walk would go through most of a large estate for every model.  Tests hold
    this to ``build_runbook`` on full walks.
    """
    index = inventory_closures(inventory, "prompt_injection")
    masks = _masks(inventory, index)
    bits = index.closure(ref)
    entities = inventory.entities
    credentials = bits & masks.kinds["Credential"]
    own = index.mask(entities[ref].spec.credentials) & credentials
    revocable = credentials & masks.revocable
    unrevocable = credentials & ~masks.revocable
    chosen: list[str] = []
    for sort in (revocable, unrevocable):
        first = index.members(sort & own)[:keep]
        first += index.members(sort & ~own, keep - len(first))
        chosen += first
    ordered_credentials = [entities[c] for c in chosen]
    ordered_environments = [entities[e] for e in
                            index.members(bits & masks.kinds["Environment"])]
    floor, ceiling, largest = _user_range_of(bits, index, masks,
                                             _user_groups(inventory, index), _facts(inventory))
    act = {
        "credentials": [{"ref": c.ref, "revocation": c.spec.revocation}
                        for c in ordered_credentials],
        "environments": [{"ref": e.ref, "stage": e.spec.stage, "users": e.spec.users}
                         for e in ordered_environments],
        "users": floor,
        "users_ceiling": ceiling,
        # Only the largest population: all that a runbook names (users_phrase).
        "user_populations": {largest: floor} if largest is not None else {},
        "data_classes": sorted(c for c, mask in masks.classes.items() if bits & mask),
        "write_tools": index.members(bits & masks.writes),
        "vendors": [_vendor_entry(entities[v]) for v in sorted(masks.vendors)
                    if bits & masks.vendors[v]],
        "playbooks": sorted(p for p, mask in masks.playbooks.items() if bits & mask),
    }
    shown = sum(1 for c in ordered_credentials if c.spec.revocation)
    return RunbookReach(index.count(ref), act, revocable.bit_count() - shown,
                        unrevocable.bit_count() - (len(ordered_credentials) - shown))


def model_reach(graph: nx.DiGraph | None, inventory: Inventory, ref: str) -> Reach:
    """What the scorecard asks of a model's reach under prompt injection.

    The same figures as ``actions()`` gives for a walk from the model (its write tools,
    sensitive data classes and users: tests compare the two), counted on the shared
    reach sets with a few ANDs and popcounts, so scoring every model stays linear.
    """
    index = inventory_closures(inventory, "prompt_injection")
    masks = _masks(inventory, index)
    bits = index.closure(ref)  # the start counts, as in actions()
    users = max_of(bits, masks.population, masks.counted)  # the floor, as in actions()
    model = inventory.entities[ref]
    external = bool(model.spec.users and model.spec.users.audience == "external")
    write_index, writes = _write_closures(inventory)
    return Reach((write_index.closure(ref) & writes).bit_count(),
                 sorted(c for c, mask in masks.sensitive.items() if bits & mask),
                 users, external)
