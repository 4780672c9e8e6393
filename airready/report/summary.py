"""``check --summary``: one screen at any estate size, for the person who decides what to fix.

Every section is capped, so the summary stays under sixty lines whether the estate has ten
models or ten thousand: totals, gaps by severity and phase, the organisation's own gaps, the
controls and the owners with the most gaps, then the ten gaps to fix first (ranked by
readiness/priorities.py).  The full list is one ``airready check`` away.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from ..inventory.model import Inventory
from ..inventory.words import plural
from ..readiness.priorities import NO_OWNER, Ranked, ranked_gaps
from ..rules.catalog import PHASES, SEVERITIES
from ..rules.findings import Finding
from .context import ReportContext
from .text import one_line, safe_lines

ORG_ROWS, CONTROL_ROWS, OWNER_ROWS, TOP = 5, 6, 6, 10
WIDTH = 100  # a finding's words are cut to keep each entry on its two lines


def _cut(text: str, width: int) -> str:
    text = one_line(text)
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _what(finding: Finding) -> str:
    """The finding's message without the target it starts with (shown beside it already)."""
    message = finding.message
    return message[len(finding.target):].lstrip() if message.startswith(finding.target) \
        else message


def _owner(owner: str, inventory: Inventory) -> str:
    return owner if owner == NO_OWNER else inventory.label(owner)


def render(ctx: ReportContext) -> str:
    result = ctx.result
    inventory = result.inventory
    counts = result.counts()
    gaps = [f for f in result.gaps() if not f.baselined]
    ranked = ranked_gaps(result, gaps)
    lines = [f"{plural(len(result.evaluated), 'control')}, "
             f"{plural(len(result.findings), 'result')}: {counts['pass']:,} pass, "
             f"{plural(len(gaps), 'gap')} ({counts['fail']:,} failing, "
             f"{counts['error']:,} not judged), {counts['waived']:,} waived, "
             f"{counts['not_applicable']:,} not applicable"]
    by_severity = Counter(f.severity for f in gaps)
    lines.append("gaps by severity: " + ", ".join(f"{s} {by_severity[s]:,}"
                                                 for s in SEVERITIES))
    by_phase = Counter(f.phase for f in gaps)
    lines.append("gaps by phase: " + ", ".join(f"{p.replace('_', '-')} {by_phase[p]:,}"
                                              for p in PHASES))
    organisation = [r for r in ranked if r.why == "organisation-wide"]
    if organisation:
        lines += ["", f"Organisation-wide gaps ({len(organisation)}), first: they touch every "
                  "model"]
        for item in organisation[:ORG_ROWS]:
            f = item.finding
            lines.append(f"  [{f.severity}] {f.control} {_cut(_what(f), WIDTH - 20)}")
        if len(organisation) > ORG_ROWS:
            lines.append(f"  … and {len(organisation) - ORG_ROWS} more")
    lines += _controls(ranked, ctx)
    lines += _owners(ranked, inventory)
    lines += _top(ranked, inventory)
    if not gaps:
        lines += ["", "No gaps."]
    lines.append("")
    if ctx.threshold == "none":
        lines.append(f"threshold: none (the check never fails; {plural(len(gaps), 'gap')} "
                     "found)")
    else:
        lines.append(f"threshold: {ctx.threshold}: {plural(len(ctx.blocking), 'gap')} at or "
                     "above it" + (" (the check fails)" if ctx.blocking else ""))
    return safe_lines(lines)


def _controls(ranked: list[Ranked], ctx: ReportContext) -> list[str]:
    by_control: dict[str, list[Ranked]] = defaultdict(list)
    for item in ranked:
        by_control[item.finding.control].append(item)
    if not by_control:
        return []
    order = sorted(by_control, key=lambda c: (-len(by_control[c]), c))
    lines = ["", "Controls with the most gaps:"]
    for control_id in order[:CONTROL_ROWS]:
        items = by_control[control_id]
        control = ctx.result.catalog.get(control_id)
        title = control.spec.title if control is not None else control_id
        owners = Counter(i.owner for i in items).most_common()
        shown = ", ".join(f"{o} ({n})" for o, n in owners[:3]) + (
            f", +{len(owners) - 3} more" if len(owners) > 3 else "")
        lines.append(f"  {len(items):>6,}  {control_id:<13} {_cut(title, 46)}")
        lines.append(f"          owners: {_cut(shown, WIDTH - 18)}")
    if len(order) > CONTROL_ROWS:
        lines.append(f"  … and {plural(len(order) - CONTROL_ROWS, 'more control')} with gaps")
    return lines


def _owners(ranked: list[Ranked], inventory: Inventory) -> list[str]:
    by_owner: dict[str, Counter[str]] = defaultdict(Counter)
    for item in ranked:
        by_owner[item.owner][item.finding.severity] += 1
    if not by_owner:
        return []
    order = sorted(by_owner, key=lambda o: (-sum(by_owner[o].values()), o))
    lines = ["", "Owners with the most gaps (critical/high/medium/low):"]
    for owner in order[:OWNER_ROWS]:
        counts = by_owner[owner]
        split = "/".join(str(counts[s]) for s in SEVERITIES)
        who = _cut(_owner(owner, inventory), 70)
        lines.append(f"  {sum(counts.values()):>6,}  {split:<14} {who}")
    if len(order) > OWNER_ROWS:
        lines.append(f"  … and {plural(len(order) - OWNER_ROWS, 'more owner')} with gaps")
    return lines


def _top(ranked: list[Ranked], inventory: Inventory) -> list[str]:
    items = [r for r in ranked if r.why != "organisation-wide"][:TOP]
    if not items:
        return []
    lines = ["", f"Top {len(items)} to fix (severity x reach x lifecycle):"]
    for number, item in enumerate(items, 1):
        f = item.finding
        target = _cut(inventory.label(f.target), 60)
        lines.append(f"  {number:>2}. [{f.severity}] {f.control} {target}; owner "
                     f"{_cut(_owner(item.owner, inventory), 40)}")
        # The failure in a few words (its evidence is one `airready check` away), then why it
        # ranks where it does.
        failure = _what(f).split(" (", 1)[0]
        reach = f"; reach: {item.why}" if item.why else ""
        lines.append(f"      {_cut(failure + reach, WIDTH - 6)}")
    return lines
