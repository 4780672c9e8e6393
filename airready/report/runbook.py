"""Renderers for ``runbook``: text, Markdown and JSON."""

from __future__ import annotations

import json

from ..inventory.words import plural
from ..readiness.runbook import Runbook, runbook_dict
from .markdown import escape
from .text import safe_lines


def render_text(runbook: Runbook) -> str:
    lines = [f"First-hour runbook: {runbook.model} ({runbook.title})"]
    for step in runbook.steps:
        lines += ["", f"Minute {step.minutes}: {step.title}"]
        lines += [f"  - {item}" for item in step.items]
        lines += [f"  ! GAP: {gap}" for gap in step.gaps]
    if runbook.gaps:
        lines += ["", f"{plural(len(runbook.gaps), 'gap')} to close before an incident."]
    return safe_lines(lines)


def render_markdown(runbook: Runbook) -> str:
    lines = [f"# First-hour runbook: {escape(runbook.model)}", "",
             f"{escape(runbook.title)}. Move quickly, write every action down with the time."]
    for step in runbook.steps:
        lines += ["", f"## Minute {step.minutes}: {step.title}", ""]
        lines += [f"- {escape(item)}" for item in step.items]
        lines += [f"- **Gap:** {escape(gap)}" for gap in step.gaps]
    return "\n".join(lines) + "\n"


def render_json(runbook: Runbook) -> str:
    return json.dumps(runbook_dict(runbook), indent=2) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}
