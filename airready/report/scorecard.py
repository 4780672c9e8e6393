"""Renderers for ``scorecard``: text and Markdown for people, JSON for machines."""

from __future__ import annotations

import json
from typing import Any

from ..catalog import FRAMEWORKS, PHASES
from ..findings import Finding
from ..scorecard import ModelCard, Score, Scorecard
from .markdown import escape

SCHEMA_VERSION = 1


def _level(value: str | None) -> str:
    return value or "none"


def _score_dict(s: Score) -> dict[str, Any]:
    return {"level": s.level, "score": s.score, "pass": s.passed, "gaps": s.gaps,
            "waived": s.waived}


def _gap(f: Finding) -> dict[str, Any]:
    return {"control": f.control, "state": f.state, "severity": f.severity,
            "file": f.file, "line": f.line, "message": f.message,
            "remediation": f.remediation}


def _model_dict(card: ModelCard) -> dict[str, Any]:
    return {
        "ref": card.ref, "owner": card.owner, "lifecycle": card.lifecycle,
        "level": card.score.level, "score": card.score.score,
        "required_level": card.required_level, "required_reason": card.required_reason,
        "ready": card.ready, "reach": card.reach,
        "failing": [_gap(f) for f in card.failing],
        "next_level_missing": [f.control for f in card.next_level_missing],
    }


def scorecard_dict(card: Scorecard, history: dict[str, Any] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "today": card.today.isoformat(),
        "estate": _score_dict(card.estate),
        "organization": {**_score_dict(card.organization), **card.org_facts,
                         "gaps_outside_models": [_gap(f) for f in card.organization_findings]},
        "models": [_model_dict(m) for m in card.models],
        "owners": card.owners,
        "phases": card.phases,
        "frameworks": card.frameworks,
        "expiring": [{"control": e.control, "target": e.target,
                      "stale_on": e.stale_on.isoformat(), "days_left": e.days_left}
                     for e in card.expiring],
    }
    if history is not None:
        data["history"] = history
    return data


def render_json(card: Scorecard, history: dict[str, Any] | None = None) -> str:
    return json.dumps(scorecard_dict(card, history), indent=2) + "\n"


def _trend_lines(history: dict[str, Any] | None, md: bool) -> list[str]:
    if not history or not history.get("entries"):
        return []
    lines = ["", "## Trend" if md else "Trend (from the history file):"]
    for entry in history["entries"][-10:]:
        org = entry.get("organization", {})
        lines.append(f"{'- ' if md else '  '}{entry.get('time')}: score {org.get('score')}, "
                     f"level {_level(org.get('level'))}"
                     + (f" ({entry['commit'][:10]})" if entry.get("commit") else ""))
    change = history.get("changes")
    if change:
        lines += ["", ("### " if md else "") + f"Since {change['since']}:"]
        for moved in change["models_moved"]:
            lines.append(f"{'- ' if md else '  '}{moved['ref']}: {_level(moved['from'])} -> "
                         f"{_level(moved['to'])}")
        for item in change["started_failing"]:
            lines.append(f"{'- ' if md else '  '}now failing: {item}")
        for item in change["stopped_failing"]:
            lines.append(f"{'- ' if md else '  '}fixed: {item}")
        if not (change["models_moved"] or change["started_failing"]
                or change["stopped_failing"]):
            lines.append(f"{'- ' if md else '  '}no change")
    return lines


def render_text(card: Scorecard, history: dict[str, Any] | None = None) -> str:
    org = card.organization
    ready = sum(m.ready for m in card.models)
    lines = [f"Organisation: level {_level(org.level)}, score {org.score}/100 "
             f"({org.passed} passing, {org.gaps} gaps, {org.waived} waived) as of "
             f"{card.today.isoformat()}",
             f"Whole estate: level {_level(card.estate.level)}, score {card.estate.score}/100; "
             f"models ready for their reach: {ready} of {len(card.models)}", ""]
    width = max((len(m.ref) for m in card.models), default=10)
    lines.append(f"{'model':<{width}}  {'level':<7} {'score':>5}  {'needs':<7} ready  why it needs it")
    for m in card.models:
        lines.append(f"{m.ref:<{width}}  {_level(m.score.level):<7} "
                     f"{m.score.score if m.score.score is not None else '-':>5}  "
                     f"{m.required_level:<7} {'yes' if m.ready else 'NO ':<5}  {m.required_reason}")
    not_ready = [m for m in card.models if not m.ready]
    if not_ready:
        lines += ["", "What stands between each model and its next level:"]
        for m in not_ready:
            lines.append(f"  {m.ref} ({_level(m.score.level)} -> needs {m.required_level}):")
            for f in m.next_level_missing or m.failing:
                lines.append(f"    {f.control} [{f.severity}] {f.message}")
                lines.append(f"      fix: {f.remediation}")
    if card.organization_findings:
        lines += ["", "Organisation-wide gaps:"]
        for f in card.organization_findings:
            lines.append(f"  {f.file}:{f.line}: {f.control} [{f.severity}] {f.message}")
    lines += ["", "By owner:"]
    for row in card.owners:
        lines.append(f"  {row['owner']}: {row['ready']}/{row['models']} ready, mean score "
                     f"{row['mean_score']}, lowest level {_level(row['lowest_level'])}")
    lines += ["", "By phase of the checklist:"]
    for phase in PHASES:
        row = card.phases[phase]
        lines.append(f"  {phase.replace('_', '-'):<14} score {row['score'] if row['score'] is not None else '-':>3}"
                     f"  {row['pass']} pass, {row['gaps']} gaps, {row['waived']} waived")
    lines += ["", "By framework (controls passing / controls mapped; requirements with no control):"]
    for name, row in card.frameworks.items():
        share = f"{row['share_passing']}%" if row["share_passing"] is not None else "-"
        lines.append(f"  {FRAMEWORKS[name]}: {row['controls_passing']}/{row['controls_judged']}"
                     f" passing ({share}); uncovered: {', '.join(row['uncovered']) or 'none'}")
    if card.expiring:
        lines += ["", "Evidence that goes stale in the next 30 days:"]
        for e in card.expiring:
            lines.append(f"  {e.stale_on.isoformat()} ({e.days_left} days): {e.control} "
                         f"{e.target}")
    lines.extend(_trend_lines(history, md=False))
    return "\n".join(lines) + "\n"


def render_markdown(card: Scorecard, history: dict[str, Any] | None = None) -> str:
    org = card.organization
    lines = ["# Readiness scorecard", "",
             f"As of {card.today.isoformat()}: organisation level **{_level(org.level)}**, "
             f"score **{org.score}/100**; whole estate **{_level(card.estate.level)}**, "
             f"**{card.estate.score}/100**; "
             f"{sum(m.ready for m in card.models)} of {len(card.models)} models ready for "
             "their reach.", "",
             "## Models", "",
             "| model | level | score | required | ready | why |",
             "|---|---|---:|---|---|---|"]
    for m in card.models:
        lines.append(f"| {escape(m.ref)} | {_level(m.score.level)} | "
                     f"{m.score.score if m.score.score is not None else '-'} | "
                     f"{m.required_level} | {'yes' if m.ready else '**no**'} | "
                     f"{escape(m.required_reason)} |")
    not_ready = [m for m in card.models if not m.ready]
    if not_ready:
        lines += ["", "## To reach the next level", ""]
        for m in not_ready:
            lines.append(f"- **{escape(m.ref)}** ({_level(m.score.level)}, needs "
                         f"{m.required_level}):")
            for f in m.next_level_missing or m.failing:
                lines.append(f"    - {f.control}: {escape(f.message)}. Fix: "
                             f"{escape(f.remediation)}")
    lines += ["", "## By phase", "", "| phase | score | pass | gaps | waived |",
              "|---|---:|---:|---:|---:|"]
    for phase in PHASES:
        row = card.phases[phase]
        lines.append(f"| {phase.replace('_', '-')} | "
                     f"{row['score'] if row['score'] is not None else '-'} | {row['pass']} | "
                     f"{row['gaps']} | {row['waived']} |")
    lines += ["", "## By framework", "",
              "| framework | controls passing | requirements with no control |",
              "|---|---|---|"]
    for name, row in card.frameworks.items():
        lines.append(f"| {FRAMEWORKS[name]} | {row['controls_passing']}/"
                     f"{row['controls_judged']} | {', '.join(row['uncovered']) or 'none'} |")
    if card.expiring:
        lines += ["", "## Going stale in the next 30 days", ""]
        lines += [f"- {e.stale_on.isoformat()}: {e.control} on {escape(e.target)}"
                  for e in card.expiring]
    lines.extend(_trend_lines(history, md=True))
    return "\n".join(lines) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
