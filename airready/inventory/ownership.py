"""Who owns what: owners as written, and the team hierarchy they roll up through.

A Team may name a ``parent`` team (agency > bureau > team).  Asking for a team's share of
the estate means the team and every team below it; asking for a person's means what the
person owns and what the teams they belong to own.  Entities are owned through
``metadata.owner``; an incident or risk is owned like any other entity.
"""

from __future__ import annotations

from .model import Inventory


def children(inventory: Inventory) -> dict[str, list[str]]:
    """Each team's direct sub-teams, worked out once per inventory."""
    cached: dict[str, list[str]] | None = inventory.derived.get("team_children")
    if cached is None:
        cached = {}
        for team in inventory.of_kind("Team"):
            parent = team.spec.parent if team.spec is not None else None
            if parent:
                cached.setdefault(parent, []).append(team.ref)
        inventory.derived["team_children"] = cached
    return cached


def subtree(inventory: Inventory, team: str) -> list[str]:
    """``team`` and every team below it, each once (a parent loop is a validation error,
    but is stopped here too)."""
    below = children(inventory)
    found = [team]
    seen = {team}
    for ref in found:  # grows while it is walked: breadth first
        for child in sorted(below.get(ref, ())):
            if child not in seen:
                seen.add(child)
                found.append(child)
    return found


def ancestors(inventory: Inventory, team: str) -> list[str]:
    """The teams above ``team``, nearest first."""
    chain: list[str] = []
    current = inventory.get(team)
    while current is not None and current.spec is not None and current.spec.parent:
        parent = current.spec.parent
        if parent in chain or parent == team:
            break
        chain.append(parent)
        current = inventory.get(parent)
    return chain


def owners_covered(inventory: Inventory, owner: str) -> set[str]:
    """The owner references that ``--owner owner`` stands for."""
    entity = inventory.get(owner)
    if entity is None:
        return set()
    if entity.kind == "Team":
        return set(subtree(inventory, owner))
    covered = {owner}
    for team in inventory.of_kind("Team"):
        if team.spec is not None and owner in team.spec.members:
            covered.update(subtree(inventory, team.ref))
    return covered


def owned(inventory: Inventory, owner: str) -> set[str]:
    """Every entity whose owner is ``owner`` or one it stands for."""
    covered = owners_covered(inventory, owner)
    return {ref for ref, entity in inventory.entities.items()
            if entity.metadata.owner in covered}


def parent_cycles(inventory: Inventory) -> list[list[str]]:
    """Team parent chains that loop back on themselves (each loop once, smallest first)."""
    loops: list[list[str]] = []
    seen: set[str] = set()
    for team in sorted(t.ref for t in inventory.of_kind("Team")):
        path: list[str] = []
        current: str | None = team
        while current is not None and current not in seen and current not in path:
            path.append(current)
            entity = inventory.get(current)
            current = entity.spec.parent if entity is not None and entity.spec else None
        if current is not None and current in path:
            loop = path[path.index(current):]
            start = loop.index(min(loop))
            loops.append(loop[start:] + loop[:start])
        seen.update(path)
    return loops
