"""The dashboard and the pages it summarises: the audit's history and the evidence that
goes stale soon.

The dashboard answers an auditor's first questions on one screen: the level and score,
how many live models hold the level their reach requires, where the gaps are (by severity
and by phase), which gaps to fix first and who owns them, what changed since the last
recorded audit, and the trend.  Every list on it ends with a link to the page that holds
all of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..readiness.history import changes
from ..readiness.priorities import ranked_gaps
from ..readiness.scorecard import LEVELS
from ..rules.catalog import PHASES, SEVERITY_RANK
from . import charts
from .charts import COLOURS, Segment
from .layout import DATA_PAGE, is_day, is_score
from .words import plural

if TYPE_CHECKING:
    from .pages import Render, Site

TOP_GAPS = 15
CHANGES_SHOWN = 10
EXPIRING_SHOWN = 10
TREND_POINTS = 12


def _trend_points(entries: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """(day, score) of each entry that has both as they should be: an edited history file
    may hold anything, and a label and its score go in together or not at all."""
    points = []
    for entry in entries:
        day = entry.get("today")
        score = (entry.get("organization") or {}).get("score")
        if is_day(day) and is_score(score):
            points.append((day, int(score)))
    return points[-TREND_POINTS:]


def _entries(shared: Site) -> list[dict[str, Any]]:
    """The recorded audits and this one."""
    current = shared.site.current
    return [*shared.site.history, *([current] if current else [])]


def _readiness_chart(shared: Site) -> Any:
    live = [c for c in shared.site.card.models if c.live]
    rows = []
    for level in reversed(LEVELS):
        group = [c for c in live if c.required_level == level]
        if not group:
            continue
        ready = sum(c.ready for c in group)
        rows.append((f"{level.capitalize()} required",
                     [Segment(ready, COLOURS["ready"], "ready"),
                      Segment(len(group) - ready, COLOURS["not ready"], "not ready")]))
    if not rows:
        return None
    return charts.bars("Live models that hold the level their reach requires", rows,
                       note=lambda v: f"{v[0]:,} of {sum(v):,} ready")


def _severity_chart(counts: dict[str, int]) -> Any:
    rows = [(severity, [Segment(counts.get(severity, 0), COLOURS[severity], severity)])
            for severity in sorted(SEVERITY_RANK, key=SEVERITY_RANK.__getitem__)]
    return charts.bars("Gaps by severity", rows)


def _phase_chart(by_phase: dict[str, dict[str, int]]) -> Any:
    rows = []
    for phase in PHASES:
        counts = by_phase.get(phase, {})
        rows.append((phase.replace("_", " "),
                     [Segment(counts.get("fail", 0) + counts.get("error", 0), COLOURS["gaps"],
                              "gaps"),
                      Segment(counts.get("waived", 0), COLOURS["waived"], "waived")]))
    return charts.bars("Gaps by phase (waived in grey)", rows,
                       note=lambda v: f"{plural(v[0], 'gap')}, {v[1]:,} waived")


def _incident_rows(shared: Site) -> list[dict[str, Any]]:
    from ..postincident.incidents import reports

    rows = []
    for item in reports(shared.inventory, shared.result.today):
        spec = item.incident.spec
        timeline = spec.timeline
        status = ("closed" if timeline.closed else "remediated" if timeline.remediated else
                  "contained" if timeline.contained else "open")
        rows.append({"ref": item.incident.ref, "severity": spec.severity,
                     "category": spec.category.replace("_", " "), "status": status,
                     "models": spec.models,
                     "breaches": sum(m.breached for m in item.metrics),
                     "clocks": sum(c.state in ("missed", "overdue") for c in item.clocks),
                     "overdue": len(item.overdue)})
    # Open ones first, then the most recent.
    order = {"open": 0, "contained": 1, "remediated": 2, "closed": 3}
    return sorted(rows, key=lambda r: (order[r["status"]], r["ref"]), reverse=False)


def dashboard_page(render: Render, shared: Site) -> tuple[str, str]:
    result, card = shared.result, shared.site.card
    gaps = result.gaps()  # sorted once, for the ranking and the gate alike
    ranked = ranked_gaps(result, gaps)
    tally = result.tally()  # counted once, for the counts and both charts
    entries = _entries(shared)
    history = shared.site.history
    change = (changes(history[-1], shared.site.current)
              if history and shared.site.current else None)
    trend = charts.trend("Organisation readiness score at each recorded audit",
                         _trend_points(entries))
    live = [c for c in card.models if c.live]
    severity = result.gap_counts_by_severity(tally)
    return render(
        "index.md.j2", "index.md", DATA_PAGE,
        counts=result.counts(tally), gap_total=len(gaps),
        gated=len(result.at_or_above(shared.site.fail_on, gaps)),
        live_ready=sum(c.ready for c in live), live_total=len(live),
        not_live=len(card.models) - len(live),
        charts_=[charts.figure(c, c_title) for c, c_title in (
            (_readiness_chart(shared), "Models ready for their reach"),
            (_severity_chart(severity), "Gaps by severity"),
            (_phase_chart(result.counts_by_phase(tally)), "Gaps by phase"),
        ) if c is not None],
        severity=severity, top=ranked[:TOP_GAPS], more_gaps=max(0, len(ranked) - TOP_GAPS),
        change=change, shown=CHANGES_SHOWN, since=history[-1] if history else None,
        trend=charts.figure(trend, "Organisation score at each recorded audit", wide=True)
        if trend else None,
        expiring=card.expiring[:EXPIRING_SHOWN],
        more_expiring=max(0, len(card.expiring) - EXPIRING_SHOWN),
        incidents=_incident_rows(shared), provenance=shared.site.provenance)


def history_page(render: Render, shared: Site) -> tuple[str, str]:
    history = shared.site.history
    entries = _entries(shared)
    change = (changes(history[-1], shared.site.current)
              if history and shared.site.current else None)
    rows = []
    for index, entry in enumerate(entries):
        org = entry.get("organization") or {}
        commit = entry.get("commit")
        rows.append({"when": entry.get("today"), "time": entry.get("time"),
                     "commit": commit[:12] if isinstance(commit, str) else "",
                     "level": org.get("level"), "score": org.get("score"),
                     "failing": len(entry.get("failing") or []),
                     "waived": len(entry.get("waived") or []),
                     "current": shared.site.current is not None and index == len(entries) - 1})
    trend = charts.trend("Organisation readiness score at each recorded audit",
                         _trend_points(entries))
    return render("history.md.j2", "history.md", DATA_PAGE, rows=list(reversed(rows)),
                  change=change, since=history[-1] if history else None,
                  trend=charts.figure(trend, "Organisation score at each recorded audit",
                                      wide=True) if trend else None)


def evidence_page(render: Render, shared: Site) -> tuple[str, str]:
    return render("evidence.md.j2", "evidence.md", DATA_PAGE,
                  expiring=shared.site.card.expiring)
