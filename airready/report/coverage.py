"""Renderers for ``coverage``: text, JSON and Markdown."""

from __future__ import annotations

import json
import textwrap
from itertools import groupby
from typing import Any

from ..readiness.coverage import PHASE_TITLES, Coverage, Item
from .markdown import escape

WIDTH = 100


def coverage_dict(coverage: Coverage) -> dict[str, Any]:
    counts = coverage.counts()
    return {
        "schema_version": 1,
        "items": [{"phase": i.phase, "section": i.section, "text": i.text,
                   "status": i.status,
                   "covered_by": [{"type": c.type, "id": c.id, "title": c.title}
                                  for c in i.covered_by],
                   "missing": i.missing, "notes": i.notes} for i in coverage.items],
        "summary": {"items": len(coverage.items), **counts,
                    "uncovered_share": round(coverage.uncovered_share, 4)},
    }


def _summary(coverage: Coverage) -> str:
    counts = coverage.counts()
    return (f"{len(coverage.items)} checklist items: {counts['covered']} covered, "
            f"{counts['partial']} partial, {counts['uncovered']} uncovered "
            f"({coverage.uncovered_share:.0%} uncovered)")


def _cover_text(item: Item) -> str:
    parts = [c.id if c.type == "control" else
             f"{c.id.replace('.', ': ').replace('_', ' ')}" if c.type == "figure" else
             f"site: {c.title}" for c in item.covered_by]
    return "; ".join(parts) or "nothing"


def _phases(coverage: Coverage) -> Any:
    return groupby(coverage.items, key=lambda i: i.phase)


def render_text(coverage: Coverage) -> str:
    lines = ["Coverage of the AI incident response checklist"]
    indent = " " * 16
    for phase, items in _phases(coverage):
        lines += ["", PHASE_TITLES[phase]]
        for section, in_section in groupby(items, key=lambda i: i.section):
            lines.append(f"  {section}")
            for item in in_section:
                lines.append(f"    {'[' + item.status + ']':<11} {item.text}")
                lines += textwrap.wrap(_cover_text(item), WIDTH, initial_indent=indent,
                                       subsequent_indent=indent)
                for label, text in [("missing", item.missing)] + [("note", n)
                                                                  for n in item.notes]:
                    if text and (label == "note" or item.status != "covered"):
                        lines += textwrap.wrap(f"{label}: {text}", WIDTH, initial_indent=indent,
                                               subsequent_indent=indent + "  ")
    lines += ["", _summary(coverage)]
    return "\n".join(lines) + "\n"


def render_json(coverage: Coverage) -> str:
    return json.dumps(coverage_dict(coverage), indent=2) + "\n"


def render_markdown(coverage: Coverage) -> str:
    lines = ["# Checklist coverage", "", _summary(coverage) + "."]
    for phase, items in _phases(coverage):
        lines += ["", f"## {PHASE_TITLES[phase]}", "",
                  "| section | item | status | covered by | missing |", "|---|---|---|---|---|"]
        for item in items:
            missing = "; ".join(x for x in [item.missing if item.status != "covered" else None,
                                            *item.notes] if x)
            lines.append(f"| {escape(item.section)} | {escape(item.text)} | {item.status} "
                         f"| {escape(_cover_text(item))} | {escape(missing)} |")
    return "\n".join(lines) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
