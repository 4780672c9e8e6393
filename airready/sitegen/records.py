"""The pages auditors check most after the dashboard: incidents (timeline, response times
against targets, regulatory clocks, evidence, actions), the waivers, and the risk register.

Each puts what needs attention first: open incidents, overdue actions, expired waivers,
risks past their review date.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..inventory.fields import format_duration
from ..postincident.incidents import OPEN_ACTION, is_overdue, reports
from ..rules.catalog import SEVERITY_RANK
from .layout import DATA_PAGE
from .refs import slug

if TYPE_CHECKING:
    from .pages import Render, Site

TIMELINE = (("started", "started"), ("detected", "detected"),
            ("stakeholders_notified", "stakeholders notified"), ("contained", "contained"),
            ("remediated", "remediated"), ("closed", "closed"))
CLOCK_WORDS = {"met": "met", "missed": "MISSED (filed late)", "overdue": "OVERDUE (not filed)",
               "running": "running"}


def _duration(value: Any) -> str:
    """``2 d 19 h 29 min (P2DT19H29M)``: read at a glance, with the ISO form the CLI prints."""
    if value is None:
        return "not measured"
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{n} {unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "min")) if n]
    return f"{' '.join(parts) or '0 min'} ({format_duration(value)})"


def _status(incident: Any) -> str:
    timeline = incident.spec.timeline
    return ("closed" if timeline.closed else "remediated" if timeline.remediated else
            "contained" if timeline.contained else "open")


def incident_pages(render: Render, shared: Site) -> Iterator[tuple[str, str]]:
    today = shared.result.today
    rows = []
    for item in reports(shared.inventory, today):
        incident = item.incident
        spec = incident.spec
        metrics = [{"name": m.name.replace("_", " "), "took": _duration(m.value),
                    "target": _duration(m.target) if m.target is not None else "no target",
                    "verdict": ("not measured" if m.value is None else
                                "no target" if m.target is None else
                                "BREACHED" if m.breached else "met")}
                   for m in item.metrics]
        clocks = [{"regime": c.regime, "stage": c.stage, "due": c.deadline.isoformat(),
                   "filed": c.notified_at.isoformat() if c.notified_at else "not filed",
                   "state": CLOCK_WORDS.get(c.state, c.state), "citation": c.citation}
                  for c in sorted(item.clocks, key=lambda c: c.deadline)]
        actions = []
        for action in spec.actions:
            actions.append({"title": action.title, "owner": action.owner,
                            "due": action.due.isoformat() if action.due else "no due date",
                            "status": action.status.replace("_", " "),
                            "overdue": is_overdue(action, today),
                            "open": action.status in OPEN_ACTION})
        # Overdue first, then the other open ones by due date, then the rest.
        actions.sort(key=lambda a: (not a["overdue"], not a["open"], a["due"]))
        page = f"incidents/{slug(incident.ref)}.md"
        rows.append({"ref": incident.ref, "title": incident.metadata.title,
                     "severity": spec.severity, "category": spec.category.replace("_", " "),
                     "models": spec.models, "status": _status(incident),
                     "breaches": sum(m.breached for m in item.metrics),
                     "clocks_late": sum(c.state in ("missed", "overdue") for c in item.clocks),
                     "overdue": sum(a["overdue"] for a in actions)})
        timeline = [(label, getattr(spec.timeline, key)) for key, label in TIMELINE]
        yield render("incident.md.j2", page, DATA_PAGE, incident=incident, spec=spec,
                     status=_status(incident), timeline=timeline, metrics=metrics,
                     clocks=clocks, actions=actions, report=item)
    order = {"open": 0, "contained": 1, "remediated": 2, "closed": 3}
    rows.sort(key=lambda r: (order[r["status"]], SEVERITY_RANK.get(r["severity"], 9),
                             r["ref"]))
    yield render("incidents.md.j2", "incidents/index.md", DATA_PAGE, incidents=rows)


def waivers_page(render: Render, shared: Site) -> tuple[str, str]:
    today = shared.result.today
    waived: dict[str, int] = {}
    for finding in shared.result.findings:
        if finding.state == "waived" and finding.waiver:
            waived[finding.waiver["ref"]] = waived.get(finding.waiver["ref"], 0) + 1
    rows = []
    for waiver in shared.inventory.of_kind("Waiver"):
        spec = waiver.spec
        left = (spec.expires - today).days
        rows.append({"ref": waiver.ref, "control": spec.control, "targets": spec.targets,
                     "justification": spec.justification, "approved_by": spec.approved_by,
                     "approved_on": spec.approved_on.isoformat() if spec.approved_on else "",
                     "expires": spec.expires.isoformat(), "left": left,
                     "expired": spec.expires <= today, "waives": waived.get(waiver.ref, 0)})
    rows.sort(key=lambda r: (not r["expired"], r["expires"], r["ref"]))
    return render("waivers.md.j2", "waivers.md", DATA_PAGE, waivers=rows)


def risk_page(render: Render, shared: Site) -> tuple[str, str]:
    today = shared.result.today
    risks = []
    inventory = shared.inventory
    for risk in inventory.of_kind("Risk"):
        spec = risk.spec
        score = (spec.likelihood * spec.impact if spec.likelihood and spec.impact else None)
        treatments = []
        for treatment in spec.treatments:
            treatments.append({"title": treatment.title, "owner": treatment.owner,
                               "due": treatment.due.isoformat() if treatment.due else "none",
                               "status": treatment.status.replace("_", " "),
                               "overdue": is_overdue(treatment, today)})
        source = spec.source
        source_kind = ("incident" if source and source.startswith("incident:") else
                       "control" if source and shared.result.catalog.get(source) else "text")
        review_late = spec.review_by is not None and spec.review_by < today
        risks.append({"ref": risk.ref, "risk": risk, "spec": spec, "score": score,
                      "treatments": treatments, "source_kind": source_kind,
                      "review_late": review_late,
                      "review": spec.review_by.isoformat() if spec.review_by else "not set"})
    order = {"open": 0, "mitigating": 1, "accepted": 2, "closed": 3}
    risks.sort(key=lambda r: (order.get(r["spec"].status, 9), -(r["score"] or 0), r["ref"]))
    return render("risk-register.md.j2", "risk-register.md", DATA_PAGE, risks=risks)
