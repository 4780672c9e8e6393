"""Listing and showing controls (``airready controls list|show``)."""

from __future__ import annotations

import json
from typing import Any

from ..rules.catalog import Control


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
    if fmt == "markdown":
        rows = ["| id | severity | phase | applies to | title |", "|---|---|---|---|---|"]
        rows += [f"| {c.id} | {c.severity} | {c.spec.phase} | {c.kind} | "
                 f"{c.spec.title}{'' if c.enabled else ' (disabled)'} |" for c in controls]
        return "\n".join(rows) + "\n"
    width = max((len(c.id) for c in controls), default=0)
    lines = [f"{c.id:<{width}}  {c.severity:<8}  {c.spec.phase:<13}  {c.kind:<12}  "
             f"{c.spec.title}{'' if c.enabled else '  [disabled]'}" for c in controls]
    lines.append(f"{len(controls)} controls")
    return "\n".join(lines) + "\n"


def render_show(control: Control, fmt: str) -> str:
    if fmt == "json":
        return json.dumps({"schema_version": 1, "control": control_dict(control, True)},
                          indent=2, default=str) + "\n"
    spec = control.spec
    heading = "# " if fmt == "markdown" else ""
    sub = "## " if fmt == "markdown" else ""
    lines = [f"{heading}{control.id}: {spec.title}", ""]
    lines += [f"severity: {control.severity}    phase: {spec.phase}    "
              f"applies to: {control.kind}", f"checklist item: {spec.checklist_item}"]
    if not control.enabled:
        lines.append(f"disabled: {control.disabled_reason}")
    lines += ["", f"{sub}Why it matters", "", spec.description, "",
              f"{sub}Remediation", "", spec.remediation.text]
    if spec.remediation.example:
        lines += ["", "```yaml" if fmt == "markdown" else "",
                  spec.remediation.example.rstrip(), "```" if fmt == "markdown" else ""]
    if spec.references:
        lines += ["", f"{sub}References", ""]
        lines += [f"- {line}" for line in control.reference_lines()]
    return "\n".join(lines).rstrip() + "\n"
