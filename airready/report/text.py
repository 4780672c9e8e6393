"""Plain-text output of ``check``: one finding per line, yamllint-style, then a summary."""

from __future__ import annotations

from collections.abc import Callable

from ..catalog import PHASES, SEVERITIES
from ..findings import AuditResult, Finding

Style = Callable[[str, str], str]  # (text, severity or state) -> text, maybe coloured


def plain(text: str, _: str) -> str:
    return text


def finding_line(finding: Finding, style: Style = plain) -> str:
    label = style(f"[{finding.severity}]", finding.severity)
    if finding.state == "error":
        label = style("[error]", "error") + " " + label
    return (f"{finding.file}:{finding.line}:{finding.column}: {label} {finding.control} "
            f"{finding.message}")


def render(result: AuditResult, threshold: str, style: Style = plain,
           verbose: bool = False) -> str:
    lines = [finding_line(f, style) for f in result.gaps()]
    if verbose:
        lines += [finding_line(f, style) for f in result.findings if f.state == "waived"]
    lines.append("")
    lines.extend(summary_lines(result, threshold))
    return "\n".join(lines) + "\n"


def summary_lines(result: AuditResult, threshold: str) -> list[str]:
    counts = result.counts()
    states = ", ".join(f"{n} {state.replace('_', ' ')}" for state, n in counts.items())
    lines = [f"{len(result.evaluated)} controls, {len(result.findings)} results: {states}"]
    by_severity = result.gap_counts_by_severity()
    lines.append("gaps by severity: " + ", ".join(f"{s} {by_severity[s]}" for s in SEVERITIES))
    phases = result.counts_by_phase()
    parts = []
    for phase in PHASES:
        if phase in phases:
            row = phases[phase]
            parts.append(f"{phase.replace('_', '-')} {row['pass']} pass / "
                         f"{row['fail'] + row['error']} gap")
    if parts:
        lines.append("by phase: " + ", ".join(parts))
    for control in result.unmatched:
        present = len(result.inventory.of_kind(control.kind))
        why = (f"no {control.kind} in the inventory" if not present else
               f"none of the {present} {control.kind} entities is in its scope")
        lines.append(f"note: {control.id} checked nothing: {why}")
    disabled = [c for c in result.catalog.controls.values() if not c.enabled]
    for control in disabled:
        lines.append(f"note: {control.id} is disabled in airready.yaml: {control.disabled_reason}")
    blocking = result.at_or_above(threshold)
    if threshold == "none":
        lines.append("threshold: none (the check never fails)")
    else:
        lines.append(f"threshold: {threshold}: {len(blocking)} gap(s) at or above it")
    return lines
