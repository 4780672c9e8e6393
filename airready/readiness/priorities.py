"""What to fix first: every gap ranked by severity x reach x lifecycle, with its owner.

A governance officer facing thousands of findings needs the few that matter most.  The
rank multiplies three plain factors, each explainable in a sentence:

* severity: critical 10, high 5, medium 2, low 1 (the scorecard's weights);
* reach of the target: for a model, 1 + log10(1 + the users it reaches) + the tools it can
  write, send or pay through (at most 3) + 1 for sensitive data + 1 for external users,
  all as the scorecard counts them for its required level; for an
  incident, the reach of the widest model it struck (whose users a missed notification
  failed); for anything else, 1 + log2(1 + the live models that use it) (a dataset
  under ten models outranks a dataset under none); the organisation's own gaps touch
  everything and rank as 6;
* lifecycle: production and pilot 1, staging 0.6, experimental 0.5, not set 0.8, retired
  0.4 (a retired model's gap is a leftover, not an exposure).

A model's reach is the scorecard's (graph/blast.model_reach, read from reach sets shared
by the whole estate), so "why it ranks high" and "why it needs it" never disagree, and
ranking stays linear in the size of the estate.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from ..graph.blast import model_reach
from ..inventory.kinds import Entity
from ..inventory.model import Inventory
from ..inventory.words import plural
from ..rules.findings import AuditResult, Finding

SEVERITY_WEIGHT = {"critical": 10, "high": 5, "medium": 2, "low": 1}
LIFECYCLE_FACTOR = {"production": 1.0, "pilot": 1.0, "staging": 0.6, "experimental": 0.5,
                    "retired": 0.4, None: 0.8}
ORGANISATION_REACH = 6.0
NO_OWNER = "(no owner)"


@dataclass(frozen=True)
class Ranked:
    finding: Finding
    rank: float
    owner: str
    why: str  # the reach and lifecycle behind the rank, in words


def _model_reach(model: Entity, inventory: Inventory) -> tuple[float, list[str]]:
    """The reach factor and its words (a fresh list: callers add to it), once per model."""
    cache: dict[str, tuple[float, list[str]]] = inventory.derived.setdefault("rank_reach", {})
    found = cache.get(model.ref)
    if found is None:
        found = cache[model.ref] = _worded_reach(model, inventory)
    return found[0], list(found[1])


def _worded_reach(model: Entity, inventory: Inventory) -> tuple[float, list[str]]:
    reached = model_reach(None, inventory, model.ref)
    users = reached.users or 0
    external = reached.external_users
    writes = reached.write_tools
    sensitive = reached.sensitive_data
    reach = 1 + math.log10(1 + users) + min(writes, 3) + bool(sensitive) + external
    words = []
    if users:
        words.append(f"{users:,} {'external ' if external else ''}users")
    elif external:
        words.append("external users")
    if writes:
        words.append(plural(writes, "tool") + " that can write, send or pay")
    if sensitive:
        words.append("sensitive data (" + ", ".join(sensitive) + ")")
    return reach, words


def _users_of(inventory: Inventory) -> dict[str, int]:
    """How many non-retired models reference each entity, directly (built once)."""
    cached: dict[str, int] | None = inventory.derived.get("used_by_models")
    if cached is None:
        cached = {}
        for model in inventory.of_kind("Model"):
            if model.spec is None or model.spec.lifecycle == "retired":
                continue
            for target in {ref for _, ref, _ in inventory.references(model.ref)}:
                cached[target] = cached.get(target, 0) + 1
        inventory.derived["used_by_models"] = cached
    return cached


def rank_one(finding: Finding, inventory: Inventory) -> Ranked:
    entity = inventory.get(finding.target)
    weight = SEVERITY_WEIGHT.get(finding.severity, 1)
    if entity is None:
        return Ranked(finding, float(weight), NO_OWNER, "")
    owner = entity.metadata.owner or NO_OWNER
    if entity.kind == "Organization":
        return Ranked(finding, weight * ORGANISATION_REACH, owner, "organisation-wide")
    if entity.kind == "Model" and entity.spec is not None:
        reach, words = _model_reach(entity, inventory)
        lifecycle = entity.spec.lifecycle
        factor = LIFECYCLE_FACTOR.get(lifecycle, 0.8)
        words.append(lifecycle or "lifecycle not set")
        return Ranked(finding, weight * reach * factor, owner, ", ".join(words))
    if entity.kind == "Incident" and entity.spec is not None:
        return _incident_rank(finding, entity, inventory, weight, owner)
    models = _users_of(inventory).get(entity.ref, 0)
    why = f"used by {plural(models, 'model')}" if models else "used by no model directly"
    return Ranked(finding, weight * (1 + math.log2(1 + models)), owner, why)


def _incident_rank(finding: Finding, incident: Entity, inventory: Inventory, weight: int,
                   owner: str) -> Ranked:
    """An incident's gap (a missed clock, an overdue action) reaches as far as the widest
    model it struck: the people owed a notification are that model's users."""
    best: tuple[float, str] | None = None
    for ref in incident.spec.models:
        model = inventory.get(ref)
        if model is None or model.kind != "Model" or model.spec is None:
            continue
        reach, words = _model_reach(model, inventory)
        words = [w for w in words if w]
        why = f"incident on {ref}" + (f" ({', '.join(words)})" if words else "")
        if best is None or reach > best[0]:
            best = (reach, why)
    if best is None:
        return Ranked(finding, float(weight), owner, "incident on no recorded model")
    return Ranked(finding, weight * best[0], owner, best[1])


def ranked_gaps(result: AuditResult, findings: Iterable[Finding] | None = None
                ) -> list[Ranked]:
    """Every gap (or the ``findings`` given), most urgent first; ties in catalog order."""
    gaps = result.gaps() if findings is None else list(findings)
    ranked = [rank_one(f, result.inventory) for f in gaps]
    return sorted(ranked, key=lambda r: (-round(r.rank, 6), *r.finding.sort_key()))
