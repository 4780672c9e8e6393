"""Renderers for ``scorecard``: text and Markdown for people, JSON for machines."""

from __future__ import annotations

from typing import Any

from ..inventory.words import plural
from ..readiness.scorecard import ModelCard, Score, Scorecard
from ..rules.catalog import PHASES
from ..rules.findings import Finding
from . import jsonwrite
from .markdown import escape
from .text import one_line, safe_lines

SCHEMA_VERSION = 1


def _level(value: Any) -> str:
    return str(value) if value else "none"


def _score(value: int | None) -> str:
    return "-" if value is None else str(value)


def _score_dict(s: Score) -> dict[str, Any]:
    data = {"level": s.level, "score": s.score, "pass": s.passed, "gaps": s.gaps,
            "waived": s.waived, "not_applicable": s.not_applicable}
    if s.why:
        data["why_no_level"] = s.why
    return data


STATUS_WORDS = {"live": "live", "out_of_scope": "out of scope", "retired": "retired"}


def _counts(card: Scorecard) -> str:
    """``3 of 11 live models ready for their reach (2 out of scope, 1 retired)``."""
    live = [m for m in card.models if m.live]
    others = [f"{sum(m.status == s for m in card.models)} {STATUS_WORDS[s]}"
              for s in ("out_of_scope", "retired") if any(m.status == s for m in card.models)]
    text = f"{sum(m.ready for m in live)} of {len(live)} live models ready for their reach"
    return text + (f" ({', '.join(others)})" if others else "")


def _gap(f: Finding) -> dict[str, Any]:
    return {"control": f.control, "target": f.target, "state": f.state,
            "severity": f.severity, "file": f.file, "line": f.line, "message": f.message,
            "remediation": f.remediation, "waiver": f.waiver}


def _waived_note(f: Finding, md: bool) -> str:
    """" (waived by waiver:x until 2027-01-01)" for a waived result: never shown as a pass."""
    if f.state != "waived" or not f.waiver:
        return ""
    text = f"waived by {f.waiver['ref']} until {f.waiver['expires']}"
    return f" ({escape(text) if md else one_line(text)})"


def _label(f: Finding, md: bool = False) -> str:
    """The severity shown beside a result, with its state when waived or an error."""
    state = [f.state] if f.state in ("waived", "error") else []
    if md:
        return "(" + ", ".join([f.severity, *state]) + ")"
    return " ".join(f"[{word}]" for word in [f.severity, *state])


def _model_dict(card: ModelCard) -> dict[str, Any]:
    return {
        "ref": card.ref, "title": card.title, "owner": card.owner, "lifecycle": card.lifecycle,
        "level": card.score.level, "score": card.score.score,
        "pass": card.score.passed, "gaps": card.score.gaps, "waived": card.score.waived,
        "not_applicable": card.score.not_applicable,
        "required_level": card.required_level, "required_reason": card.required_reason,
        "ready": card.ready, "status": card.status, "status_reason": card.status_reason,
        "why_no_level": card.score.why or None, "reach": card.reach,
        "failing": [_gap(f) for f in card.failing],
        "next_level_missing": [f.control for f in card.next_level_missing],
    }


def scorecard_dict(card: Scorecard, history: dict[str, Any] | None = None) -> dict[str, Any]:
    """The document as plain data (``render_json`` writes the models as they are made)."""
    data = _document(card, history)
    data["models"] = list(data["models"].items)
    return data


def _document(card: Scorecard, history: dict[str, Any] | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "today": card.today.isoformat(),
        **({"owner": card.owner} if card.owner else {}),
        "estate": _score_dict(card.estate),
        "organization": {**_score_dict(card.organization), **card.org_facts,
                         "gaps_outside_models": [_gap(f) for f in card.organization_findings],
                         "waived_outside_models": [_gap(f)
                                                   for f in card.organization_waived]},
        "models": jsonwrite.Rows(_model_dict(m) for m in card.models),
        "owners": card.owners,
        "owner_rollup": card.owner_rollup,
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
    return jsonwrite.dumps(_document(card, history))


def _trend_lines(history: dict[str, Any] | None, md: bool) -> list[str]:
    """The last records and what changed since the previous one.

    Everything here comes from the history file, which anyone may have edited: it is
    escaped (Markdown) or kept to one line (text) like inventory text.
    """
    if not history or not history.get("entries"):
        return []
    clean = (lambda value: escape(str(value))) if md else (lambda value: one_line(str(value)))
    bullet = "- " if md else "  "
    lines = ["", "## Trend" if md else "Trend (from the history file):"]
    for entry in history["entries"][-10:]:
        org = entry.get("organization") or {}
        commit = entry.get("commit")
        lines.append(f"{bullet}{clean(entry.get('time'))}: score "
                     f"{clean(_score(org.get('score')))}, level {clean(_level(org.get('level')))}"
                     + (f" ({clean(commit[:10])})" if commit else ""))
    change = history.get("changes")
    if change:
        lines += ["", ("### " if md else "") + f"Since {clean(change['since'])}:"]
        for moved in change["models_moved"]:
            before, after = clean(_level(moved["from"])), clean(_level(moved["to"]))
            if moved.get("change") == "added":
                what = f"new, at {after}"
            elif moved.get("change") == "removed":
                what = f"gone (was {before})"
            else:
                what = f"{before} -> {after}"
            lines.append(f"{bullet}{clean(moved['ref'])}: {what}")
        labels = (("started_failing", "now failing"), ("stopped_failing", "fixed"),
                  ("started_waived", "now waived"), ("stopped_waived", "no longer waived"))
        for key, label in labels:
            for item in change.get(key, []):
                lines.append(f"{bullet}{label}: {clean(item)}")
        if not any(change.get(key) for key in ("models_moved", *(k for k, _ in labels))):
            lines.append(f"{bullet}no change")
    return lines


def _named(m: ModelCard) -> str:
    """``model:x (Claims triage)`` for people; the title is inventory text, kept to a line."""
    return f"{m.ref} ({one_line(m.title)})" if m.title else m.ref


def _next_steps(m: ModelCard) -> list[Finding]:
    return m.next_level_missing or m.failing


def render_text(card: Scorecard, history: dict[str, Any] | None = None) -> str:
    org = card.organization
    live = [m for m in card.models if m.live]
    apart = [m for m in card.models if not m.live]
    scope = (f"Owned by {card.owner} and the teams below it, outside its models"
             if card.owner else "Organisation")
    lines = [f"{scope}: level {_level(org.level)}, score {_score(org.score)}/100 "
             f"({org.passed} passing, {plural(org.gaps, 'gap', grouped=False)}, "
             f"{org.waived} waived, "
             f"{org.not_applicable} not applicable) as of {card.today.isoformat()}",
             f"Whole estate: level {_level(card.estate.level)}, score "
             f"{_score(card.estate.score)}/100; {_counts(card)}", ""]
    width = max((len(m.ref) for m in card.models), default=10)
    lines.append(f"{'live model':<{width}}  {'level':<7} {'score':>5}  {'needs':<7} ready  "
                 "why it needs it")
    for m in live:
        lines.append(f"{m.ref:<{width}}  {_level(m.score.level):<7} "
                     f"{_score(m.score.score):>5}  "
                     f"{m.required_level:<7} {'yes' if m.ready else 'NO ':<5}  {m.required_reason}")
    if apart:
        lines += ["", "Not judged for readiness (neither ready nor not ready):"]
        for m in apart:
            lines.append(f"  {_named(m)}: {STATUS_WORDS[m.status]} "
                         f"({one_line(m.status_reason)})")
            for f in m.failing:  # a retired model that still holds access, a missing lifecycle
                lines.append(f"    {f.control} {_label(f)} {one_line(f.message)}")
    not_ready = [m for m in live if not m.ready]
    if not_ready:
        lines += ["", "What stands between each live model and its next level:"]
        for m in not_ready:
            lines.append(f"  {_named(m)}: {_level(m.score.level)}, needs {m.required_level}")
            if m.score.why:
                lines.append(f"    no level: {m.score.why}")
            for f in _next_steps(m):
                lines.append(f"    {f.control} {_label(f)} {one_line(f.message)}"
                             f"{_waived_note(f, md=False)}")
                lines.append(f"      fix: {one_line(' '.join(f.remediation.split()))}")
    if card.organization_findings:
        lines += ["", "Organisation-wide gaps:"]
        for f in card.organization_findings:
            lines.append(f"  {f.file}:{f.line}: {f.control} {_label(f)} {one_line(f.message)}")
    if card.organization_waived:
        lines += ["", "Organisation-wide results waived (not passes):"]
        for f in card.organization_waived:
            lines.append(f"  {f.file}:{f.line}: {f.control} {_label(f)} {one_line(f.message)}"
                         f"{_waived_note(f, md=False)}")
    lines += ["", "By owner (live models):"]
    for row in card.owners:
        apart_counts = ", ".join(f"{row[s]} {STATUS_WORDS[s]}" for s in ("out_of_scope", "retired")
                                 if row.get(s))
        lines.append(f"  {row['owner']}: {row['ready']}/{row['models']} ready, mean score "
                     f"{_score(row['mean_score'])}, lowest level {_level(row['lowest_level'])}"
                     + (f"; also {apart_counts}" if apart_counts else ""))
    if card.owner_rollup:
        lines += ["", "Rolled up the team hierarchy (each team with everything below it):"]
        for row in card.owner_rollup:
            lines.append(f"  {row['owner']}: {row['ready']}/{row['models']} ready, mean score "
                         f"{_score(row['mean_score'])} (with {plural(len(row['teams']), 'team')}"
                         " below it)")
    lines += ["", "By phase of the checklist:"]
    for phase in PHASES:
        row = card.phases[phase]
        lines.append(f"  {phase.replace('_', '-'):<14} score {_score(row['score']):>3}"
                     f"  {row['pass']} pass, {plural(row['gaps'], 'gap', grouped=False)}, "
                     f"{row['waived']} waived, "
                     f"{row['not_applicable']} not applicable")
    lines += ["", "By framework (controls passing / controls judged; requirements with no "
                  "control):"]
    for row in card.frameworks.values():
        share = f"{row['share_passing']}%" if row["share_passing"] is not None else "-"
        lines.append(f"  {row['title']}: {row['controls_passing']}/{row['controls_judged']}"
                     f" passing ({share}); uncovered: {', '.join(row['uncovered']) or 'none'}")
    if card.expiring:
        lines += ["", "Evidence that goes stale in the next 30 days:"]
        for e in card.expiring:
            lines.append(f"  {e.stale_on.isoformat()} (in {e.days_left} "
                         f"day{'' if e.days_left == 1 else 's'}): {e.control} {e.target}")
    lines.extend(_trend_lines(history, md=False))
    return safe_lines(lines)


def render_markdown(card: Scorecard, history: dict[str, Any] | None = None) -> str:
    org = card.organization
    lines = ["# Readiness scorecard" + (f" of {escape(card.owner)}" if card.owner else ""), "",
             f"As of {card.today.isoformat()}: organisation level **{_level(org.level)}**, "
             f"score **{_score(org.score)}/100**; whole estate "
             f"**{_level(card.estate.level)}**, **{_score(card.estate.score)}/100**; "
             f"{_counts(card)}.", "",
             "## Live models", "",
             "| model | owner | level | score | required | ready | why |",
             "|---|---|---|---:|---|---|---|"]
    live = [m for m in card.models if m.live]
    for m in live:
        lines.append(f"| {escape(m.ref)} | {escape(m.owner or '')} | {_level(m.score.level)} | "
                     f"{_score(m.score.score)} | "
                     f"{m.required_level} | {'yes' if m.ready else '**no**'} | "
                     f"{escape(m.required_reason)} |")
    apart = [m for m in card.models if not m.live]
    if apart:
        lines += ["", "## Not judged for readiness", "", "| model | owner | status | why |",
                  "|---|---|---|---|"]
        for m in apart:
            lines.append(f"| {escape(m.ref)} | {escape(m.owner or '')} | "
                         f"{STATUS_WORDS[m.status]} | {escape(m.status_reason)} |")
    not_ready = [m for m in live if not m.ready]
    if not_ready:
        lines += ["", "## To reach the next level", ""]
        for m in not_ready:
            lines.append(f"- **{escape(m.ref)}** ({_level(m.score.level)}, needs "
                         f"{m.required_level}):")
            if m.score.why:
                lines.append(f"    - no level: {escape(m.score.why)}")
            for f in _next_steps(m):
                lines.append(f"    - {f.control} {_label(f, md=True)}: {escape(f.message)}"
                             f"{_waived_note(f, md=True)}. Fix: {escape(f.remediation)}")
    if card.organization_findings or card.organization_waived:
        lines += ["", "## Organisation-wide gaps", ""]
        for f in [*card.organization_findings, *card.organization_waived]:
            lines.append(f"- {escape(f.file)}:{f.line}: {f.control} {_label(f, md=True)}: "
                         f"{escape(f.message)}{_waived_note(f, md=True)}")
    lines += ["", "## By owner", "",
              "| owner | live models | ready | mean score | lowest level | out of scope | "
              "retired |", "|---|---:|---:|---:|---|---:|---:|"]
    for row in card.owners:
        lines.append(f"| {escape(row['owner'])} | {row['models']} | {row['ready']} | "
                     f"{_score(row['mean_score'])} | {_level(row['lowest_level'])} | "
                     f"{row.get('out_of_scope', 0)} | {row.get('retired', 0)} |")
    if card.owner_rollup:
        lines += ["", "## Rolled up the team hierarchy", "",
                  "| team | teams below | live models | ready | mean score |",
                  "|---|---:|---:|---:|---:|"]
        for row in card.owner_rollup:
            lines.append(f"| {escape(row['owner'])} | {len(row['teams'])} | {row['models']} | "
                         f"{row['ready']} | {_score(row['mean_score'])} |")
    lines += ["", "## By phase", "", "| phase | score | pass | gaps | waived | not applicable |",
              "|---|---:|---:|---:|---:|---:|"]
    for phase in PHASES:
        row = card.phases[phase]
        lines.append(f"| {phase.replace('_', '-')} | {_score(row['score'])} | {row['pass']} | "
                     f"{row['gaps']} | {row['waived']} | {row['not_applicable']} |")
    lines += ["", "## By framework", "",
              "| framework | controls passing | requirements with no control |",
              "|---|---|---|"]
    for row in card.frameworks.values():
        lines.append(f"| {row['title']} | {row['controls_passing']}/"
                     f"{row['controls_judged']} | "
                     f"{escape(', '.join(row['uncovered']) or 'none')} |")
    if card.expiring:
        lines += ["", "## Going stale in the next 30 days", ""]
        lines += [f"- {e.stale_on.isoformat()} (in {e.days_left} "
                  f"day{'' if e.days_left == 1 else 's'}): {e.control} on {escape(e.target)}"
                  for e in card.expiring]
    lines.extend(_trend_lines(history, md=True))
    return "\n".join(lines) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
