"""The injects of a tabletop exercise, each read from the estate.

One function per moment of the timeline (the first signal, triage, the commander who is
away, evidence, the scope surprises, the vendor call, scope, decisions, the regulatory
clocks, the briefing).  Each says what the facilitator reads out, what the team must do,
and what the inventory does not hold, so a gap turns up in the room as part of the play.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from ..graph.blast import FORWARD, actions, users_phrase, walk_edges
from ..inventory.kinds import ENTITY_CLASS, SCENARIOS, WRITE_ACTIONS, Entity
from ..inventory.model import Inventory
from ..inventory.words import agree, plural
from ..rules.clocks import Clock, clocks, rules_for

# The order in which a tool's actions make it a scope surprise: money first.
ALARMING = ("pay", "send", "delete", "execute", "deploy", "admin", "write")
# Walked backwards from a model to the suppliers of what it runs on.
UPSTREAM_SUPPLY = {("supplies", FORWARD), ("serves", FORWARD), ("fine_tunes", FORWARD)}
ROLES = ("incident_commander", "technical_lead", "communications_lead", "legal_advisor")


@dataclass(frozen=True)
class Plan:
    title: str
    walk: str  # the blast-radius scenario the harm follows
    origin: str  # where it starts: the model, a dataset upstream, or a supplier upstream
    signals: tuple[str, ...]  # the model's alerts that would fire first, best first
    fallback: str  # the detection source when no such alert is set up
    story: str
    # The attacker works through the model's input: a model that only other models call,
    # with no outside users, is reached through its callers and is not a starting point.
    direct: bool = False
    # The organisation's own hosts: a hosted model's infrastructure is its vendor's.
    self_hosted: bool = False
    # Whether the suppliers of what the model runs on have a part to play (not in a
    # poisoning, where the data's supplier matters, nor in an extraction over the API).
    upstream_vendors: bool = True


PLANS: dict[str, Plan] = {
    "prompt_injection": Plan(
        "Prompt injection at scale", "prompt_injection", "model",
        ("tool_call_rate", "refund_volume", "refusal_rate", "output_drift", "token_usage"),
        "user_report",
        "Scripted sessions feed {model} instructions hidden in ordinary requests; it starts "
        "acting on them.", direct=True),
    "data_poisoning": Plan(
        "Training data poisoning discovered", "data_poisoning", "dataset",
        ("output_drift", "feature_drift", "refusal_rate"), "audit",
        "Records in {origin} were altered before {model} was trained on them; its answers "
        "have been skewed since.", upstream_vendors=False),
    "supply_chain": Plan(
        "Model supply chain compromise", "supply_chain", "supplier",
        ("latency", "api_usage", "output_drift"), "external",
        "{origin}, which {model} depends on, was compromised upstream; what it supplied has "
        "been running in production for days."),
    "model_theft": Plan(
        "Model extraction", "model_theft", "model",
        ("api_usage", "token_usage"), "security_team",
        "A client is querying {model} systematically to copy its behaviour and probe what it "
        "was trained on.", upstream_vendors=False),
    "adversarial_inputs": Plan(
        "Adversarial manipulation in production", "prompt_injection", "model",
        ("output_drift", "feature_drift", "field_confidence", "refusal_rate"), "user_report",
        "Inputs crafted to steer {model}'s decisions are arriving; its outputs look plausible "
        "and are wrong.", direct=True),
    "infrastructure": Plan(
        "Serving infrastructure compromise", "prompt_injection", "model",
        ("latency", "api_usage"), "security_team",
        "The hosts serving {model} were accessed by someone else; what the model can reach, "
        "they can reach.", self_hosted=True),
    "data_leakage": Plan(
        "Data leaking through model output", "prompt_injection", "model",
        ("pii_in_output", "output_drift", "token_usage"), "user_report",
        "{model} is returning other people's data in its answers.", direct=True),
}


assert set(PLANS) == set(SCENARIOS)


FALLBACK_SIGNALS = {
    "user_report": "a user reports it",
    "audit": "a routine audit finds it",
    "external": "an outside party tells you",
    "security_team": "the security team notices it",
}


@dataclass
class Inject:
    minute: int
    title: str
    says: list[str] = field(default_factory=list)  # what the facilitator reads out
    asks: list[str] = field(default_factory=list)  # what the team must decide or do
    gaps: list[str] = field(default_factory=list)  # what the inventory does not hold


@dataclass
class Decision:
    question: str
    criteria: str | None
    facts: list[str]


@dataclass
class ClockLine:
    regime: str
    title: str
    stage: str
    due: dt.timedelta  # after the exercise's detection at T+0
    citation: str


class Estate:
    """Names and contacts as the injects print them."""

    def __init__(self, inventory: Inventory):
        self.inventory = inventory
        self.org = inventory.organization

    def label(self, ref: str) -> str:
        entity = self.inventory.get(ref)
        title = entity.metadata.title if entity is not None else None
        return f"{ref} ({title})" if title else ref

    def contact(self, ref: str | None) -> str | None:
        """A person's name and how to reach them; a team's on-call route."""
        if not ref:
            return None
        entity = self.inventory.get(ref)
        if entity is None or entity.spec is None:
            return ref
        if entity.kind == "Person":
            ways = ", ".join(x for x in (entity.spec.email, entity.spec.phone) if x)
            return f"{self.label(ref)}: {ways or 'no contact on file'}"
        if entity.kind == "Team" and entity.spec.on_call:
            route = entity.spec.on_call.url or entity.spec.on_call.channel
            return f"{self.label(ref)}, on call: {route}"
        return self.label(ref)

    def reachable(self, ref: str) -> bool:
        """A phone number for a person: what a commander woken at night needs."""
        entity = self.inventory.get(ref)
        return bool(entity is not None and entity.kind == "Person" and entity.spec is not None
                    and entity.spec.phone)

    def role(self, name: str) -> tuple[str | None, str | None]:
        if self.org is None or self.org.spec is None:
            return None, None
        role = self.org.spec.roles.get(name)
        return (role.primary, role.backup) if role is not None else (None, None)


def signal(estate: Estate, model: Entity, origin: str, plan: Plan) -> Inject:
    inject = Inject(0, "The first signal")
    monitoring = model.spec.monitoring
    alerts = monitoring.alerts if monitoring else []
    fired = next((a for a in plan.signals if a in alerts), None)
    if plan.origin == "supplier" and origin != model.ref:
        inject.says.append(_advisory(estate, origin))
        _advisory_source(estate, origin, inject)
        inject.asks.append("Is it ours? Compare the versions and digests that run with those "
                           "on record.")
        return inject
    if fired is not None:
        where = monitoring.destination if monitoring and monitoring.destination else None
        inject.says.append(f"The {fired} alert on {estate.label(model.ref)} fires"
                           + (f" and goes to {where}." if where else "."))
        if not where:
            inject.gaps.append(f"{model.ref}'s alerts go nowhere on record "
                               "(monitoring.destination)")
    if fired is None and not inject.says:
        inject.says.append(f"No alert of {model.ref} watches for this: "
                           f"{FALLBACK_SIGNALS[plan.fallback]}.")
        inject.gaps.append(f"{model.ref} has none of the alerts that would catch this first ("
                           + ", ".join(plan.signals) + ")")
        _intake(estate, plan.fallback, inject)
    inject.asks.append("Is it real? Compare with the baseline before anyone changes anything.")
    base = model.spec.baselines
    if base is None:
        inject.gaps.append(f"{model.ref} has no behaviour baseline to compare with")
    return inject


def _advisory(estate: Estate, origin: str) -> str:
    entity = estate.inventory.get(origin)
    if entity is not None and entity.kind == "Vendor":
        return (f"{estate.label(origin)} tells its customers that its build and release "
                "systems were compromised: everything it shipped in the last three days is "
                "suspect.")
    spec = entity.spec if entity is not None else None
    supplier = getattr(spec, "supplier", None) if spec is not None else None
    source = estate.label(supplier) if supplier else "An outside researcher"
    version = f" {spec.version}" if spec is not None and getattr(spec, "version", None) else ""
    return (f"{source} publishes an advisory: {estate.label(origin)}{version} was tampered "
            "with and has been distributed for three days.")


def _intake(estate: Estate, source: str, inject: Inject) -> None:
    """How a signal from outside the monitoring reaches the team."""
    intake = estate.org.spec.intake if estate.org is not None else None
    if source == "user_report":
        reports = intake.user_reports if intake else None
        if reports and reports.channel:
            inject.says.append(f"The report arrives through: {reports.channel}.")
            owner = estate.contact(reports.triaged_by)
            if owner:
                inject.asks.append(f"Triage: {owner} must recognise it and page the "
                                   "incident commander.")
            else:
                inject.gaps.append("nobody is named to triage user reports "
                                   "(intake.user_reports.triaged_by)")
        else:
            inject.gaps.append("no channel for user reports is on record (intake.user_reports)")
    elif source == "external":
        if intake and intake.security_contact:
            inject.says.append(f"It arrives at {intake.security_contact}.")
        else:
            inject.gaps.append("no security contact for outsiders is on record "
                               "(intake.security_contact)")


def _advisory_source(estate: Estate, origin: str, inject: Inject) -> None:
    """Which of the advisory feeds someone reads would carry the news."""
    intake = estate.org.spec.intake if estate.org is not None else None
    feeds = intake.advisories if intake else []
    if not feeds:
        inject.gaps.append("nobody is recorded as watching vendor advisories (intake.advisories)")
        return
    vendors = {origin} | _suppliers(estate.inventory, origin)
    names = set()
    for ref in vendors:
        entity = estate.inventory.get(ref)
        if entity is not None and entity.kind == "Vendor":
            names |= {entity.name.lower(), (entity.metadata.title or entity.name).lower()}
    feed = next((f for f in feeds if any(n in f.lower() for n in names)), None)
    if feed:
        inject.says.append(f"It reaches you through an advisory feed the team reads: {feed}.")
    else:
        inject.gaps.append("none of the advisory feeds on record (intake.advisories) covers "
                           + ", ".join(sorted(v for v in vendors if v.startswith("vendor:"))))


def triage(estate: Estate, act: dict[str, Any], severity: str, scenario: str) -> Inject:
    inject = Inject(5, "Triage: severity and the incident commander")
    scale = estate.org.spec.severity_scale if estate.org is not None else {}
    if scale:
        inject.says += [f"{level}: {text}" for level, text in sorted(scale.items())]
        inject.asks.append(f"Which severity? The pack plays it as {severity}.")
    else:
        inject.gaps.append("no severity scale (severity_scale): the severity is argued, "
                           "not looked up")
    primary, _ = estate.role("incident_commander")
    if primary:
        inject.asks.append(f"Page the incident commander: {estate.contact(primary)}.")
    else:
        inject.gaps.append("no incident commander is named (roles.incident_commander)")
    playbooks = _playbooks(estate.inventory, scenario, act["models"])
    if playbooks:
        inject.asks.append("Open the playbook: "
                           + ", ".join(estate.label(p) for p in playbooks) + ".")
    else:
        inject.gaps.append(f"no {scenario} playbook applies to the models in reach")
    return inject


def _playbooks(inventory: Inventory, scenario: str, models: list[str]) -> list[str]:
    """The playbooks of this very scenario (blast.actions groups several scenarios under
    one walk) that apply to a model in reach, or to all."""
    return sorted(p.ref for p in inventory.of_kind("Playbook")
                  if p.spec is not None and p.spec.scenario == scenario
                  and (p.spec.applies_to == "all" or set(p.spec.applies_to) & set(models)))


def commander_away(estate: Estate) -> Inject:
    """The role holder who cannot be reached, and who steps in."""
    inject = Inject(10, "The incident commander cannot be reached")
    primary, backup = estate.role("incident_commander")
    if primary is None:
        return inject  # the triage inject already says there is none
    inject.says.append(f"{estate.label(primary)} is on a flight and out of reach for the next "
                       "four hours.")
    if backup:
        inject.asks.append(f"The backup takes command: {estate.contact(backup)}. Hand over "
                           "the state of the incident in the coordination channel.")
        if not estate.reachable(backup):
            inject.gaps.append(f"the backup ({backup}) has no phone number on file")
    else:
        inject.gaps.append("the incident commander has no backup: who takes command?")
    for name in ROLES[1:]:
        held, spare = estate.role(name)
        if held and not spare:
            inject.gaps.append(f"the {name.replace('_', ' ')} ({held}) has no backup either")
    return inject


def evidence(estate: Estate, model: Entity) -> Inject:
    inject = Inject(15, "Preserve evidence before anything changes")
    spec = model.spec
    store = spec.logging.store if spec.logging else None
    if store:
        entity = estate.inventory.get(store)
        immutable = bool(entity and entity.spec and entity.spec.immutable)
        inject.asks.append(f"Export the attack window from {estate.label(store)}"
                           + ("." if immutable else
                              "; it is not immutable, so copy it out first."))
    else:
        inject.gaps.append(f"no log store is recorded for {model.ref}")
    artifact = spec.artifact
    if spec.provider is not None:
        pinned = spec.rollback.pinned_version if spec.rollback else None
        snapshot = pinned or spec.version or "unknown"
        inject.asks.append(f"Record the hosted snapshot in use ({snapshot}) and the gateway "
                           "configuration.")
    elif artifact is not None and artifact.checksum:
        inject.asks.append(f"Snapshot the model state and compare the running weights with "
                           f"{artifact.checksum}.")
    else:
        inject.gaps.append(f"no checksum of the deployed {model.ref}: nothing to compare the "
                           "running weights with")
    forensic = estate.org.spec.forensic_environment if estate.org is not None else None
    if forensic and forensic.location:
        inject.asks.append(f"Move copies to the forensic environment: {forensic.location}.")
    else:
        inject.gaps.append("no isolated forensic environment is on record")
    return inject


def surprises(estate: Estate, model: Entity, origin: str, reached: list[Any],
               act: dict[str, Any], plan: Plan) -> list[Inject]:
    """What the walk turns up that the team may not expect."""
    found: list[Inject] = []
    credentials = _alarming_credentials(estate.inventory, act["credentials"])
    if credentials:
        pick = credentials[0]
        inject = Inject(20, "Scope surprise: a credential in reach")
        entity = estate.inventory.get(pick["ref"])
        grants = entity.spec.grants if entity is not None and entity.spec is not None else []
        path = next((r.path for r in reached if r.ref == pick["ref"]), [origin, pick["ref"]])
        inject.says.append(f"{estate.label(pick['ref'])} is within reach ("
                           + " -> ".join(path) + ")"
                           + (f"; it grants {', '.join(grants)}." if grants else "."))
        if pick["revocation"]:
            inject.asks.append(f"Revoke it: {pick['revocation']}")
        else:
            inject.gaps.append(f"{pick['ref']} has no revocation procedure")
        others = [c["ref"] for c in credentials[1:]]
        if others:
            inject.asks.append("Decide whether to revoke the others in reach too: "
                               + ", ".join(others) + ".")
        found.append(inject)
    tools = _alarming_tools(estate.inventory, act["write_tools"])
    if tools:
        ref, verbs = tools[0]
        tool = estate.inventory.get(ref)
        inject = Inject(25, "Scope surprise: a tool that acts")
        inject.says.append(f"The logs show calls to {estate.label(ref)}, which can "
                           f"{' and '.join(verbs)}, during the attack window.")
        if tool is not None and tool.spec is not None and tool.spec.can_disable:
            inject.asks.append(f"Switch {ref} off for the model without a deployment, and find "
                               "every action it took.")
        else:
            inject.gaps.append(f"{ref} cannot be switched off on its own (can_disable)")
        found.append(inject)
    spread = _spread(estate, model, origin, reached, plan)
    if spread is not None:
        found.append(spread)
    return found


def _alarming_credentials(inventory: Inventory, found: list[dict[str, Any]]
                          ) -> list[dict[str, Any]]:
    """Credentials in reach, those that grant a paying or sending tool first (walk order
    between equals)."""
    def rank(entry: dict[str, Any]) -> int:
        credential = inventory.get(entry["ref"])
        grants = credential.spec.grants if credential and credential.spec else []
        tools = _alarming_tools(inventory, [g for g in grants if g.startswith("tool:")])
        return min((ALARMING.index(v) for _, verbs in tools for v in verbs if v in ALARMING),
                   default=len(ALARMING))
    return sorted(found, key=rank)


def _alarming_tools(inventory: Inventory, refs: list[str]) -> list[tuple[str, list[str]]]:
    ranked = []
    for ref in refs:
        tool = inventory.get(ref)
        if tool is None or tool.spec is None:
            continue
        verbs = [a for a in ALARMING if a in tool.spec.actions]
        verbs += sorted(set(tool.spec.actions) & WRITE_ACTIONS - set(verbs))
        rank = min((ALARMING.index(v) for v in verbs if v in ALARMING), default=len(ALARMING))
        ranked.append((rank, ref, verbs))
    return [(ref, verbs) for _, ref, verbs in sorted(ranked)]


def _spread(estate: Estate, model: Entity, origin: str, reached: list[Any],
            plan: Plan) -> Inject | None:
    """Other models the harm reaches: those trained on the data, built on the component,
    calling the model, or (for theft) the data the weights give away."""
    if plan.walk == "model_theft":
        # Only the data these weights learned from: not that of the models tuned from them.
        data = [r.ref for r in reached if r.kind == "Dataset" and "fine_tunes" not in r.edges]
        if not data:
            return None
        inject = Inject(35, "What the stolen weights give away")
        inject.says.append("Training data that may be extracted from the weights: "
                           + ", ".join(_with_classes(estate, d) for d in data) + ".")
        inject.asks.append("Whose data is it, and who must be told?")
        return inject
    others = [r.ref for r in reached if r.kind == "Model" and r.ref != model.ref]
    if not others:
        return None
    inject = Inject(35, "The harm is wider than one model")
    via = "" if origin == model.ref else f" through {estate.label(origin)}"
    inject.says.append(f"{len(others)} other model(s) are affected{via}: "
                       + ", ".join(estate.label(m) for m in others[:8])
                       + (f" and {len(others) - 8} more" if len(others) > 8 else "") + ".")
    inject.asks.append("Contain them too, or say why not; page their owners.")
    return inject


def _with_classes(estate: Estate, ref: str) -> str:
    entity = estate.inventory.get(ref)
    classes = entity.spec.data_classes if entity is not None and entity.spec else []
    return estate.label(ref) + (f" [{', '.join(classes)}]" if classes else "")


def vendors(graph: nx.DiGraph, inventory: Inventory, model: Entity, origin: str,
             act: dict[str, Any], plan: Plan) -> list[tuple[dict[str, Any], str]]:
    """Vendors to call, each with why: the supplier of what was compromised, the model's
    own vendors, the vendors harm reaches, then those supplying what the model runs on
    (up to three steps upstream, nearest first)."""
    compromised = _suppliers(inventory, origin) if origin != model.ref else set()
    own = _suppliers(inventory, model.ref)

    def why(ref: str) -> str:
        if ref in compromised:
            return "supplied what was compromised"
        return "provides the model" if ref in own else "what it provides is within reach"

    ranked = sorted(act["vendors"], key=lambda v: (v["ref"] not in compromised,
                                                   v["ref"] not in own, v["ref"]))
    found = {v["ref"]: (v, why(v["ref"])) for v in ranked}
    if not plan.upstream_vendors:
        return list(found.values())
    upstream = [r for r in walk_edges(graph, model.ref, UPSTREAM_SUPPLY, reverse=True, depth=3)
                if r.kind == "Vendor"]
    entries = {v["ref"]: v for v in actions(inventory, model.ref, (r.ref for r in upstream),
                                             None)["vendors"]}
    for reached in upstream:  # nearest first
        if reached.ref not in found and reached.ref in entries:
            found[reached.ref] = (entries[reached.ref], "provides the model"
                                  if reached.depth == 1 else "supplies what the model runs "
                                  "on (" + " <- ".join(reached.path) + ")")
    return list(found.values())


def vendor_call(estate: Estate, found: list[tuple[dict[str, Any], str]]) -> Inject:
    inject = Inject(30, "A vendor must be called")
    if not found:
        return inject
    vendor, why = found[0]
    contact = vendor.get("security_contact", {})
    ways = ", ".join(str(contact[k]) for k in ("email", "phone", "url") if k in contact)
    inject.says.append(f"{estate.label(vendor['ref'])} must be told and asked what it sees: "
                       f"it {why}.")
    if ways:
        inject.asks.append(f"Call its security team: {ways}"
                           + (f" (verified {contact['verified']})" if "verified" in contact
                              else " (never verified)") + ".")
    else:
        inject.gaps.append(f"{vendor['ref']} has no security contact on file: find one now")
    if "incident_reporting" in vendor:
        inject.asks.append(f"Report through its procedure: {vendor['incident_reporting']}")
    if "notification_sla" in vendor:
        inject.says.append(f"Its contract promises notice within {vendor['notification_sla']}.")
    if len(found) > 1:
        inject.asks.append("Decide whether to call the others too: "
                           + ", ".join(v["ref"] for v, _ in found[1:]) + ".")
    return inject


def _suppliers(inventory: Inventory, ref: str) -> set[str]:
    """The vendor itself, or the vendors that provide, build, publish or supply ``ref``."""
    entity = inventory.get(ref)
    if entity is None:
        return set()
    if entity.kind == "Vendor":
        return {ref}
    spec = entity.spec
    if spec is None:
        return set()
    found: set[str] = set()
    for name in ("provider", "supplier", "developer", "publisher"):
        value = getattr(spec, name, None)
        found.update(value if isinstance(value, list) else [value] if value else [])
    return {v for v in found if isinstance(v, str) and v.startswith("vendor:")}


def scope(estate: Estate, act: dict[str, Any], reached: list[Any]) -> Inject:
    inject = Inject(40, "Scope: who and what is exposed")
    inject.says.append(f"{plural(len(reached), 'entity', 'entities')} "
                       f"{agree(len(reached), 'is', 'are')} in reach; "
                       "users of the models in reach: "
                       f"{users_phrase(act)}.")
    if act["environments"]:
        inject.says.append("Environments: " + ", ".join(e["ref"] for e in act["environments"])
                           + ".")
    else:
        inject.gaps.append("no environment is recorded for what is in reach")
    if act["sensitive_data"]:
        inject.says.append("Sensitive data in reach: " + ", ".join(act["sensitive_data"]) + ".")
    inject.asks.append("Name the affected users and systems; start the list for legal.")
    return inject


def decisions(estate: Estate, act: dict[str, Any], severity: str) -> list[Decision]:
    escalation = estate.org.spec.escalation if estate.org is not None else None
    facts = [f"the pack plays it as {severity}"]
    if act["write_tools"]:
        facts.append("tools that act: " + ", ".join(act["write_tools"]))
    if act["sensitive_data"]:
        facts.append("sensitive data: " + ", ".join(act["sensitive_data"]))
    return [
        Decision("Take the model offline?", escalation.take_offline if escalation else None,
                 facts),
        Decision("Call legal in now?", escalation.legal if escalation else None, facts),
        Decision("Notify customers?", escalation.notify_customers if escalation else None,
                 facts),
    ]


def decision_inject(choices: list[Decision]) -> Inject:
    return Inject(45, "Decisions",
                  says=[f"{d.question} The written criteria: {d.criteria}"
                        for d in choices if d.criteria],
                  asks=[f"Decide: {d.question[0].lower()}{d.question[1:]}" for d in choices],
                  gaps=[f"no written criteria for: {d.question.lower()}"
                        for d in choices if not d.criteria])


def clock_lines(inventory: Inventory, estate: Estate, act: dict[str, Any], scenario: str,
            severity: str, today: dt.date, model: Entity) -> list[ClockLine]:
    """The notification clocks a real incident like this would start at T+0."""
    org = estate.org
    if org is None:
        return []
    start = dt.datetime.combine(today, dt.time(9, 0), dt.UTC)
    spec = {"severity": severity, "category": scenario, "models": [model.ref],
            "timeline": {"detected": start},
            "impact": {"data_classes": act["data_classes"]}}
    incident = ENTITY_CLASS["Incident"].model_validate(
        {"apiVersion": "airready/v1", "kind": "Incident",
         "metadata": {"name": "tabletop"}, "spec": spec}, strict=False)
    rules = rules_for(inventory)
    found: list[Clock] = clocks(incident, org, today, rules)
    return [ClockLine(c.regime, str(rules[c.regime].get("title", c.regime)), c.stage,
                      c.deadline - start, c.citation) for c in found]


def clock_inject(lines: list[ClockLine], estate: Estate) -> Inject:
    inject = Inject(50, "Regulatory clocks")
    regulations = estate.org.spec.regulations if estate.org is not None else []
    if not regulations:
        inject.gaps.append("no regulations are declared: nobody knows which clocks run")
        return inject
    for line in lines:
        inject.says.append(f"{line.title}, {line.stage}: due {clock_text(line.due)}.")
    if lines:
        reporter, _ = estate.role("regulatory_reporting")
        owner = estate.contact(reporter) or estate.contact(estate.role("legal_advisor")[0])
        inject.asks.append("Who files each report, and when is the first one due?"
                           + (f" ({owner})" if owner else ""))
    else:
        inject.says.append("None of the declared regimes ("
                           + ", ".join(regulations) + ") starts a clock for this incident.")
    return inject


def span(delta: dt.timedelta) -> str:
    """``30 min``, ``4 h``, ``2 h 30 min``, ``15 days``: a duration as people say it."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours <= 96:
        return f"{hours} h" + (f" {rest} min" if rest else "")
    days, hours = divmod(hours, 24)
    return f"{days} days" + (f" {hours} h" if hours else "")


def clock_text(delta: dt.timedelta) -> str:
    """``T+4 h``, ``T+72 h``, ``T+15 days``: a deadline counted from T+0."""
    return f"T+{span(delta)}"


def briefing(estate: Estate) -> Inject:
    inject = Inject(60, "Brief stakeholders")
    for name in ("communications_lead", "legal_advisor"):
        primary, _ = estate.role(name)
        if primary:
            inject.asks.append(f"Brief the {name.replace('_', ' ')}: {estate.contact(primary)}.")
        else:
            inject.gaps.append(f"no {name.replace('_', ' ')} is named")
    channels = estate.org.spec.channels if estate.org is not None else []
    exposed = [c for c in channels if c.dedicated and c.independent_of_ai is False]
    safe = [c for c in channels if c.dedicated and c.independent_of_ai]
    if exposed and safe:
        inject.says.append(f"{exposed[0].name} may be read by the AI systems under suspicion: "
                           f"move the coordination to {safe[0].name}.")
    elif safe:
        inject.asks.append(f"Coordinate in {safe[0].name}.")
    else:
        inject.gaps.append("no dedicated channel that works without the AI systems")
    return inject
