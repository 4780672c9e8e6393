"""Plain-text output of ``check``: one finding per line, yamllint-style, then a summary."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..rules.catalog import PHASES, SEVERITIES
from ..rules.findings import Finding
from .context import ReportContext

Style = Callable[[str, str], str]  # (text, severity or state) -> text, maybe coloured


def plain(text: str, _: str) -> str:
    return text


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def one_line(text: str) -> str:
    """Inventory text may hold line breaks or control characters; a finding stays one line
    (so no text can forge another finding, or a CI system's workflow command)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if m.group() not in "\n\r\t"
                        else {"\n": "\\n", "\r": "\\r", "\t": " "}[m.group()], text)


def finding_line(finding: Finding, style: Style = plain) -> str:
    label = style(f"[{finding.severity}]", finding.severity)
    if finding.state == "error":
        label = style("[error]", "error") + " " + label
    line = (f"{finding.file}:{finding.line}:{finding.column}: {label} {finding.control} "
            f"{one_line(finding.message)}")
    if finding.waiver:
        line += (f" [waived by {finding.waiver['ref']} until {finding.waiver['expires']}: "
                 f"{one_line(finding.waiver['justification'])}]")
    return line


def render(ctx: ReportContext, style: Style = plain, verbose: bool = False) -> str:
    gaps = ctx.gaps
    lines = [finding_line(f, style) for f in gaps if not f.baselined]
    baselined = [f for f in gaps if f.baselined]
    if baselined:
        lines += ["", f"known gaps recorded in the baseline ({len(baselined)}):"]
        lines += ["  " + finding_line(f, style) for f in baselined]
    waived = ctx.waived
    if waived and verbose:
        lines += ["", f"waived ({len(waived)}):"]
        lines += ["  " + finding_line(f, style) for f in waived]
    if lines:
        lines.append("")
    lines.extend(summary_lines(ctx))
    return "\n".join(lines) + "\n"


def summary_lines(ctx: ReportContext) -> list[str]:
    result = ctx.result
    counts = result.counts(ctx.tally)
    states = ", ".join(f"{n} {state.replace('_', ' ')}" for state, n in counts.items())
    lines = [f"{len(result.evaluated)} controls, {len(result.findings)} results: {states}"]
    by_severity = result.gap_counts_by_severity(ctx.tally)
    lines.append("gaps by severity: " + ", ".join(f"{s} {by_severity[s]}" for s in SEVERITIES))
    phases = result.counts_by_phase(ctx.tally)
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
    for control in result.catalog.controls.values():
        if not control.enabled:
            lines.append(f"note: {control.id} is disabled in airready.yaml: "
                         f"{control.disabled_reason}")
    for waiver in ctx.waivers.expired:
        lines.append(f"note: {waiver.ref} expired on {waiver.spec.expires.isoformat()} "
                     "and waives nothing")
    for waiver in ctx.waivers.unused:
        lines.append(f"note: {waiver.ref} waives nothing: no failing {waiver.spec.control} "
                     "result matches its targets (delete it?)")
    if ctx.baseline is not None:
        base = ctx.baseline
        lines.append(f"baseline {base.source}: {len(base.new)} new, {len(base.existing)} known, "
                     f"{len(base.fixed)} fixed")
        for entry in base.fixed:
            lines.append(f"note: fixed since the baseline: {entry.get('control')} "
                         f"{entry.get('target')} ({entry.get('path') or 'entity'}); "
                         "rewrite the baseline to drop it")
    if ctx.threshold == "none":
        lines.append("threshold: none (the check never fails)")
    else:
        lines.append(f"threshold: {ctx.threshold}: {len(ctx.blocking)} gap(s) at or above it")
    return lines
