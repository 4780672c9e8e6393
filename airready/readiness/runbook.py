"""The first-hour runbook for one model, filled in from the inventory.

It follows the checklist's first sixty minutes (confirm, assign severity, preserve
evidence, contain, scope, brief) and names, for this model, the people, switches,
stores, credentials, vendors and playbooks each step needs.  Whatever the inventory
does not record is said plainly as a gap: that is what to fix before the incident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..graph.blast import RunbookReach, injection_reach, users_phrase
from ..inventory.kinds import WRITE_ACTIONS, Entity
from ..inventory.model import Inventory
from ..inventory.words import plural

if TYPE_CHECKING:  # graphs are built (and networkx imported) in graph.build_graph
    import networkx as nx

MISSING = "NOT ON FILE"


@dataclass
class Step:
    minutes: str
    title: str
    items: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    # Lines left out of ``items`` and ``gaps`` when only the first ones were asked for
    # (the site's runbooks; see build_runbook's ``reach``).
    more_items: int = 0
    more_gaps: int = 0

    def add(self, text: str | None, missing: str | None = None) -> None:
        if text:
            self.items.append(text)
        elif missing:
            self.gaps.append(missing)


@dataclass
class Runbook:
    model: str
    title: str
    steps: list[Step]

    @property
    def gaps(self) -> list[str]:
        return [gap for step in self.steps for gap in step.gaps]


def _person(inventory: Inventory, ref: str | None) -> str | None:
    if not ref:
        return None
    entity = inventory.get(ref)
    if entity is None or entity.spec is None:
        return ref
    details = [x for x in (entity.metadata.title, entity.spec.email, entity.spec.phone) if x]
    return f"{ref} ({', '.join(details)})" if details else ref


def _add_role(step: Step, inventory: Inventory, org: Entity | None, name: str) -> None:
    label = name.replace("_", " ")
    if org is None or name not in org.spec.roles:
        step.add(None, f"no {label}")
        return
    role = org.spec.roles[name]
    text = f"{label}: {_person(inventory, role.primary)}"
    backup = _person(inventory, role.backup)
    step.add(text + (f"; backup {backup}" if backup else ""))
    if not backup:
        step.add(None, f"the {label} has no backup")


def _own_first(entries: list[dict[str, Any]], own: list[str]) -> list[dict[str, Any]]:
    """Those the model names itself first, then the rest by name: a stable order that
    the site can list the first of from the reach sets, without a walk."""
    mine = set(own)
    return sorted(entries, key=lambda entry: (entry["ref"] not in mine, entry["ref"]))


def build_runbook(graph: nx.DiGraph, inventory: Inventory, ref: str,
                  reach: RunbookReach | None = None) -> Runbook:
    """The runbook of model ``ref``.  With ``reach`` (blast.runbook_reach), the act-on
    lists come from the shared reach sets and the credentials are only the first ones:
    the steps then count the lines left out in ``more_items`` and ``more_gaps``."""
    model = inventory.entities[ref]
    spec = model.spec
    org = inventory.organization
    if reach is None:
        reached, act = injection_reach(graph, inventory, ref)
        reached_count = len(reached)
    else:
        act, reached_count = reach.act, reach.count
    title = model.metadata.title or model.name

    confirm = Step("0-5", "Confirm the incident is real, not a false positive")
    monitoring = spec.monitoring
    confirm.add(f"alerts watched: {', '.join(monitoring.alerts)}; they go to "
                f"{monitoring.destination or MISSING}" if monitoring and monitoring.alerts
                else None, "no automated alerts recorded for this model")
    base = spec.baselines
    if base:
        normal = []
        if base.latency_ms and base.latency_ms.p95 is not None:
            normal.append(f"latency p95 {base.latency_ms.p95:g} ms")
        if base.tokens and base.tokens.mean is not None:
            normal.append(f"mean tokens {base.tokens.mean:g}")
        if base.refusal_rate is not None:
            normal.append(f"refusal rate {base.refusal_rate:.1%}")
        if base.output_distribution:
            normal.append(f"output distribution: {base.output_distribution}")
        confirm.add("compare with the baseline: " + "; ".join(normal) if normal else None,
                    "the baseline records no numbers to compare with")
    else:
        confirm.add(None, "no behaviour baseline: nothing says what normal looks like")

    severity = Step("5-10", "Assign severity and notify the incident commander")
    if org is not None and org.spec.severity_scale:
        for level, criteria in sorted(org.spec.severity_scale.items()):
            severity.add(f"{level}: {criteria}")
    else:
        severity.add(None, "no severity scale")
    _add_role(severity, inventory, org, "incident_commander")
    severity.add(f"model owner: {model.metadata.owner}" if model.metadata.owner else None,
                 "no owner")

    evidence = Step("10-15", "Preserve evidence: logs and model state")
    logging = spec.logging
    store = logging.store if logging else None
    store_entity = inventory.get(store) if store else None
    evidence.add(f"logs: {store}" + (" (immutable)" if store_entity and store_entity.spec
                                      and store_entity.spec.immutable else
                                      " (NOT immutable: copy them out first)")
                 if store else None, "no log store recorded")
    evidence.add(f"deployed version: {spec.version}" if spec.version else None,
                 "deployed version unknown")
    rollback = spec.rollback
    evidence.add(f"known-good artifact: {rollback.known_good_version}"
                 + (f", checksum {rollback.artifact_checksum}" if rollback.artifact_checksum
                    else "") if rollback and rollback.known_good_version else None,
                 None if spec.provider else "no known-good version recorded")
    forensic = org.spec.forensic_environment if org is not None else None
    evidence.add(f"forensic environment: {forensic.location}" if forensic and forensic.location
                 else None, "no forensic environment")

    contain = Step("15-30", "Contain: restrict access and filter inputs")
    if org is not None and org.spec.escalation and org.spec.escalation.take_offline:
        contain.add(f"take offline when: {org.spec.escalation.take_offline}")
    switches = spec.containment
    for name, label in (("kill_switch", "kill switch"), ("input_filtering", "input filtering"),
                        ("rate_limiting", "rate limiting"),
                        ("tool_restriction", "tool restriction"),
                        ("enhanced_logging", "enhanced logging")):
        if switches and getattr(switches, name):
            contain.add(f"{label}: available")
        elif name != "tool_restriction" or spec.tools:
            contain.add(None, f"{label} not available")
    for grant in spec.tools:
        tool = inventory.get(grant.tool)
        if tool is None or tool.spec is None:
            continue
        writes = sorted(WRITE_ACTIONS & set(tool.spec.actions))
        text = f"tool {tool.ref}" + (f" ({', '.join(writes)})" if writes else " (read only)")
        if tool.spec.can_disable:
            contain.add(text + ": can be disabled")
        else:
            contain.add(None, f"{text} cannot be disabled")
    for credential in _own_first(act["credentials"], spec.credentials):
        contain.add(f"revoke {credential['ref']}: {credential['revocation']}"
                    if credential["revocation"] else None,
                    f"{credential['ref']} has no revocation procedure")
    if reach is not None:
        contain.more_items += reach.dropped_revocable
        contain.more_gaps += reach.dropped_unrevocable
    if rollback and rollback.procedure:
        contain.add(f"roll back: {rollback.procedure}"
                    + (f" (target {rollback.target_minutes} min)" if rollback.target_minutes
                       else ""))

    scope = Step("30-45", "Assess scope: affected users, data and systems")
    scope.add(f"users of this model and the models it serves: {users_phrase(act)}")
    scope.add("environments: " + ", ".join(
        e["ref"] for e in _own_first(act["environments"], spec.environments))
              if act["environments"] else None, "no environments recorded")
    scope.add("data classes at risk: " + ", ".join(act["data_classes"])
              if act["data_classes"] else None, None)
    scope.add("systems it can act on: " + ", ".join(act["write_tools"])
              if act["write_tools"] else None, None)
    scope.add(f"{plural(reached_count, 'entity', 'entities')} in reach: "
              f"airready blast-radius {ref}")

    brief = Step("45-60", "Brief stakeholders and begin the investigation")
    for role in ("communications_lead", "legal_advisor", "technical_lead"):
        _add_role(brief, inventory, org, role)
    if org is not None and org.spec.escalation:
        if org.spec.escalation.legal:
            brief.add(f"involve legal when: {org.spec.escalation.legal}")
        if org.spec.escalation.notify_customers:
            brief.add(f"notify customers when: {org.spec.escalation.notify_customers}")
    channels = [c for c in (org.spec.channels if org else []) if c.dedicated]
    brief.add("coordinate in: " + ", ".join(
        c.name + (" (independent of AI)" if c.independent_of_ai else "") for c in channels)
              if channels else None, "no dedicated incident channel")
    for vendor in act["vendors"]:
        contact = vendor.get("security_contact", {})
        contacts = ", ".join(str(contact[k]) for k in ("email", "phone", "url") if k in contact)
        brief.add(f"vendor {vendor['ref']}: {contacts}" if contacts else None,
                  f"vendor {vendor['ref']} has no security contact")
    brief.add("playbooks: " + ", ".join(act["playbooks"]) if act["playbooks"] else None,
              "no playbook applies to this model")
    return Runbook(ref, title, [confirm, severity, evidence, contain, scope, brief])


def runbook_dict(runbook: Runbook) -> dict[str, Any]:
    return {"schema_version": 1, "model": runbook.model, "title": runbook.title,
            "steps": [{"minutes": s.minutes, "title": s.title, "items": s.items,
                       "gaps": s.gaps} for s in runbook.steps],
            "gaps": runbook.gaps}
