"""A Markdown summary for a pull request comment or $GITHUB_STEP_SUMMARY."""

from __future__ import annotations

import re

from ..inventory.words import plural
from ..readiness.priorities import NO_OWNER, ranked_gaps
from ..rules.catalog import SEVERITIES
from .context import ReportContext

WORST = 15
_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e"
                      r"\u2066-\u2069]")
# What GitHub turns into a link or a notification by itself: bare web addresses and
# @mentions (@user, @org/team; not the @ inside an e-mail address).
_LINKY = re.compile(r"(?i)(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>`|\\\[\]]+"
                    r"|(?<![\w@./+-])@[a-z0-9][a-z0-9-]*(?:/[a-z0-9][\w.-]*)?")


def escape(text: str) -> str:
    """Inventory text is untrusted: no links, HTML or table breaks may come through, and
    no bare address or @mention that GitHub would link or notify: those are shown as
    code, where it does neither."""
    text = " ".join(_CONTROL.sub(" ", text).split())
    parts = []
    last = 0
    for match in _LINKY.finditer(text):
        token = match.group()
        if token[0] != "@":  # closing punctuation ends a sentence, not the address
            token = token.rstrip(".,:;!?'\")") or token
        parts += [_SPECIAL.sub(r"\\\1", text[last:match.start()]), f"`{token}`"]
        last = match.start() + len(token)
    parts.append(_SPECIAL.sub(r"\\\1", text[last:]))
    return "".join(parts)


def escape_block(text: str) -> str:
    """Like ``escape``, for text in paragraphs: each kept as a paragraph of its own."""
    paragraphs = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    return "\n\n".join(escape(p) for p in paragraphs if p.strip())


def fence(text: str, lang: str = "") -> str:
    """A fenced code block that no run of backticks inside ``text`` can close early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    bar = "`" * max(3, longest + 1)
    return f"{bar}{lang}\n{_CONTROL.sub(' ', text.rstrip())}\n{bar}"


def render(ctx: ReportContext) -> str:
    result = ctx.result
    counts = result.counts(ctx.tally)
    blocking = ctx.blocking
    gaps = [f for f in ctx.gaps if not f.baselined]
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
    severities = result.gap_counts_by_severity(ctx.tally)
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
