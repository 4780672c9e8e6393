"""Readiness scorecards: a level and a score per model, owner, phase, framework and for the
organisation, with the reasons behind each.

The scoring model (also printed by ``airready scorecard --explain``):

* Every control has a level: critical controls are Bronze (the minimum for any model in
  production), high ones Silver, medium and low ones Gold.  A control may set its own.
* The organisation's own score covers everything that is not a model (roles, channels,
  exercises, playbooks, vendors, credentials, datasets, components); the estate score
  covers every result.
* A target holds a level on evidence only: every applicable control of that level and
  below passes, and at least one control of each of those levels applied.  Levels are
  gates: one failing Bronze control means no level at all, whatever else passes; a model
  on which no Bronze control applied holds no level either, so a score of 0 never comes
  with a level.
* A target with no applicable result at all is "unrated": it holds no level and has no
  score (so a model that nothing applies to is never ready).
* A model's status comes first: "live" (not retired, and in production, pilot or
  staging, or exposed through users, tools, credentials, data access or a production or
  staging environment, whatever its lifecycle says), "retired", or "out of scope" (not
  live: nothing it touches is declared).  Only live models are counted as ready or not
  ready; retired and out-of-scope models are listed apart, with what they still hold.
* The score is 0-100: the severity-weighted share of applicable results that pass
  (critical 10, high 5, medium 2, low 1), rounded half up.  Waived and failing results
  count against it; not-applicable ones are left out.  Waived is never a pass.
* A model's required level follows its reach (see graph/blast.py): Gold for a high risk tier,
  or for write-capable tools combined with sensitive data or external users; Silver for
  a medium risk tier, any write-capable tool, sensitive data or external users; Bronze
  otherwise.  A model is ready when its level reaches its required level.  Sensitive data
  is any of the classes pii, phi, health, special_category, biometric, payment,
  credentials and proprietary, on the model or anywhere in its reach.
* Per framework: the share of the controls mapped to it that pass on every target they
  apply to (controls that applied nowhere are not judged), and the framework's
  requirements (airready/data/frameworks.yaml) that no enabled control maps to.
* Users reached are a range, never a sum that counts people twice: the largest single
  population reached is the floor; the ceiling adds the populations up, but the models
  running in one environment never count more users than that environment declares.
  Nothing declared is "unknown", never 0; retired models reach nobody.
* Evidence freshness: a passing date-based control (``within``) goes stale on the first
  day it would fail; the scorecard lists what goes stale in the next 30 days.  A date
  after the audit day is never evidence: the control fails with "is in the future".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from ..graph.blast import model_reach
from ..inventory.kinds import Entity
from ..inventory.model import Inventory
from ..inventory.ownership import children, subtree
from ..rules.catalog import PHASES, Control
from ..rules.facts import fact
from ..rules.findings import GAP_STATES, AuditResult, Finding, sort_findings
from ..rules.freshness import stale_on

LEVELS = ("bronze", "silver", "gold")
_LEVEL_RANK = {level: i for i, level in enumerate(LEVELS)}
LEVEL_BY_SEVERITY = {"critical": "bronze", "high": "silver", "medium": "gold", "low": "gold"}
WEIGHTS = {"critical": 10, "high": 5, "medium": 2, "low": 1}
EXPIRY_WINDOW = dt.timedelta(days=30)


def percent(part: int, whole: int) -> int:
    """``100 * part / whole`` rounded half up (Python's round() goes to the even side)."""
    return (200 * part + whole) // (2 * whole)


def control_level(control: Control) -> str:
    return control.spec.level or LEVEL_BY_SEVERITY[control.severity]


def load_frameworks() -> dict[str, dict[str, str]]:
    text = resources.files("airready").joinpath("data/frameworks.yaml").read_text("utf-8")
    # libyaml's parser: the pure-Python one took a tenth of a small project's check.
    data: dict[str, dict[str, str]] = yaml.load(
        text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return data


@dataclass
class Score:
    level: str | None  # None: not even Bronze; "unrated": nothing applicable
    score: int | None
    passed: int = 0
    gaps: int = 0
    waived: int = 0
    not_applicable: int = 0
    why: str = ""  # why no level is held, when none is

    @property
    def rank(self) -> int:
        return LEVELS.index(self.level) + 1 if self.level in LEVELS else 0


def score(findings: list[Finding], levels: dict[str, str]) -> Score:
    # One pass: this runs for every model, the organisation and the estate.
    not_applicable = passed = gaps = waived = total = earned = 0
    lowest_unmet = len(LEVELS)  # the lowest level with an applicable result that fails
    seen = 0  # bit i: a control of level i applied (a level is held on evidence only)
    rank = _LEVEL_RANK
    for finding in findings:
        state = finding.state
        if state == "not_applicable":
            not_applicable += 1
            continue
        weight = WEIGHTS[finding.severity]
        total += weight
        level_index = rank[levels[finding.control]]
        seen |= 1 << level_index
        if state == "pass":
            earned += weight
            passed += 1
            continue
        if state in GAP_STATES:
            gaps += 1
        elif state == "waived":
            waived += 1
        if level_index < lowest_unmet:
            lowest_unmet = level_index
    if not_applicable == len(findings):  # nothing applicable: nothing to judge
        return Score("unrated", None, not_applicable=not_applicable,
                     why="nothing applies: declare its lifecycle, users and environments")
    unseen = next((i for i in range(len(LEVELS)) if not seen >> i & 1), len(LEVELS))
    held = min(lowest_unmet, unseen)  # levels below both are earned, with evidence
    level = LEVELS[held - 1] if held else None
    why = ""
    if level is None:
        why = (f"no {LEVELS[0].capitalize()} control applies" if unseen == 0
               else f"a {LEVELS[0].capitalize()} control does not pass")
    return Score(level, percent(earned, total), passed, gaps, waived, not_applicable, why)


STATUSES = ("live", "out_of_scope", "retired")


@dataclass
class ModelCard:
    ref: str
    owner: str | None
    lifecycle: str | None
    score: Score
    required_level: str
    required_reason: str
    failing: list[Finding]
    next_level_missing: list[Finding]
    reach: dict[str, Any]
    status: str = "live"  # live, out_of_scope or retired (see STATUSES)
    status_reason: str = ""  # why: "live: lifecycle production", "still holds tool:x"
    title: str | None = None  # what people call it

    @property
    def ready(self) -> bool:
        """Only a live model can be ready: retired and out-of-scope ones are neither."""
        return self.status == "live" and (
            self.score.rank >= LEVELS.index(self.required_level) + 1)

    @property
    def live(self) -> bool:
        return self.status == "live"


@dataclass
class Expiring:
    control: str
    target: str
    stale_on: dt.date
    days_left: int


@dataclass
class Scorecard:
    today: dt.date
    organization: Score  # the organisation-wide results: roles, playbooks, vendors, data...
    estate: Score  # every result, models included
    organization_findings: list[Finding]
    models: list[ModelCard]
    owners: list[dict[str, Any]]
    phases: dict[str, dict[str, Any]]
    frameworks: dict[str, dict[str, Any]]
    expiring: list[Expiring]
    org_facts: dict[str, Any] = field(default_factory=dict)
    organization_waived: list[Finding] = field(default_factory=list)
    owner: str | None = None  # the owner it was limited to (--owner), if any
    # Teams with sub-teams, over everything below them (agency > bureau > team).
    owner_rollup: list[dict[str, Any]] = field(default_factory=list)


def required_level(spec: Any, write_tools: int, sensitive: list[str], users: int | None,
                   external: bool) -> tuple[str, str]:
    """The level a model must hold to count as ready, and why."""
    tier = spec.risk_tier
    reach = []
    if write_tools:
        reach.append(f"{write_tools} tool{'' if write_tools == 1 else 's'} that can write, "
                     "send or pay")
    if sensitive:
        reach.append("sensitive data (" + ", ".join(sensitive) + ")")
    if external:
        reach.append(f"external users ({users:,})" if users else "external users")
    # The items are joined with "and": the tool item holds commas of its own.
    reaches = ["reaches " + " and ".join(reach)] if reach else []
    if tier == "high":
        return "gold", "; ".join(["risk tier high", *reaches])
    if write_tools and (sensitive or external):
        return "gold", reaches[0]
    if tier == "medium" or reach:
        why = ["risk tier medium"] if tier == "medium" else []
        return "silver", "; ".join(why + reaches)
    return "bronze", f"risk tier {tier or 'not set'} and little reach"


def _model_cards(result: AuditResult, levels: dict[str, str],
                 only: set[str] | None = None) -> list[ModelCard]:
    inventory = result.inventory
    by_target: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        by_target[finding.target].append(finding)
    cards = []
    for model in inventory.of_kind("Model"):
        if model.metadata.external or (only is not None and model.ref not in only):
            continue
        findings = by_target.get(model.ref, [])
        model_score = score(findings, levels)
        reach = model_reach(None, inventory, model.ref)  # from reach sets: no graph needed
        required, reason = required_level(model.spec, reach.write_tools, reach.sensitive_data,
                                          reach.users, reach.external_users)
        failing = sort_findings(f for f in findings if f.is_gap or f.state == "waived")
        status, status_reason = _status(model, result)
        next_index = model_score.rank  # index of the next level in LEVELS
        missing = [f for f in failing if status == "live" and next_index < len(LEVELS)
                   and levels[f.control] in LEVELS[: next_index + 1]]
        cards.append(ModelCard(model.ref, model.metadata.owner, model.spec.lifecycle,
                               model_score, required, reason, failing, missing,
                               {"write_tools": reach.write_tools,
                                "sensitive_data": reach.sensitive_data,
                                "users": reach.users, "external_users": reach.external_users},
                               status, status_reason, model.metadata.title))
    # Live models first, least ready first; then out-of-scope and retired ones.
    return sorted(cards, key=lambda c: (STATUSES.index(c.status), c.ready,
                                        c.score.score or 0, c.ref))


def _status(model: Entity, result: AuditResult) -> tuple[str, str]:
    live = fact("live", model, result.inventory, result.today)
    if live.value:
        return "live", live.says
    if model.spec.lifecycle == "retired":
        holdings = fact("retired_holdings", model, result.inventory, result.today)
        return "retired", holdings.says
    return "out_of_scope", live.says


def _owners(cards: list[ModelCard]) -> list[dict[str, Any]]:
    """Per owner, over its live models only (retired and out-of-scope ones are counted
    apart): a retired model is neither ready nor a reason to be less ready."""
    groups: dict[str, list[ModelCard]] = defaultdict(list)
    others: dict[str, dict[str, int]] = defaultdict(lambda: {"retired": 0, "out_of_scope": 0})
    for card in cards:
        owner = card.owner or "(no owner)"
        if card.live:
            groups[owner].append(card)
        else:
            others[owner][card.status] += 1
    rows: list[dict[str, Any]] = []
    for owner in sorted(set(groups) | set(others)):
        owned = groups.get(owner, [])
        if not owned:
            rows.append({"owner": owner, "models": 0, "ready": 0, "mean_score": None,
                         "lowest_level": "unrated", "not_ready": [], **others[owner]})
            continue
        scores = [c.score.score for c in owned if c.score.score is not None]
        # A failing Bronze control (level None) is lower than having nothing to judge.
        lowest = min(owned, key=lambda c: (c.score.rank, c.score.level is not None))
        rows.append({"owner": owner, "models": len(owned), "ready": sum(c.ready for c in owned),
                     **others[owner],
                     "mean_score": percent(sum(scores), 100 * len(scores)) if scores else None,
                     "lowest_level": lowest.score.level,
                     "not_ready": [c.ref for c in owned if not c.ready]})
    return rows


def _rollup(cards: list[ModelCard], inventory: Inventory) -> list[dict[str, Any]]:
    """Each team that has sub-teams, with the live models of its whole subtree: what an
    agency or a bureau answers for.  Teams without sub-teams are the owner rows already."""
    below = children(inventory)
    rows = []
    for team in sorted(below):
        if team not in inventory.entities:
            continue
        covered = set(subtree(inventory, team))
        live = [c for c in cards if c.live and c.owner in covered]
        if not live:
            continue
        scores = [c.score.score for c in live if c.score.score is not None]
        rows.append({"owner": team, "teams": sorted(covered - {team}), "models": len(live),
                     "ready": sum(c.ready for c in live),
                     "mean_score": percent(sum(scores), 100 * len(scores)) if scores else None,
                     "not_ready": [c.ref for c in live if not c.ready]})
    return rows


def _phases(result: AuditResult, levels: dict[str, str]) -> dict[str, dict[str, Any]]:
    by_phase: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        by_phase[finding.phase].append(finding)
    table = {}
    for phase in PHASES:
        findings = by_phase.get(phase, [])
        phase_score = score(findings, levels)
        table[phase] = {"score": phase_score.score, "pass": phase_score.passed,
                        "gaps": phase_score.gaps, "waived": phase_score.waived,
                        "not_applicable": phase_score.not_applicable}
    return table


def _control_passes(findings: list[Finding]) -> bool | None:
    """A control passes estate-wide when nothing fails and something passed."""
    applicable = [f for f in findings if f.state != "not_applicable"]
    if not applicable:
        return None
    return all(f.state == "pass" for f in applicable)


def _frameworks(result: AuditResult) -> dict[str, dict[str, Any]]:
    requirements = load_frameworks()
    for name, declared in result.inventory.declared_frameworks.items():
        requirements[name] = dict(declared.requirements)
    by_control: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        by_control[finding.control].append(finding)
    # Each control's verdict once, not once per framework that cites it.
    verdict = {c.id: _control_passes(by_control.get(c.id, [])) for c in result.evaluated}
    table = {}
    for name, title in result.catalog.frameworks.items():
        mapped = [c for c in result.evaluated if c.spec.references.get(name)]
        verdicts = {c.id: verdict[c.id] for c in mapped}
        judged = [v for v in verdicts.values() if v is not None]
        in_scope = requirements.get(name, {})
        # Coverage counts the controls this run evaluated: a disabled control covers nothing.
        covered: dict[str, list[str]] = defaultdict(list)
        for control in mapped:
            for ident in control.spec.references[name]:
                covered[ident].append(control.id)
        requirement_rows = []
        for ident, summary in in_scope.items():
            controls = sorted(covered.get(ident, []))
            # Controls that applied to nothing are not judged, here as in the share.
            states = [verdicts[c] for c in controls if verdicts.get(c) is not None]
            requirement_rows.append({
                "id": ident, "title": summary, "controls": controls,
                "passing": bool(states) and all(states),
            })
        table[name] = {
            "title": title,
            "controls": len(mapped),
            "controls_passing": sum(v is True for v in judged),
            "controls_judged": len(judged),
            "share_passing": percent(sum(judged), len(judged)) if judged else None,
            "requirements": requirement_rows,
            "uncovered": [r["id"] for r in requirement_rows if not r["controls"]],
        }
    return table


def _expiring(result: AuditResult) -> list[Expiring]:
    inventory = result.inventory
    dated = {c.id: c for c in result.evaluated if "within" in repr(c.spec.check)}
    rows = []
    for finding in result.findings:
        control = dated.get(finding.control)
        if control is None or finding.state != "pass":
            continue
        target = inventory.get(finding.target)
        when = stale_on(control, target, inventory, result.today)
        # A passing control is still fresh today, so it goes stale tomorrow at the earliest.
        if when is not None and result.today < when <= result.today + EXPIRY_WINDOW:
            rows.append(Expiring(finding.control, finding.target, when,
                                 (when - result.today).days))
    return sorted(rows, key=lambda e: (e.stale_on, e.control, e.target))


def _org_facts(result: AuditResult) -> dict[str, Any]:
    org = result.inventory.organization
    if org is None:
        return {}
    spec = org.spec
    # A date after the audit day is a planned exercise, not one held.
    exercises = sorted((x.date for x in spec.tabletop_exercises if x.date <= result.today),
                       reverse=True)
    playbooks = result.inventory.of_kind("Playbook")
    vendors = result.inventory.of_kind("Vendor")
    return {
        "roles": {name: {"primary": r.primary, "backup": r.backup}
                  for name, r in spec.roles.items()},
        "last_exercise": exercises[0].isoformat() if exercises else None,
        "exercises_last_year": sum((result.today - d).days <= 365 for d in exercises),
        "playbook_scenarios": sorted({p.spec.scenario for p in playbooks}),
        "vendors_with_contact": sum(1 for v in vendors if v.spec and v.spec.security_contact),
        "vendors": sum(1 for v in vendors if not v.metadata.external),
    }


def build_scorecard(result: AuditResult, only: set[str] | None = None,
                    owner: str | None = None) -> Scorecard:
    """The scorecard of ``result``; ``only``: the models to give cards to (``owner``'s)."""
    levels = {c.id: control_level(c) for c in result.catalog.controls.values()}
    cards = _model_cards(result, levels, only)
    model_refs = {c.ref for c in cards}
    org_findings = [f for f in result.findings if f.target not in model_refs]
    return Scorecard(
        today=result.today,
        organization=score(org_findings, levels),
        estate=score(result.findings, levels),
        organization_findings=sort_findings(f for f in org_findings if f.is_gap),
        organization_waived=sort_findings(f for f in org_findings if f.state == "waived"),
        models=cards,
        owners=_owners(cards),
        owner_rollup=_rollup(cards, result.inventory),
        phases=_phases(result, levels),
        frameworks=_frameworks(result),
        expiring=_expiring(result),
        org_facts=_org_facts(result),
        owner=owner,
    )
