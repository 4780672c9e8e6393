"""Facts about an entity that no single field holds, read by controls as ``facts.<name>``.

A field says what a model declares; a fact says what follows from the whole inventory:
whether the model is live (retired, or exposed to users, tools, credentials, data or a
production environment whatever its lifecycle says), what it can reach through its tools
and credentials, which vendors stand behind what.  Controls use them like fields:

    applies_to: {kind: Model, where: {path: facts.live, equals: true}}
    check: {path: facts.log_store_reachable_by, count_max: 0}

Each fact comes with its own wording (``says``), which findings show instead of the raw
value, and the place in the target's document a reader should look (``path``).  Facts are
worked out once per target and audit (``fact``); they depend on the inventory and on the
audit date only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..graph.edges import describe_path, forward_edges, shortest_paths
from ..inventory.kinds import WRITE_ACTIONS, Entity
from ..inventory.model import Inventory
from ..inventory.words import listing, plural

Path = tuple[str | int, ...]
LIVE_LIFECYCLES = ("production", "pilot", "staging")
LIVE_STAGES = ("production", "staging")
# Edges along which a manipulated model acts: its tools, what they and its credentials
# reach, what it reads, what it holds.
ACTS_ALONG = frozenset({"acts_through", "reaches", "reads", "holds"})


@dataclass(frozen=True, slots=True)
class Fact:
    """A derived value, how a finding words it, and where in the target to point."""

    value: Any
    says: str
    path: Path = ()


FactFunction = Callable[[Entity, Inventory, dt.date], Fact]


class UnknownFact(KeyError):
    """A control names a fact that its kind does not have."""


def fact(name: str, entity: Entity, inventory: Inventory, today: dt.date) -> Fact:
    """The fact ``name`` of ``entity``, worked out once per inventory and audit date."""
    cache: dict[Any, Fact] = inventory.derived.setdefault("facts", {})
    key = (name, entity.ref, today)
    found = cache.get(key)
    if found is None:
        function = FACTS.get(entity.kind, {}).get(name)
        if function is None:
            raise UnknownFact(name)
        found = cache[key] = function(entity, inventory, today)
    return found


def known(kind: str) -> list[str]:
    return sorted(FACTS.get(kind, {}))


# --- helpers ----------------------------------------------------------------------------------

def _live_stage_environments(spec: Any, inventory: Inventory) -> list[str]:
    found = []
    for ref in spec.environments:
        env = inventory.get(ref)
        if env is not None and env.spec is not None and env.spec.stage in LIVE_STAGES:
            found.append(f"{ref} ({env.spec.stage})")
    return found


def _users_phrase(spec: Any) -> str | None:
    users = spec.users
    if users is None or (users.count is None and users.audience is None):
        return None
    if users.count == 0:
        return None
    audience = f"{users.audience} " if users.audience else ""
    if users.count is None:
        return f"{audience}users (how many is not declared)"
    return f"{users.count:,} {audience}user{'' if users.count == 1 else 's'}"


def exposure(entity: Entity, inventory: Inventory) -> list[str]:
    """What exposes a model to harm or harm to others, in words ("182,400 external users")."""
    spec = entity.spec
    if spec is None:
        return []
    found = []
    users = _users_phrase(spec)
    if users:
        found.append(users)
    if spec.tools:
        found.append("tools " + ", ".join(g.tool for g in spec.tools))
    if spec.credentials:
        found.append("credentials " + ", ".join(spec.credentials))
    if spec.data_access:
        found.append("data access to " + ", ".join(spec.data_access))
    environments = _live_stage_environments(spec, inventory)
    if environments:
        found.append("runs in " + ", ".join(environments))
    return found


# --- Model ------------------------------------------------------------------------------------

def model_live(entity: Entity, inventory: Inventory, today: dt.date) -> Fact:
    """Live: not retired, and either in a live lifecycle or exposed whatever the label says."""
    spec = entity.spec
    where: Path = ("spec", "lifecycle")
    lifecycle = spec.lifecycle if spec is not None else None
    if lifecycle == "retired":
        return Fact(False, "retired", where)
    exposed = exposure(entity, inventory)
    if lifecycle in LIVE_LIFECYCLES:
        return Fact(True, f"live: lifecycle {lifecycle}", where)
    label = f"lifecycle {lifecycle}" if lifecycle else "no lifecycle declared"
    if exposed:
        return Fact(True, f"live: {label}, but " + "; ".join(exposed), where)
    return Fact(False, f"not live: {label}, and no users, tools, credentials, data access or "
                "production or staging environment declared", where)


def model_retired_holdings(entity: Entity, inventory: Inventory, today: dt.date) -> Fact:
    """What a retired model still holds: it should hold nothing (NIST AI RMF GOVERN 1.7)."""
    spec = entity.spec
    held = []
    if spec is not None:
        users = _users_phrase(spec)
        if users:
            held.append(users)
        held += [g.tool for g in spec.tools]
        held += list(spec.credentials)
        held += list(spec.environments)
        held += list(spec.data_access)
    if not held:
        return Fact([], "holds no tools, credentials, data access, environments or users",
                    ("spec", "lifecycle"))
    return Fact(held, "still holds " + listing(held), ("spec", "lifecycle"))


def _acting_paths(entity: Entity, inventory: Inventory) -> dict[str, list[tuple[str, str]]]:
    """What a manipulated model can act on, each with the shortest way there (worked out
    once per model: four facts read it)."""
    cache: dict[str, dict[str, list[tuple[str, str]]]] = inventory.derived.setdefault(
        "acting_paths", {})
    found = cache.get(entity.ref)
    if found is None:
        found = cache[entity.ref] = shortest_paths(inventory, entity.ref, ACTS_ALONG)
    return found


def _store(entity: Entity) -> str | None:
    spec = entity.spec
    return spec.logging.store if spec is not None and spec.logging is not None else None


def model_log_store_reachable_by(entity: Entity, inventory: Inventory, today: dt.date) -> Fact:
    """The ways the model could reach its own log store: through what it reads, depends on,
    and every tool or credential it holds (directly or through other tools)."""
    store = _store(entity)
    where: Path = ("spec", "logging", "store")
    if store is None:
        return Fact([], "no log store is declared (logging.store)", where)
    routes = []
    spec = entity.spec
    path = _acting_paths(entity, inventory).get(store)
    if path is not None:
        routes.append(describe_path(entity.ref, path))
    if store in spec.depends_on:
        routes.append(f"{entity.ref} depends on {store}")
    if not routes:
        return Fact([], f"nothing the model holds or reads reaches {store}", where)
    return Fact(routes, "; ".join(routes), where)


def _tool_actions(entity: Entity, inventory: Inventory
                  ) -> dict[str, tuple[set[str], list[tuple[str, str]]]]:
    """Every tool in the model's reach: (the actions it can take there, the path).

    A tool a model is granted with listed permissions can do only those for that model;
    a tool reached through a credential or another tool can do everything it declares.
    """
    cache: dict[str, dict[str, tuple[set[str], list[tuple[str, str]]]]] = (
        inventory.derived.setdefault("tool_actions", {}))
    cached = cache.get(entity.ref)
    if cached is not None:
        return cached
    found = cache[entity.ref] = {}
    for ref, path in _acting_paths(entity, inventory).items():
        tool = inventory.get(ref)
        if tool is None or tool.kind != "Tool" or tool.spec is None:
            continue
        actions = set(tool.spec.actions)
        edge, _ = path[-1]
        if edge == "acts_through":  # granted by the model just before it on the path
            holder = inventory.get(path[-2][1] if len(path) > 1 else entity.ref)
            grants = {g.tool: set(g.permissions) for g in holder.spec.tools
                      if g.permissions} if holder is not None and holder.spec else {}
            if ref in grants:
                actions &= grants[ref]
        found[ref] = (actions, path)
    return found


def model_log_store_writable_by(entity: Entity, inventory: Inventory, today: dt.date) -> Fact:
    """Tools in the model's reach that can write to the store where its logs go."""
    store = _store(entity)
    where: Path = ("spec", "logging", "store")
    if store is None:
        return Fact([], "no log store is declared (logging.store)", where)
    writers = []
    for ref, (actions, _) in sorted(_tool_actions(entity, inventory).items()):
        tool = inventory.entities[ref]
        if actions & WRITE_ACTIONS and store in tool.spec.reaches:
            writers.append(ref)
    if not writers:
        return Fact([], f"no tool the model reaches can write to {store}", where)
    verb = "can" if len(writers) == 1 else "can each"
    return Fact(writers, f"{listing(writers)}, in the model's reach, {verb} write to {store}",
                where)


def model_log_retention_shortfall(entity: Entity, inventory: Inventory, today: dt.date) -> Fact:
    """The log store must keep records at least as long as the model says its logs are kept."""
    spec = entity.spec
    where: Path = ("spec", "logging", "retention_days")
    store_ref = _store(entity)
    claimed = spec.logging.retention_days if spec.logging is not None else None
    store = inventory.get(store_ref) if store_ref else None
    if store is None or store.spec is None or claimed is None:
        return Fact([], "no retention to compare (logging.store or retention_days not set)",
                    where)
    kept = store.spec.retention_days
    if kept is None:
        return Fact([f"{store_ref} declares no retention"],
                    f"the model claims {claimed} days of logs, but {store_ref} declares no "
                    "retention", where)
    if kept < claimed:
        return Fact([f"{store_ref} keeps {kept} days"],
                    f"the model claims {claimed} days of logs, but {store_ref} keeps them "
                    f"{kept} days", where)
    return Fact([], f"{store_ref} keeps logs {kept} days, at least the {claimed} claimed", where)


def model_undisableable_tools(entity: Entity, inventory: Inventory, today: dt.date) -> Fact:
    """Tools the model holds or reaches through a credential that cannot be switched off."""
    stuck = []
    for ref, (_, path) in sorted(_tool_actions(entity, inventory).items()):
        if inventory.entities[ref].spec.can_disable is not True:
            through = [step for _, step in path[:-1]]
            stuck.append(ref + (f" (through {', '.join(through)})" if through else ""))
    where: Path = ("spec", "tools")
    if not stuck:
        return Fact([], "every tool in the model's reach can be disabled", where)
    state = "cannot be disabled (can_disable is not true)"
    return Fact(stuck, f"{listing(stuck)} {state}", where)


def model_unguarded_actions(entity: Entity, inventory: Inventory, today: dt.date) -> Fact:
    """Tools that change the world (WRITE_ACTIONS: pay, send, write, delete, execute,
    deploy, administer) for an externally exposed model with neither a human approval step
    nor a limit (OWASP LLM06; MITRE ATLAS AML.M0029)."""
    spec = entity.spec
    where: Path = ("spec", "tools")
    if spec.users is None or spec.users.audience != "external":
        return Fact([], "not exposed to external users", ("spec", "users"))
    bare = []
    for ref, (actions, _) in sorted(_tool_actions(entity, inventory).items()):
        risky = sorted(actions & WRITE_ACTIONS)  # the scorecard's write tools too
        tool = inventory.entities[ref].spec
        if risky and not tool.human_approval and not tool.limit:
            bare.append(f"{ref} ({', '.join(risky)})")
    if not bare:
        return Fact([], "every tool that acts for external users needs a human approval or "
                    "has a limit", where)
    verb = "acts" if len(bare) == 1 else "act"
    return Fact(bare, f"{listing(bare)} {verb} for external users with no human approval "
                "and no limit", where)


# --- Vendor -----------------------------------------------------------------------------------

def _supplied(entity: Entity, inventory: Inventory) -> list[tuple[str, str]]:
    """(entity, edge) for what the vendor supplies: models it provides, develops or
    publishes, datasets, components, datastores and credentials."""
    return [(dest, edge) for dest, edge in forward_edges(inventory).get(entity.ref, ())
            if edge == "supplies"]


def vendor_supplies(entity: Entity, inventory: Inventory, today: dt.date) -> Fact:
    supplied = sorted({dest for dest, _ in _supplied(entity, inventory)})
    if not supplied:
        return Fact([], "supplies nothing in the inventory")
    return Fact(supplied, "supplies " + listing(supplied))


def vendor_live_models(entity: Entity, inventory: Inventory, today: dt.date) -> Fact:
    """Live models the vendor hosts (provider) or built (developer): the model controls
    ask for its contact, so the vendor control does not ask again."""
    found = []
    for dest, _ in _supplied(entity, inventory):
        model = inventory.get(dest)
        if model is None or model.kind != "Model" or model.spec is None:
            continue
        if entity.ref != model.spec.provider and entity.ref not in model.spec.developer:
            continue
        if fact("live", model, inventory, today).value:
            found.append(dest)
    found = sorted(set(found))
    if not found:
        return Fact([], "hosts or builds no live model")
    return Fact(found, "hosts or builds " + listing(found))


# --- Playbook ---------------------------------------------------------------------------------

def playbook_live_models(entity: Entity, inventory: Inventory, today: dt.date) -> Fact:
    """The live models a playbook applies to: one that applies to none helps nobody."""
    applies = entity.spec.applies_to
    models = (inventory.of_kind("Model") if applies == "all"
              else [m for ref in applies if (m := inventory.get(ref)) is not None])
    live = sorted(m.ref for m in models if not m.metadata.external and m.spec is not None
                  and fact("live", m, inventory, today).value)
    where: Path = ("spec", "applies_to")
    if not live:
        what = "all models, and none is live" if applies == "all" else (
            "no model" if not applies else "no live model")
        return Fact([], f"applies to {what}", where)
    return Fact(live, f"applies to {plural(len(live), 'live model')}", where)


# --- Organization -----------------------------------------------------------------------------

def organization_role_single_points(entity: Entity, inventory: Inventory, today: dt.date
                                    ) -> Fact:
    """A person who is the primary holder of every role: one absence stops the response."""
    roles = entity.spec.roles
    where: Path = ("spec", "roles")
    primaries = {role.primary for role in roles.values()}
    if len(roles) >= 2 and len(primaries) == 1:
        person = next(iter(primaries))
        return Fact([person], f"{person} is the primary holder of all {len(roles)} roles", where)
    return Fact([], f"{plural(len(primaries), 'person', 'people')} hold the "
                f"{plural(len(roles), 'role')}", where)


# --- Person ---------------------------------------------------------------------------------

def person_present(entity: Entity, inventory: Inventory, today: dt.date) -> Fact:
    """Still with the organisation on the audit day (a leaving date still ahead counts)."""
    left = entity.spec.left if entity.spec is not None else None
    where: Path = ("spec", "left")
    if left is None:
        return Fact(True, "still with the organisation", where)
    if left > today:
        return Fact(True, f"leaves on {left.isoformat()}", where)
    return Fact(False, f"left the organisation on {left.isoformat()}", where)


# --- Incident ---------------------------------------------------------------------------------

def incident_undeclared_regimes(entity: Entity, inventory: Inventory, today: dt.date) -> Fact:
    """Regimes the incident was reported under that the organisation does not declare."""
    org = inventory.organization
    declared = set(org.spec.regulations) if org is not None and org.spec is not None else set()
    undeclared = sorted({f.regime for f in entity.spec.regulatory} - declared)
    where: Path = ("spec", "regulatory")
    if not undeclared:
        return Fact([], "reported only under regimes the organisation declares", where)
    return Fact(undeclared, f"reported under {listing(undeclared)}, which the organisation "
                "does not declare (spec.regulations)", where)


FACTS: dict[str, dict[str, FactFunction]] = {
    "Model": {
        "live": model_live,
        "retired_holdings": model_retired_holdings,
        "log_store_reachable_by": model_log_store_reachable_by,
        "log_store_writable_by": model_log_store_writable_by,
        "log_retention_shortfall": model_log_retention_shortfall,
        "undisableable_tools": model_undisableable_tools,
        "unguarded_actions": model_unguarded_actions,
    },
    "Vendor": {
        "supplies": vendor_supplies,
        "live_models": vendor_live_models,
    },
    "Playbook": {"live_models": playbook_live_models},
    "Organization": {"role_single_points": organization_role_single_points},
    "Person": {"present": person_present},
    "Incident": {"undeclared_regimes": incident_undeclared_regimes},
}
