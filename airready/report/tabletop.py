"""Renderers for ``tabletop``: text, Markdown and JSON."""

from __future__ import annotations

import json

from ..readiness.injects import clock_text
from ..readiness.tabletop import Pack, pack_dict
from .markdown import escape


def render_text(pack: Pack) -> str:
    lines = [f"Tabletop exercise: {pack.title}",
             f"Model: {pack.model} ({pack.model_title}); harm starts at {pack.origin}",
             f"Why this model: {pack.chosen_because}",
             f"Played as {pack.severity}: {pack.severity_because}",
             "", f"Scenario: {pack.story}", "", "Timeline of injects"]
    for inject in pack.injects:
        lines += ["", f"T+{inject.minute} min  {inject.title}"]
        lines += [f"  > {text}" for text in inject.says]
        lines += [f"  [ ] {ask}" for ask in inject.asks]
        lines += [f"  ! GAP: {gap}" for gap in inject.gaps]
    lines += ["", "Regulatory clocks that start at T+0"]
    lines += [f"  {c.regime} {c.stage}: {clock_text(c.due)} ({c.citation})" for c in pack.clocks]
    if not pack.clocks:
        lines.append("  none")
    lines += ["", f"Scoring sheet ({pack.severity} targets; write the observed times in)"]
    width = max(len(r.measure) for r in pack.scoring)
    lines += [f"  {r.measure:<{width}}  target {r.target:<14} observed ______  met? __"
              for r in pack.scoring]
    lines += ["", "Actions to tick off"]
    lines += [f"  [ ] {check}" for check in pack.checks]
    lines += ["", "Invite: " + ", ".join(pack.participants) if pack.participants
              else "Invite: nobody is named in the incident roles"]
    lines += ["", "When it has run, add to the Organization (closes AIR-EX-001/002/003):", ""]
    lines += ["  " + line for line in pack.record.splitlines()]
    if pack.gaps:
        lines += ["", f"{len(pack.gaps)} gap(s) the exercise will run into."]
    return "\n".join(lines) + "\n"


def render_markdown(pack: Pack) -> str:
    lines = [f"# Tabletop exercise: {escape(pack.title)}", "",
             f"**Model:** {escape(pack.model)} ({escape(pack.model_title)}); the harm starts at "
             f"{escape(pack.origin)}.  ",
             f"**Why this model:** {escape(pack.chosen_because)}.  ",
             f"**Played as {pack.severity}:** {escape(pack.severity_because)}.", "",
             f"> {escape(pack.story)}", "", "## Timeline of injects"]
    for inject in pack.injects:
        lines += ["", f"### T+{inject.minute} min: {escape(inject.title)}", ""]
        lines += [f"- {escape(text)}" for text in inject.says]
        lines += [f"- [ ] {escape(ask)}" for ask in inject.asks]
        lines += [f"- **Gap:** {escape(gap)}" for gap in inject.gaps]
    lines += ["", "## Decisions", "", "| decision | the written criteria |", "|---|---|"]
    lines += [f"| {escape(d.question)} | {escape(d.criteria) if d.criteria else '**none**'} |"
              for d in pack.decisions]
    lines += ["", "## Regulatory clocks", ""]
    if pack.clocks:
        lines += ["| regime | report | due | source |", "|---|---|---|---|"]
        lines += [f"| {escape(c.regime)} | {escape(c.stage)} | {clock_text(c.due)} "
                  f"| {escape(c.citation)} |" for c in pack.clocks]
    else:
        lines.append("No declared regime starts a clock for this incident.")
    lines += ["", f"## Scoring sheet ({pack.severity} targets)", "",
              "| measure | target | observed | met? |", "|---|---|---|---|"]
    lines += [f"| {escape(r.measure)} | {escape(r.target)} | | |" for r in pack.scoring]
    lines += ["", "## Record the exercise", "",
              "Add this to the Organization once the exercise has run:", "", "```yaml",
              pack.record.rstrip(), "```"]
    return "\n".join(lines) + "\n"


def render_json(pack: Pack) -> str:
    return json.dumps(pack_dict(pack), indent=2) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}
