"""A Markdown summary for a pull request comment or $GITHUB_STEP_SUMMARY."""

from __future__ import annotations

import re

from ..inventory.words import plural
from ..readiness.priorities import NO_OWNER, ranked_gaps
from ..rules.catalog import SEVERITIES
from .context import ReportContext

WORST = 15
_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def escape(text: str) -> str:
    """Inventory text is untrusted: no links, HTML or table breaks may come through."""
    return _SPECIAL.sub(r"\\\1", " ".join(_CONTROL.sub(" ", text).split()))


def render(ctx: ReportContext) -> str:
    result = ctx.result
    counts = result.counts()
    blocking = ctx.blocking
    gaps = [f for f in result.gaps() if not f.baselined]
    if ctx.threshold == "none":
        # With no threshold nothing fails the build, but gaps are never called a pass.
        verdict = (f"found {plural(len(gaps), 'gap')} (no threshold set)" if gaps
                   else "found no gaps")
    else:
        verdict = ("fails" if blocking else "passes") + f" at threshold **{ctx.threshold}**"
        if not blocking and gaps:
            verdict += f", with {plural(len(gaps), 'gap')} below it"
    lines = [f"## airready: readiness check {verdict}", ""]
    lines += ["| pass | fail | error | waived | not applicable |", "|---:|---:|---:|---:|---:|",
              f"| {counts['pass']} | {counts['fail']} | {counts['error']} | {counts['waived']} "
              f"| {counts['not_applicable']} |", ""]
    severities = result.gap_counts_by_severity()
    lines.append("Gaps by severity: " + ", ".join(f"{s} {severities[s]}" for s in SEVERITIES))
    lines.append("")
    if gaps:
        # Ranked as `check --summary` ranks them: severity x reach x lifecycle.
        ranked = ranked_gaps(result, gaps)[:WORST]
        inventory = result.inventory
        lines += [f"### Gaps to fix first ({len(ranked)} of {len(gaps)})", "",
                  "| severity | control | target | owner | where | finding |",
                  "|---|---|---|---|---|---|"]
        for item in ranked:
            finding = item.finding
            owner = item.owner if item.owner == NO_OWNER else inventory.label(item.owner)
            lines.append(f"| {finding.severity} | {finding.control} "
                         f"| {escape(inventory.label(finding.target))} | {escape(owner)} "
                         f"| {escape(ctx.repo_path(finding))}:{finding.line} "
                         f"| {escape(finding.message)} |")
        lines.append("")
    if ctx.baseline is not None:
        base = ctx.baseline
        lines += ["### Against the baseline", "",
                  f"{len(base.new)} new, {len(base.existing)} known, {len(base.fixed)} fixed.", ""]
        for finding in base.new[:WORST]:
            lines.append(f"- new: {finding.control} {escape(finding.target)} "
                         f"({escape(finding.message)})")
        for entry in base.fixed[:WORST]:
            lines.append(f"- fixed: {entry.get('control')} {escape(str(entry.get('target')))}")
        lines.append("")
    waived = sorted((f for f in result.findings if f.state == "waived" and f.waiver),
                    key=lambda f: f.sort_key())
    if waived:
        # A waived finding stays in every output, with its justification.
        lines += [f"### Waived ({len(waived)})", "",
                  "| severity | control | target | waiver | until | justification |",
                  "|---|---|---|---|---|---|"]
        for finding in waived[:WORST]:
            waiver = finding.waiver or {}
            lines.append(f"| {finding.severity} | {finding.control} | {escape(finding.target)} "
                         f"| {escape(str(waiver.get('ref')))} "
                         f"| {escape(str(waiver.get('expires')))} "
                         f"| {escape(str(waiver.get('justification')))} |")
        if len(waived) > WORST:
            lines.append(f"\n… and {len(waived) - WORST} more.")
        lines.append("")
    notes = [f"- {w.ref} expired on {w.spec.expires.isoformat()}" for w in ctx.waivers.expired]
    notes += [f"- {w.ref} waives nothing" for w in ctx.waivers.unused]
    if notes:
        lines += ["### Waivers", "", *notes, ""]
    return "\n".join(lines)
