"""Listing and showing controls (``airready controls list|show``)."""

from __future__ import annotations

import json
from typing import Any

from ..rules.catalog import Control
from .markdown import escape, escape_block, fence
from .text import safe_block, safe_lines


def control_dict(control: Control, full: bool = False) -> dict[str, Any]:
    spec = control.spec
    data: dict[str, Any] = {
        "id": control.id,
        "title": spec.title,
        "phase": spec.phase,
        "severity": control.severity,
        "applies_to": spec.applies_to.kind,
        "checklist_item": spec.checklist_item,
        "enabled": control.enabled,
        "source": "builtin" if control.builtin else control.source.file,
    }
    if not control.enabled:
        data["disabled_reason"] = control.disabled_reason
    if "severity" in control.overridden:
        data["default_severity"] = control.overridden["severity"][0]
    if full:
        data.update({
            "description": spec.description,
            "selector": spec.applies_to.where,
            "check": spec.check,
            "failure": spec.failure,
            "remediation": spec.remediation.model_dump(exclude_none=True),
            "references": spec.references,
        })
        if spec.examples:
            data["examples"] = spec.examples.model_dump(by_alias=True)
    return data


def render_list(controls: list[Control], fmt: str) -> str:
    if fmt == "json":
        return json.dumps({"schema_version": 1,
                           "controls": [control_dict(c) for c in controls]}, indent=2) + "\n"
    if fmt == "markdown":  # a project's own controls are input like the inventory
        rows = ["| id | severity | phase | applies to | title |", "|---|---|---|---|---|"]
        rows += [f"| {escape(c.id)} | {c.severity} | {c.spec.phase} | {c.kind} | "
                 f"{escape(c.spec.title)}{'' if c.enabled else ' (disabled)'} |"
                 for c in controls]
        return "\n".join(rows) + "\n"
    width = max((len(c.id) for c in controls), default=0)
    lines = [f"{c.id:<{width}}  {c.severity:<8}  {c.spec.phase:<13}  {c.kind:<12}  "
             f"{c.spec.title}{'' if c.enabled else '  [disabled]'}" for c in controls]
    lines.append(f"{len(controls)} controls")
    return safe_lines(lines)


def render_show(control: Control, fmt: str) -> str:
    if fmt == "json":
        return json.dumps({"schema_version": 1, "control": control_dict(control, True)},
                          indent=2, default=str) + "\n"
    if fmt == "markdown":
        return _show_markdown(control)
    spec = control.spec
    lines = [f"{control.id}: {spec.title}", ""]
    lines += [f"severity: {control.severity}    phase: {spec.phase}    "
              f"applies to: {control.kind}", f"checklist item: {spec.checklist_item}"]
    if not control.enabled:
        lines.append(f"disabled: {control.disabled_reason}")
    lines += ["", "Why it matters", "", spec.description, "", "Remediation", "",
              spec.remediation.text]
    if spec.remediation.example:
        lines += ["", spec.remediation.example.rstrip()]
    if spec.references:
        lines += ["", "References", ""]
        lines += [f"- {line}" for line in control.reference_lines()]
    # descriptions and examples span lines on purpose; control characters never reach the
    # terminal
    return safe_block("\n".join(lines).rstrip()) + "\n"


def _show_markdown(control: Control) -> str:
    """Every text of the control escaped, as every other Markdown output escapes inventory
    text: a project's controls come from its repository, which a pull request may edit."""
    spec = control.spec
    lines = [f"# {escape(control.id)}: {escape(spec.title)}", ""]
    lines += [f"severity: {control.severity}    phase: {spec.phase}    "
              f"applies to: {control.kind}  ",
              f"checklist item: {escape(spec.checklist_item)}"]
    if not control.enabled:
        lines.append(f"\ndisabled: {escape(control.disabled_reason or '')}")
    lines += ["", "## Why it matters", "", escape_block(spec.description), "",
              "## Remediation", "", escape_block(spec.remediation.text)]
    if spec.remediation.example:
        lines += ["", fence(spec.remediation.example, "yaml")]
    if spec.references:
        lines += ["", "## References", ""]
        lines += [f"- {escape(line)}" for line in control.reference_lines()]
    return "\n".join(lines).rstrip() + "\n"
