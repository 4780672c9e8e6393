"""Plain-text output of ``check``: one finding per line, yamllint-style, then a summary."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..inventory.model import Inventory
from ..inventory.words import plural
from ..rules.catalog import PHASES, SEVERITIES
from ..rules.findings import Finding
from .context import ReportContext

Style = Callable[[str, str], str]  # (text, severity or state) -> text, maybe coloured


def plain(text: str, _: str) -> str:
    return text


# C0 and C1 controls, DEL, and the Unicode marks that reorder or hide text on a terminal
# (bidirectional overrides and isolates, line and paragraph separators).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e"
                      r"\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": " "}


def _shown(char: str) -> str:
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def one_line(text: str) -> str:
    """Inventory text may hold line breaks or control characters; a finding stays one line
    (so no text can forge another finding, or a CI system's workflow command), and no
    escape sequence reaches the terminal."""
    return _CONTROL.sub(lambda m: _shown(m.group()), text)


def safe_block(text: str) -> str:
    """Text meant to span lines (a control's description): its line breaks and tabs stay,
    every other control character is shown escaped, as in ``one_line``."""
    return "\n".join(one_line(line) for line in text.replace("\r\n", "\n").split("\n"))


def safe_lines(lines: list[str]) -> str:
    """A text report from its lines, each kept to one line; ends with a line break."""
    return "".join(one_line(line) + "\n" for line in lines)


def finding_line(finding: Finding, style: Style = plain, inventory: Inventory | None = None
                 ) -> str:
    """``file:line:col: [severity] CONTROL message``; with the inventory, the target's title
    follows its reference ("model:x (Claims triage) logs no ...")."""
    label = style(f"[{finding.severity}]", finding.severity)
    if finding.state == "error":
        label = style("[error]", "error") + " " + label
    message = finding.message
    if inventory is not None and message.startswith(finding.target):
        message = inventory.label(finding.target) + message[len(finding.target):]
    line = (f"{one_line(finding.file)}:{finding.line}:{finding.column}: {label} "
            f"{one_line(finding.control)} {one_line(message)}")
    if finding.waiver:
        line += (f" [waived by {finding.waiver['ref']} until {finding.waiver['expires']}: "
                 f"{one_line(finding.waiver['justification'])}]")
    return line


GROUPS = ("control", "owner")


def _grouped(gaps: list[Finding], ctx: ReportContext, style: Style, by: str) -> list[str]:
    """Findings under one heading per control or per owner, largest group first."""
    inventory = ctx.result.inventory
    groups: dict[str, list[Finding]] = {}
    for finding in gaps:
        if by == "control":
            key = finding.control
        else:
            target = inventory.get(finding.target)
            key = (target.metadata.owner if target is not None else None) or "(no owner)"
        groups.setdefault(key, []).append(finding)
    lines: list[str] = []
    for key in sorted(groups, key=lambda k: (-len(groups[k]), k)):
        if by == "control":
            control = ctx.result.catalog.get(key)
            heading = f"{key} {control.spec.title}" if control is not None else key
        else:
            heading = inventory.label(key) if key in inventory.entities else key
        lines += ["" if lines else "", f"{one_line(heading)} ({plural(len(groups[key]), 'gap')}):"]
        lines += ["  " + finding_line(f, style, inventory) for f in groups[key]]
    return lines[1:] if lines and lines[0] == "" else lines


def render(ctx: ReportContext, style: Style = plain, verbose: bool = False,
           group_by: str | None = None) -> str:
    result = ctx.result
    inventory = result.inventory
    gaps = ctx.gaps
    current = [f for f in gaps if not f.baselined]
    if group_by:
        lines = _grouped(current, ctx, style, group_by)
    else:
        lines = [finding_line(f, style, inventory) for f in current]
    baselined = [f for f in gaps if f.baselined]
    if baselined:
        lines += ["", f"known gaps recorded in the baseline ({len(baselined)}):"]
        lines += ["  " + finding_line(f, style, inventory) for f in baselined]
    waived = ctx.waived
    if waived and verbose:
        lines += ["", f"waived ({len(waived)}):"]
        lines += ["  " + finding_line(f, style, inventory) for f in waived]
    if lines:
        lines.append("")
    lines.extend(one_line(line) for line in summary_lines(ctx, verbose))  # notes quote config
    return "\n".join(lines) + "\n"


def summary_lines(ctx: ReportContext, verbose: bool = False) -> list[str]:
    result = ctx.result
    counts = result.counts(ctx.tally)
    states = ", ".join(f"{n} {state.replace('_', ' ')}" for state, n in counts.items())
    lines = [f"{plural(len(result.evaluated), 'control', grouped=False)}, "
             f"{plural(len(result.findings), 'result', grouped=False)}: {states}"]
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
    unmatched = [] if result.filtered else result.unmatched
    if verbose:
        for control in unmatched:
            present = len(result.inventory.of_kind(control.kind))
            why = (f"no {control.kind} in the inventory" if not present else
                   f"none of the {present} {control.kind} entities is in its scope")
            lines.append(f"note: {control.id} checked nothing: {why}")
    elif unmatched:
        ids = ", ".join(c.id for c in unmatched[:8]) + (", ..." if len(unmatched) > 8 else "")
        lines.append(f"note: {plural(len(unmatched), 'control')} checked nothing ({ids}): "
                     "nothing in the inventory is in their scope (-v says why)")
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
        lines.append(f"threshold: {ctx.threshold}: {plural(len(ctx.blocking), 'gap')} at or "
                     "above it")
    return lines
