"""Renderers for ``incidents``: response metrics, regulatory clocks and open actions."""

from __future__ import annotations

import json
from typing import Any

from ..inventory.fields import format_duration
from ..inventory.words import plural
from ..postincident.incidents import IncidentReport, aggregate
from ..rules.clocks import Clock
from .markdown import escape
from .text import safe_lines

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
        # A stage an open incident has not reached past its due day is a breach already.
        "breaches": [{"metric": m.name, "value": _duration(m.value),
                      "target": _duration(m.target),
                      **({"overdue": True, "due": m.due.isoformat()}
                         if m.overdue and m.due else {})}
                     for m in item.metrics if m.late],
        "regulatory": [{"regime": c.regime, "stage": c.stage, "citation": c.citation,
                        "deadline": c.deadline.isoformat(),
                        "notified_at": c.notified_at.isoformat() if c.notified_at else None,
                        "met": c.met, "overdue": c.overdue, "state": c.state}
                       for c in item.clocks],
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


def _state(clock: Clock) -> str:
    """met, running (lower case: nothing to do yet); MISSED, OVERDUE (to act on)."""
    return clock.state if clock.state in ("met", "running") else clock.state.upper()


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
            flag = ("  BREACH" if m.breached else
                    f"  OVERDUE: not reached, due {m.due.isoformat()}" if m.overdue and m.due
                    else "")
            lines.append(f"  {m.name:<18} {value:<10}{target}{flag}")
        for c in item.clocks:
            filed = c.notified_at.isoformat() if c.notified_at else "not filed"
            lines.append(f"  {c.regime} {c.stage}: due {c.deadline.isoformat()}, {filed}: "
                         f"{_state(c)} ({c.citation})")
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
    lines.append(f"{plural(summary['incidents'], 'incident')}: mean time to detect "
                 f"{summary['mean_time_to_detect'] or '-'}, contain "
                 f"{summary['mean_time_to_contain'] or '-'}, remediate "
                 f"{summary['mean_time_to_remediate'] or '-'}, notify "
                 f"{summary['mean_time_to_notify'] or '-'}; "
                 f"{plural(summary['breaches'], 'target breach', 'target breaches')}, "
                 f"{plural(summary['late_notifications'], 'late notification')}, "
                 f"{plural(summary['overdue_actions'], 'overdue action')}")
    return safe_lines(lines)


def _full_lines(item: IncidentReport) -> list[str]:
    """The record itself, with every part of the report it lacks marked as such."""
    spec = item.incident.spec
    lines = ["  timeline:"]
    for name, value in spec.timeline.model_dump().items():
        lines.append(f"    {name:<22} {value.isoformat() if value else 'NOT RECORDED'}")
    for label, value in (("entry point", spec.entry_point), ("root cause", spec.root_cause),
                         ("detection gap", spec.detection_gap)):
        lines.append(f"  {label}: {value or 'NOT RECORDED'}")
    lines += [f"  contributing factor: {factor}" for factor in spec.contributing_factors] or [
        "  contributing factors: NOT RECORDED"]
    impact = spec.impact
    if impact is None:
        lines.append("  impact: NOT RECORDED")
    else:
        users = (plural(impact.users, "user") if impact.users is not None
                 else "users NOT RECORDED")
        parts = [users, f"data {', '.join(impact.data_classes) or 'none'}"]
        parts += [plural(impact.deaths, "death")] if impact.deaths else []
        parts += ["widespread"] if impact.widespread else []
        parts += ["critical infrastructure disrupted"] if impact.critical_infrastructure else []
        parts.append(f"downstream: {impact.downstream_actions or 'NOT RECORDED'}")
        lines.append(f"  impact: {'; '.join(parts)}")
    for evidence in spec.evidence:
        kept = evidence.preserved_at.isoformat() if evidence.preserved_at else "NOT RECORDED"
        lines.append(f"  evidence item: {evidence.what} (at {evidence.location or 'NO LOCATION'}"
                     f", preserved {kept})")
    lines += [f"  action [{a.status}] {a.title} (owner {a.owner or 'NONE'}, due "
              f"{a.due or 'NONE'})" for a in spec.actions] or ["  actions: NONE"]
    review = spec.review
    if review is None or review.held is None:
        lines.append("  review: NOT HELD")
    else:
        blameless = {True: "blameless", False: "NOT blameless"}.get(
            review.blameless, "blameless NOT STATED")
        who = f", with {', '.join(review.participants)}" if review.participants else ""
        lines.append(f"  review held {review.held}, {blameless}{who}")
    lines += [f"  lesson: {lesson}" for lesson in spec.lessons] or ["  lessons: NOT RECORDED"]
    if item.watch_until is not None:
        state = "watching" if item.watching else "ended"
        lines.append(f"  recurrence watch: until {item.watch_until} ({state})")
    return lines


def render_markdown(items: list[IncidentReport], full: bool = False) -> str:
    lines = ["# Incidents", ""]
    if not items:
        return "\n".join([*lines, "No incident records.", ""])
    lines += ["| incident | severity | detect | contain | remediate | notify | breaches |",
              "|---|---|---|---|---|---|---|"]
    for item in items:
        values = {m.name: _duration(m.value) or "-" for m in item.metrics}
        breaches = ", ".join(m.name + (" (overdue)" if m.overdue else "")
                             for m in item.metrics if m.late) or "none"
        lines.append(f"| {escape(item.incident.ref)} | {item.incident.spec.severity} | "
                     f"{values['time_to_detect']} | {values['time_to_contain']} | "
                     f"{values['time_to_remediate']} | {values['time_to_notify']} | {breaches} |")
    clocks = [(i, c) for i in items for c in i.clocks]
    if clocks:
        lines += ["", "## Regulatory clocks", "",
                  "| incident | regime | stage | deadline | filed | state |",
                  "|---|---|---|---|---|---|"]
        for item, c in clocks:
            lines.append(f"| {escape(item.incident.ref)} | {c.regime} | {c.stage} | "
                         f"{c.deadline.isoformat()} | "
                         f"{c.notified_at.isoformat() if c.notified_at else 'not filed'} | "
                         f"{_state(c)} |")
    overdue = [(i, a) for i in items for a in i.overdue]
    if overdue:
        lines += ["", "## Overdue actions", ""]
        lines += [f"- {escape(i.incident.ref)}: {escape(a['title'])} (owner "
                  f"{escape(str(a['owner']))}, due {a['due']})" for i, a in overdue]
    watched = [i for i in items if i.watching]
    if watched:
        lines += ["", "## Recurrence watch", ""]
        lines += [f"- {escape(i.incident.ref)}: enhanced monitoring until {i.watch_until}"
                  for i in watched]
    if full:  # `incidents show`: the record itself, one item a line
        for item in items:
            lines += ["", f"## {escape(item.incident.ref)}", ""]
            lines += [f"- {escape(line.strip())}" for line in _full_lines(item)
                      if line.strip() != "timeline:"]
            lines += [f"- evidence: {escape(gap)}" for gap in item.evidence_gaps]
    return "\n".join(lines) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
