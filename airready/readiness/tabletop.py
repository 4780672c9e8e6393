"""Tabletop exercise packs built from the organisation's own estate.

For a scenario, the pack picks the model in production or pilot whose harm would reach
furthest (or the one named), walks the dependency graph from where the scenario starts
(the model, a dataset it learned from, a component or vendor it stands on), and writes a
timeline of injects a facilitator reads out: the alert that fires, the commander who
cannot be reached and the backup who steps in, the credential and the paying or sending tool the
walk turns up, the vendor to call with the contact on file, the decisions the escalation
criteria govern and the regulatory clocks that start.  A scoring sheet holds the
response against the organisation's targets, and the pack ends with the entry to record
in ``tabletop_exercises``.  What the inventory lacks (no backup, no contact, no
revocation procedure) becomes an inject of its own: the team meets the gap in the room.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import networkx as nx

from ..graph.blast import FORWARD, actions, closures, walk, walk_edges
from ..inventory.kinds import Entity
from ..inventory.model import Inventory
from ..inventory.words import agree, plural
from ..rules.targets import METRICS, targets_for
from .injects import (
    PLANS,
    ROLES,
    UPSTREAM_SUPPLY,
    ClockLine,
    Decision,
    Estate,
    Inject,
    Plan,
    briefing,
    clock_inject,
    clock_lines,
    clock_text,
    commander_away,
    decision_inject,
    decisions,
    evidence,
    scope,
    signal,
    span,
    surprises,
    triage,
    vendor_call,
    vendors,
)

LIVE = ("production", "pilot")
# Walked backwards from a model to the datasets a poisoning may have started in.
UPSTREAM_DATA = {("trains", FORWARD), ("derives", FORWARD)}


class TabletopError(ValueError):
    """The pack cannot be built as asked (no live model, a reference that is not a model)."""


@dataclass
class ScoreRow:
    measure: str
    target: str


@dataclass
class Pack:
    scenario: str
    title: str
    story: str
    model: str
    model_title: str
    origin: str
    chosen_because: str
    severity: str
    severity_because: str
    injects: list[Inject]
    decisions: list[Decision]
    clocks: list[ClockLine]
    scoring: list[ScoreRow]
    checks: list[str]
    participants: list[str]
    record: str
    today: dt.date

    @property
    def gaps(self) -> list[str]:
        return [gap for inject in self.injects for gap in inject.gaps]


def _live_models(inventory: Inventory) -> list[Entity]:
    return sorted((m for m in inventory.of_kind("Model")
                   if m.spec is not None and m.spec.lifecycle in LIVE), key=lambda m: m.ref)


def _origins(graph: nx.DiGraph, model: Entity, plan: Plan) -> list[str]:
    """Where the scenario may start for this model, nearest first."""
    if plan.origin == "model":
        return [model.ref]
    edges, kinds = ((UPSTREAM_DATA, {"Dataset"}) if plan.origin == "dataset"
                    else (UPSTREAM_SUPPLY, {"Component", "Vendor"}))
    found = [r.ref for r in walk_edges(graph, model.ref, edges, reverse=True)
             if r.kind in kinds]
    return found or [model.ref]  # nothing upstream on record: start at the model


def _reach(graph: nx.DiGraph, start: str, plan: Plan) -> int:
    """How many entities the scenario's walk reaches from ``start``: counted on the reach
    sets computed once per graph and scenario (blast.closures), not walked per start."""
    return closures(graph, plan.walk).count(start)


def _choose(graph: nx.DiGraph, inventory: Inventory, plan: Plan, named: str | None
            ) -> tuple[Entity, str, str]:
    """The model, where the harm starts, and why this model."""
    def best_origin(model: Entity) -> tuple[str, int]:
        # The widest walk; between equals, a component before its vendor, then by name.
        options = _origins(graph, model, plan)
        ranked = sorted(options, key=lambda ref: (-_reach(graph, ref, plan),
                                                  not ref.startswith("component:"), ref))
        return ranked[0], _reach(graph, ranked[0], plan)

    if named is not None:
        model = inventory.get(named)
        if model is None or model.kind != "Model":
            raise TabletopError(f"{named!r} is not a model of the inventory")
        if model.spec is None:
            raise TabletopError(f"{named} is external: nothing about it is on record to "
                                "build an exercise from")
        origin, size = best_origin(model)
        lifecycle = model.spec.lifecycle or "no lifecycle"
        why = f"named with --model ({lifecycle}); the walk from {origin} reaches {size} " \
              "entities"
        return model, origin, why
    live = _live_models(inventory)
    if not live:
        raise TabletopError("the inventory has no model in production or pilot to build "
                            "the exercise on; name one with --model")
    left_out = ""
    if plan.self_hosted:
        own = [m for m in live if m.spec.provider is None]
        if own and len(own) < len(live):
            hosted = len(live) - len(own)
            left_out = (f"; {plural(hosted, 'hosted model')} {agree(hosted, 'runs', 'run')} "
                        f"on a vendor's infrastructure and {agree(hosted, 'was', 'were')} "
                        "not considered")
            live = own
    if plan.direct:
        exposed = [m for m in live if not _called_only(graph, m)]
        if exposed and len(exposed) < len(live):
            inner = len(live) - len(exposed)
            left_out = (f"; {plural(inner, 'model')} that only other models call "
                        f"{agree(inner, 'is', 'are')} reached through "
                        f"{agree(inner, 'its', 'their')} callers and "
                        f"{agree(inner, 'was', 'were')} not considered")
            live = exposed
    scored = []
    for model in live:
        origin, size = best_origin(model)
        users = model.spec.users.count if model.spec.users and model.spec.users.count else 0
        scored.append((-size, -users, model.ref, model, origin, size))
    scored.sort(key=lambda row: row[:3])
    _, _, _, model, origin, size = scored[0]
    runner_up = ""
    if len(scored) > 1:
        tie = ""
        if scored[1][5] == size:
            tie = (" with fewer users" if scored[1][1] != scored[0][1]
                   else " and as many users: chosen by name")
        runner_up = f"; next is {scored[1][2]} ({scored[1][5]:,}{tie})"
    why = (f"of {plural(len(live), 'model')} in production or pilot its harm reaches "
           f"furthest: {plural(size, 'entity', 'entities')} from "
           f"{origin}{runner_up}{left_out}")
    return model, origin, why


def _called_only(graph: nx.DiGraph, model: Entity) -> bool:
    """Other models call it (it ``serves`` them) and no outside user reaches it."""
    users = model.spec.users
    if users is not None and users.audience == "external":
        return False
    kinds = graph._node
    return any(kinds[other]["kind"] == "Model" and "serves" in data["edges"]
               for other, data in graph._succ[model.ref].items())


def build_tabletop(graph: nx.DiGraph, inventory: Inventory, scenario: str, today: dt.date,
                   model_ref: str | None = None) -> Pack:
    if scenario not in PLANS:
        raise TabletopError(f"unknown scenario {scenario!r}; known: {', '.join(PLANS)}")
    plan = PLANS[scenario]
    model, origin, why = _choose(graph, inventory, plan, model_ref)
    estate = Estate(inventory)
    reached = walk(graph, origin, plan.walk)
    act = actions(inventory, origin, (r.ref for r in reached), plan.walk)
    severity, severity_because = _severity(model, act)
    story = plan.story.format(model=estate.label(model.ref), origin=estate.label(origin))
    unknown = plan.origin != "model" and origin == model.ref
    if unknown:  # nothing upstream on record: the exercise starts at the model itself
        story = (f"{estate.label(model.ref)} is found to be compromised through "
                 + ("its training data" if plan.origin == "dataset" else "something it depends on")
                 + "; the inventory does not say what that is.")

    first = signal(estate, model, origin, plan)
    if unknown:
        first.gaps.append(f"{model.ref} records no "
                          + ("training data or fine-tuning datasets" if plan.origin == "dataset"
                             else "components, base model or vendors")
                          + ": the team cannot trace where the harm came from")
    injects = [first,
               triage(estate, act, severity, scenario),
               commander_away(estate),
               evidence(estate, model)]
    injects += surprises(estate, model, origin, reached, act, plan)
    injects.append(vendor_call(estate, vendors(graph, inventory, model, origin, act, plan)))
    injects.append(scope(estate, act, reached))
    choices = decisions(estate, act, severity)
    injects.append(decision_inject(choices))
    clocks = clock_lines(inventory, estate, act, scenario, severity, today, model)
    injects.append(clock_inject(clocks, estate))
    injects.append(briefing(estate))
    injects = [i for i in injects if i.says or i.asks or i.gaps]
    injects.sort(key=lambda i: i.minute)
    scoring = _scoring(estate, severity)
    checks = _checks(injects)
    participants = _participants(estate, model)
    record = _record(today, scenario, model.ref, participants)
    return Pack(scenario, plan.title, story, model.ref, model.metadata.title or model.name,
                origin, why, severity, severity_because, injects, choices, clocks,
                scoring, checks, participants, record, today)


def _severity(model: Entity, act: dict[str, Any]) -> tuple[str, str]:
    """The severity the exercise plays at: P1 when harm can reach money, messages,
    sensitive data or outside users; the team may argue for another at T+5."""
    reasons = []
    if act["write_tools"]:
        reasons.append("it can act through " + ", ".join(act["write_tools"]))
    if act["sensitive_data"]:
        reasons.append("it reaches " + ", ".join(act["sensitive_data"]) + " data")
    users = model.spec.users
    if users and users.audience == "external":
        reasons.append("it serves external users")
    if reasons:
        return "P1", "; ".join(reasons)
    return "P2", "no write tools, sensitive data or external users within reach"


def _scoring(estate: Estate, severity: str) -> list[ScoreRow]:
    targets = targets_for(estate.org, severity)
    rows = []
    for metric, (start, end, key) in METRICS.items():
        target = targets.get(key)
        label = f"{metric.replace('_', ' ')} ({start} to {end.replace('_', ' ')})"
        rows.append(ScoreRow(label, span(target) if target else "no target set"))
    return rows


def _checks(injects: list[Inject]) -> list[str]:
    """What the facilitator ticks off: one line per action the injects ask for."""
    return [f"T+{i.minute}: {ask}" for i in injects for ask in i.asks]


def _participants(estate: Estate, model: Entity) -> list[str]:
    people: list[str] = []
    for name in (*ROLES, "regulatory_reporting"):
        for ref in estate.role(name):
            if ref and ref not in people:
                people.append(ref)
    owner = model.metadata.owner
    entity = estate.inventory.get(owner) if owner else None
    if entity is not None and entity.kind == "Person" and owner not in people:
        people.append(owner)
    elif entity is not None and entity.kind == "Team" and entity.spec is not None:
        people += [m for m in entity.spec.members if m not in people][:2]
    return people


def _record(today: dt.date, scenario: str, model: str, participants: list[str]) -> str:
    """The entry to add under the Organization's tabletop_exercises once the exercise ran."""
    lines = ["tabletop_exercises:",
             f"  - date: {today.isoformat()}",
             f"    scenarios: [{scenario}]",
             f"    models: [{model}]",
             "    participants:  # who actually took part",
             *(f"      - {ref}" for ref in participants),
             "    findings:  # what the exercise showed needs fixing, one line each",
             "      - ..."]
    return "\n".join(lines) + "\n"


def pack_dict(pack: Pack) -> dict[str, Any]:
    return {
        "schema_version": 1, "scenario": pack.scenario, "title": pack.title,
        "story": pack.story, "model": pack.model, "origin": pack.origin,
        "chosen_because": pack.chosen_because, "severity": pack.severity,
        "severity_because": pack.severity_because, "date": pack.today.isoformat(),
        "injects": [{"at": f"T+{i.minute}", "title": i.title, "says": i.says, "asks": i.asks,
                     "gaps": i.gaps} for i in pack.injects],
        "decisions": [{"question": d.question, "criteria": d.criteria, "facts": d.facts}
                      for d in pack.decisions],
        "clocks": [{"regime": c.regime, "stage": c.stage, "due": clock_text(c.due),
                    "citation": c.citation} for c in pack.clocks],
        "scoring": [{"measure": r.measure, "target": r.target} for r in pack.scoring],
        "participants": pack.participants, "gaps": pack.gaps, "record": pack.record,
    }
