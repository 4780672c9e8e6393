"""Post-incident facts computed from Incident records: response metrics against targets,
regulatory notification clocks, remediation actions and the recurrence watch.

Targets come from the Organization (``targets`` per severity); where P1 has none, the
checklist's defaults apply (detect 1 h, contain 4 h, remediate 72 h, notify 1 h).
The regulatory rules live in data/regulations.yaml, each with its citation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..inventory.fields import format_duration, parse_duration
from ..inventory.kinds import Entity
from ..inventory.model import Inventory
from ..inventory.problems import Problem
from ..inventory.schema_errors import closest
from ..rules.clocks import Clock, clocks, rules_for
from ..rules.targets import (  # noqa: F401 - re-exported: the metrics moved below the rules
    DEFAULT_TARGETS,
    METRICS,
    Metric,
    metrics,
    targets_for,
)

TIMELINE_ORDER = ("started", "detected", "contained", "remediated", "closed")
DEFAULT_RECURRENCE_WATCH = dt.timedelta(days=90)
OPEN_ACTION = ("open", "in_progress")
EVIDENCE_KINDS = {  # what the checklist asks to preserve: the kind, or keywords in `what`
    "logs": ("logs", ("log",)),
    "model state": ("model_state", ("weight", "model state", "config", "artifact", "snapshot")),
    "attack inputs": ("attack_inputs", ("input", "payload", "prompt")),
}


# --- actions, evidence, recurrence ------------------------------------------------------

def is_overdue(item: Any, today: dt.date) -> bool:
    """An incident action or a risk treatment still open past its due date."""
    return item.status in OPEN_ACTION and item.due is not None and item.due < today


def overdue_actions(incident: Entity, today: dt.date) -> list[dict[str, Any]]:
    return [{"title": a.title, "owner": a.owner, "due": a.due.isoformat(), "status": a.status}
            for a in incident.spec.actions if is_overdue(a, today)]


def evidence_gaps(incident: Entity) -> list[str]:
    """What the checklist asks to preserve that the record does not show as preserved."""
    preserved = [e for e in incident.spec.evidence if e.preserved_at]
    gaps = [f"no preserved {label}" for label, (kind, words) in EVIDENCE_KINDS.items()
            if not any(e.kind == kind or (e.kind is None and any(
                word in e.what.lower() for word in words)) for e in preserved)]
    gaps += [f"evidence '{e.what}' has no location" for e in incident.spec.evidence
             if not e.location]
    return gaps


def recurrence_watch(incident: Entity, org: Entity | None) -> dt.date | None:
    """The last day of enhanced monitoring after closure, if the incident is closed."""
    closed = incident.spec.timeline.closed
    if closed is None:
        return None
    period = DEFAULT_RECURRENCE_WATCH
    if org is not None and org.spec.recurrence_watch:
        period = parse_duration(org.spec.recurrence_watch)
    return (closed + period).date()


# --- validation ------------------------------------------------------------------------

def incident_problems(inventory: Inventory) -> list[Problem]:
    """Timelines in order and severities that the organisation's scale defines.

    A filing whose stage is close to one of its regime's stages (``inital`` for DORA's
    ``initial``) is a warning: as written it meets no deadline.  A stage unlike any (a
    voluntary notification, say) is a filing of its own and starts no clock.
    """
    problems = []
    org = inventory.organization
    scale = set(org.spec.severity_scale) if org is not None else set()
    for incident in inventory.of_kind("Incident"):
        timeline = incident.spec.timeline
        previous: tuple[str, dt.datetime] | None = None
        for name in TIMELINE_ORDER:
            value = getattr(timeline, name)
            if value is None:
                continue
            if previous is not None and value < previous[1]:
                file, line, column = inventory.locate(incident.ref, ("spec", "timeline", name))
                problems.append(Problem(
                    file, line, column,
                    f"spec.timeline.{name}: {value.isoformat()} is before {previous[0]} "
                    f"({previous[1].isoformat()}); the order is "
                    + " <= ".join(TIMELINE_ORDER), code="incident"))
            previous = (name, value)
        notified = timeline.stakeholders_notified
        if notified is not None and timeline.detected is not None and notified < timeline.detected:
            file, line, column = inventory.locate(
                incident.ref, ("spec", "timeline", "stakeholders_notified"))
            problems.append(Problem(
                file, line, column,
                f"spec.timeline.stakeholders_notified: {notified.isoformat()} is before detected "
                f"({timeline.detected.isoformat()}); stakeholders are told of an incident once "
                "it is detected", code="incident"))
        if scale and incident.spec.severity not in scale:
            file, line, column = inventory.locate(incident.ref, ("spec", "severity"))
            problems.append(Problem(file, line, column,
                                    f"spec.severity: {incident.spec.severity} is not in the "
                                    f"organisation's severity scale ({', '.join(sorted(scale))})",
                                    code="incident"))
        problems += _stage_problems(inventory, incident)
    return problems


def _stage_problems(inventory: Inventory, incident: Entity) -> list[Problem]:
    problems = []
    rules = rules_for(inventory)
    for index, filing in enumerate(incident.spec.regulatory):
        rule = rules.get(filing.regime)
        if rule is None or filing.stage is None:
            continue
        stages = list(dict.fromkeys(str(s["name"]) for s in rule["stages"]))
        if filing.stage in stages:
            continue
        close = closest(filing.stage, stages)
        if close:
            file, line, column = inventory.locate(
                incident.ref, ("spec", "regulatory", index, "stage"))
            problems.append(Problem(
                file, line, column,
                f"spec.regulatory.{index}.stage: {filing.stage!r} is not a stage of "
                f"{filing.regime} ({', '.join(stages)}); did you mean {close!r}? As written "
                "it meets no deadline", level="warning", code="incident"))
    return problems


# --- the summary per incident -------------------------------------------------------------

@dataclass
class IncidentReport:
    incident: Entity
    metrics: list[Metric]
    clocks: list[Clock]
    overdue: list[dict[str, Any]]
    evidence_gaps: list[str]
    watch_until: dt.date | None
    today: dt.date
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def watching(self) -> bool:
        return self.watch_until is not None and self.today <= self.watch_until


def report(incident: Entity, inventory: Inventory, today: dt.date) -> IncidentReport:
    org = inventory.organization
    return IncidentReport(incident, metrics(incident, org, today),
                          clocks(incident, org, today, rules_for(inventory), inventory),
                          overdue_actions(incident, today), evidence_gaps(incident),
                          recurrence_watch(incident, org), today)


def reports(inventory: Inventory, today: dt.date) -> list[IncidentReport]:
    return [report(i, inventory, today)
            for i in sorted(inventory.of_kind("Incident"), key=lambda i: i.ref)]


def mean(values: list[dt.timedelta]) -> dt.timedelta | None:
    return sum(values, dt.timedelta()) / len(values) if values else None


def aggregate(items: list[IncidentReport]) -> dict[str, Any]:
    """Mean time to detect, contain, remediate and notify, overall and per severity."""
    def means(subset: list[IncidentReport]) -> dict[str, str | None]:
        out = {}
        for name in METRICS:
            values = [m.value for r in subset for m in r.metrics
                      if m.name == name and m.value is not None]  # PT0S counts too
            average = mean(values)
            out[f"mean_{name}"] = format_duration(average) if average is not None else None
        return out

    severities = sorted({r.incident.spec.severity for r in items})
    sources: dict[str, int] = {}
    for item in items:
        source = item.incident.spec.detection_source or "unknown"
        sources[source] = sources.get(source, 0) + 1
    return {
        "incidents": len(items),
        **means(items),
        "by_severity": {s: means([r for r in items if r.incident.spec.severity == s])
                        for s in severities},
        "detection_sources": sources,
        "breaches": sum(m.late for r in items for m in r.metrics),
        "late_notifications": sum(c.met is False for r in items for c in r.clocks),
        "overdue_actions": sum(len(r.overdue) for r in items),
    }
