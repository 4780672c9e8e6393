"""Post-incident facts computed from Incident records: response metrics against targets,
regulatory notification clocks, remediation actions and the recurrence watch.

Targets come from the Organization (``targets`` per severity); where P1 has none, the
checklist's defaults apply (detect 1 h, contain 4 h, remediate 72 h, notify 1 h).
The regulatory rules live in data/regulations.yaml, each with its citation.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from .fields import format_duration, parse_duration
from .inventory import Inventory
from .kinds import Entity
from .problems import Problem
from .schema_errors import closest

METRICS = {  # metric -> (from, to, target key)
    "time_to_detect": ("started", "detected", "detect"),
    "time_to_contain": ("detected", "contained", "contain"),
    "time_to_remediate": ("detected", "remediated", "remediate"),
    "time_to_notify": ("detected", "stakeholders_notified", "notify"),
}
DEFAULT_TARGETS = {"P1": {"detect": "PT1H", "contain": "PT4H", "remediate": "PT72H",
                          "notify": "PT1H"}}
TIMELINE_ORDER = ("started", "detected", "contained", "remediated", "closed")
DEFAULT_RECURRENCE_WATCH = dt.timedelta(days=90)
OPEN_ACTION = ("open", "in_progress")
EVIDENCE_KINDS = {  # what the checklist asks to preserve, by keywords in `what`
    "logs": ("log",),
    "model state": ("weight", "model state", "config", "artifact", "snapshot"),
    "attack inputs": ("input", "payload", "prompt"),
}


@cache
def regulation_rules() -> dict[str, dict[str, Any]]:
    text = resources.files("airready").joinpath("data/regulations.yaml").read_text("utf-8")
    rules: dict[str, dict[str, Any]] = yaml.safe_load(text)
    return rules


# --- time arithmetic -------------------------------------------------------------------

_MONTHS = re.compile(r"^P(\d+)M$")
_BUSINESS = re.compile(r"^(\d+)BD$")


def add_months(start: dt.datetime, months: int) -> dt.datetime:
    """The same day ``months`` later, or that month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


def add_business_days(start: dt.datetime, days: int) -> dt.datetime:
    """The end of the ``days``-th weekday after ``start`` (public holidays are not known)."""
    current = start.date()
    remaining = days
    while remaining:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return dt.datetime.combine(current, dt.time(23, 59, 59), start.tzinfo)


def add_after(start: dt.datetime, after: str) -> dt.datetime:
    if match := _MONTHS.match(after):
        return add_months(start, int(match[1]))
    if match := _BUSINESS.match(after):
        return add_business_days(start, int(match[1]))
    return start + parse_duration(after)


# --- metrics -----------------------------------------------------------------------------

@dataclass
class Metric:
    name: str
    value: dt.timedelta | None
    target: dt.timedelta | None

    @property
    def breached(self) -> bool:
        return self.value is not None and self.target is not None and self.value > self.target


def targets_for(org: Entity | None, severity: str) -> dict[str, dt.timedelta]:
    declared = org.spec.targets.get(severity) if org is not None else None
    values = dict(DEFAULT_TARGETS.get(severity, {}))
    if declared is not None:
        values.update({k: v for k, v in declared.model_dump().items() if v})
    return {key: parse_duration(text) for key, text in values.items()}


def metrics(incident: Entity, org: Entity | None) -> list[Metric]:
    timeline = incident.spec.timeline
    targets = targets_for(org, incident.spec.severity)
    found = []
    for name, (start, end, target_key) in METRICS.items():
        begin, finish = getattr(timeline, start), getattr(timeline, end)
        value = finish - begin if begin and finish else None
        found.append(Metric(name, value, targets.get(target_key)))
    return found


# --- regulatory clocks -----------------------------------------------------------------

@dataclass
class Clock:
    regime: str
    stage: str
    citation: str
    deadline: dt.datetime
    notified_at: dt.datetime | None
    today: dt.date

    @property
    def met(self) -> bool | None:
        """True or False once filed; None while the clock still runs."""
        if self.notified_at is not None:
            return self.notified_at <= self.deadline
        return False if self.overdue else None

    @property
    def overdue(self) -> bool:
        return self.notified_at is None and self.deadline.date() < self.today

    @property
    def state(self) -> str:
        """``met``, ``missed`` (filed late), ``overdue`` (not filed, past) or ``running``."""
        if self.notified_at is not None:
            return "met" if self.notified_at <= self.deadline else "missed"
        return "overdue" if self.overdue else "running"


def _touches(rule: dict[str, Any], incident: Entity) -> bool:
    applies = rule.get("applies", {})
    impact = incident.spec.impact
    classes = set(impact.data_classes) if impact else set()
    if classes & set(applies.get("data_classes", [])):
        return True
    if incident.spec.severity in applies.get("severities", []):
        return True
    return any(impact is not None and getattr(impact, flag, None)
               for flag in applies.get("flags", []))


def clocks(incident: Entity, org: Entity | None, today: dt.date) -> list[Clock]:
    """Every notification deadline the incident starts, with whether it was met."""
    spec = incident.spec
    detected = spec.timeline.detected
    if org is None or detected is None:
        return []
    found = []
    rules = regulation_rules()
    for regime in org.spec.regulations:
        rule = rules.get(regime)
        if rule is None or not _touches(rule, incident):
            continue
        filings = [f for f in spec.regulatory if f.regime == regime]
        clock_start = next((f.clock_start for f in filings if f.clock_start), None) or detected
        done: dict[str, tuple[dt.datetime, dt.datetime]] = {}  # stage -> first, latest
        seen: set[str] = set()
        for stage in rule["stages"]:
            name = stage["name"]
            if name in seen:
                continue
            flag = stage.get("when")
            if flag and not (spec.impact and getattr(spec.impact, flag, None)):
                continue
            seen.add(name)
            latest = bool(stage.get("from_latest"))
            deadline = add_after(_origin(stage["from"], clock_start, detected, done, latest),
                                 stage["after"])
            cap = stage.get("cap")
            if cap:
                deadline = min(deadline, add_after(
                    _origin(cap["from"], clock_start, detected, done), cap["after"]))
            # The filings of this stage (one without a stage is the first stage's); a record
            # holding only the clock's start (e.g. the SEC materiality determination) is not
            # a filing. The earliest filing meets the deadline; updates may follow.
            times = sorted(f.notified_at for f in filings if f.notified_at is not None
                           and (f.stage == name or (f.stage is None and name == _first(rule))))
            filed = times[0] if times else None
            done[name] = (times[0], times[-1]) if times else (deadline, deadline)
            found.append(Clock(regime, name, f"{rule['citation']}"
                               + (f"; {stage['citation']}" if stage.get("citation") else ""),
                               deadline, filed, today))
    return found


def _first(rule: dict[str, Any]) -> str:
    return str(rule["stages"][0]["name"])


def _origin(source: str, clock_start: dt.datetime, detected: dt.datetime,
            done: dict[str, tuple[dt.datetime, dt.datetime]], latest: bool = False
            ) -> dt.datetime:
    if source == "clock":
        return clock_start
    if source == "detected":
        return detected
    first, last = done[source]
    return last if latest else first


# --- actions, evidence, recurrence ------------------------------------------------------

def overdue_actions(incident: Entity, today: dt.date) -> list[dict[str, Any]]:
    return [{"title": a.title, "owner": a.owner, "due": a.due.isoformat(), "status": a.status}
            for a in incident.spec.actions
            if a.status in OPEN_ACTION and a.due is not None and a.due < today]


def evidence_gaps(incident: Entity) -> list[str]:
    """What the checklist asks to preserve that the record does not show as preserved."""
    preserved = [e.what.lower() for e in incident.spec.evidence if e.preserved_at]
    gaps = [f"no preserved {kind}" for kind, words in EVIDENCE_KINDS.items()
            if not any(word in what for what in preserved for word in words)]
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
    rules = regulation_rules()
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
    return IncidentReport(incident, metrics(incident, org), clocks(incident, org, today),
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
        "breaches": sum(m.breached for r in items for m in r.metrics),
        "late_notifications": sum(c.met is False for r in items for c in r.clocks),
        "overdue_actions": sum(len(r.overdue) for r in items),
    }
