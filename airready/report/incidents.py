"""Renderers for ``incidents``: response metrics, regulatory clocks and open actions."""

from __future__ import annotations

import json
from typing import Any

from ..fields import format_duration
from ..incidents import IncidentReport, aggregate
from .markdown import escape

SCHEMA_VERSION = 1


def _duration(value: Any) -> str | None:
    return format_duration(value) if value is not None else None


def incident_dict(item: IncidentReport, full: bool = False) -> dict[str, Any]:
    spec = item.incident.spec
    data: dict[str, Any] = {
        "ref": item.incident.ref,
        "severity": spec.severity,
        "category": spec.category,
        "models": spec.models,
        "detection_source": spec.detection_source,
        "metrics": {m.name: _duration(m.value) for m in item.metrics},
        "targets": {m.name: _duration(m.target) for m in item.metrics},
        "breaches": [{"metric": m.name, "value": _duration(m.value),
                      "target": _duration(m.target)} for m in item.metrics if m.breached],
        "regulatory": [{"regime": c.regime, "stage": c.stage, "citation": c.citation,
                        "deadline": c.deadline.isoformat(),
                        "notified_at": c.notified_at.isoformat() if c.notified_at else None,
                        "met": c.met, "overdue": c.overdue} for c in item.clocks],
        "overdue_actions": item.overdue,
        "evidence_gaps": item.evidence_gaps,
        "recurrence_watch_until": item.watch_until.isoformat() if item.watch_until else None,
        "watching": item.watching,
    }
    if full:
        data["record"] = item.incident.model_dump(mode="json", exclude_none=True)
    return data


def render_json(items: list[IncidentReport], full: bool = False) -> str:
    return json.dumps({"schema_version": SCHEMA_VERSION,
                       "incidents": [incident_dict(i, full) for i in items],
                       "summary": aggregate(items)}, indent=2) + "\n"


def _met(value: bool | None) -> str:
    return {True: "met", False: "MISSED"}.get(value, "running") if value is not None else "running"


def render_text(items: list[IncidentReport], full: bool = False) -> str:
    if not items:
        return "no incident records\n"
    lines = []
    for item in items:
        spec = item.incident.spec
        lines.append(f"{item.incident.ref} [{spec.severity}] {spec.category} "
                     f"({', '.join(spec.models) or 'no models'}), detected by "
                     f"{spec.detection_source or 'unknown'}")
        for m in item.metrics:
            value = _duration(m.value) or "-"
            target = f" (target {_duration(m.target)})" if m.target else ""
            flag = "  BREACH" if m.breached else ""
            lines.append(f"  {m.name:<18} {value:<10}{target}{flag}")
        for c in item.clocks:
            filed = c.notified_at.isoformat() if c.notified_at else "not filed"
            lines.append(f"  {c.regime} {c.stage}: due {c.deadline.isoformat()}, {filed}: "
                         f"{_met(c.met)} ({c.citation})")
        for action in item.overdue:
            lines.append(f"  OVERDUE action: {action['title']} (owner {action['owner']}, "
                         f"due {action['due']}, {action['status']})")
        for gap in item.evidence_gaps:
            lines.append(f"  evidence: {gap}")
        if item.watching:
            lines.append(f"  recurrence watch until {item.watch_until}")
        if full:
            lines += _full_lines(item)
        lines.append("")
    summary = aggregate(items)
    lines.append(f"{summary['incidents']} incident(s): mean time to detect "
                 f"{summary['mean_time_to_detect'] or '-'}, contain "
                 f"{summary['mean_time_to_contain'] or '-'}, remediate "
                 f"{summary['mean_time_to_remediate'] or '-'}, notify "
                 f"{summary['mean_time_to_notify'] or '-'}; {summary['breaches']} target "
                 f"breach(es), {summary['late_notifications']} late notification(s), "
                 f"{summary['overdue_actions']} overdue action(s)")
    return "\n".join(lines) + "\n"


def _full_lines(item: IncidentReport) -> list[str]:
    spec = item.incident.spec
    lines = ["  timeline:"]
    for name, value in spec.timeline.model_dump().items():
        if value is not None:
            lines.append(f"    {name:<22} {value.isoformat()}")
    for label, value in (("entry point", spec.entry_point), ("root cause", spec.root_cause),
                         ("detection gap", spec.detection_gap)):
        lines.append(f"  {label}: {value or 'NOT RECORDED'}")
    for factor in spec.contributing_factors:
        lines.append(f"  contributing factor: {factor}")
    if spec.impact:
        lines.append(f"  impact: {spec.impact.users or 0} users; data "
                     f"{', '.join(spec.impact.data_classes) or 'none'}; "
                     f"{spec.impact.downstream_actions or ''}".rstrip("; "))
    for action in spec.actions:
        lines.append(f"  action [{action.status}] {action.title} (owner {action.owner}, "
                     f"due {action.due})")
    if spec.review:
        lines.append(f"  review held {spec.review.held}, blameless {spec.review.blameless}")
    for lesson in spec.lessons:
        lines.append(f"  lesson: {lesson}")
    return lines


def render_markdown(items: list[IncidentReport], full: bool = False) -> str:
    lines = ["# Incidents", ""]
    if not items:
        return "\n".join([*lines, "No incident records.", ""])
    lines += ["| incident | severity | detect | contain | remediate | notify | breaches |",
              "|---|---|---|---|---|---|---|"]
    for item in items:
        values = {m.name: _duration(m.value) or "-" for m in item.metrics}
        breaches = ", ".join(m.name for m in item.metrics if m.breached) or "none"
        lines.append(f"| {escape(item.incident.ref)} | {item.incident.spec.severity} | "
                     f"{values['time_to_detect']} | {values['time_to_contain']} | "
                     f"{values['time_to_remediate']} | {values['time_to_notify']} | {breaches} |")
    clocks = [(i, c) for i in items for c in i.clocks]
    if clocks:
        lines += ["", "## Regulatory clocks", "", "| incident | regime | stage | deadline | filed | |",
                  "|---|---|---|---|---|---|"]
        for item, c in clocks:
            lines.append(f"| {escape(item.incident.ref)} | {c.regime} | {c.stage} | "
                         f"{c.deadline.isoformat()} | "
                         f"{c.notified_at.isoformat() if c.notified_at else 'not filed'} | "
                         f"{_met(c.met)} |")
    overdue = [(i, a) for i in items for a in i.overdue]
    if overdue:
        lines += ["", "## Overdue actions", ""]
        lines += [f"- {escape(i.incident.ref)}: {escape(a['title'])} (owner "
                  f"{escape(str(a['owner']))}, due {a['due']})" for i, a in overdue]
    return "\n".join(lines) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
