"""Renderers for ``register update``: the unified diff of the register, and a summary."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from ..inventory.words import plural
from .text import safe_lines

if TYPE_CHECKING:  # the register module brings ruamel.yaml: only `register update` needs it
    from ..postincident.register import RegisterUpdate

NO_NEWLINE = "\\ No newline at end of file\n"


def render_diff(update: RegisterUpdate) -> str:
    """A unified diff (``a/<path>``, ``b/<path>``) from the register as it was to as it will be."""
    old = (update.old_text or "").splitlines(keepends=True)
    new = update.new_text.splitlines(keepends=True)
    lines = difflib.unified_diff(old, new, fromfile=f"a/{update.shown}",
                                 tofile=f"b/{update.shown}")
    out = []
    for line in lines:
        if line.endswith("\n"):
            out.append(line)
        else:  # the last line of a file without a final newline, as diff and git show it
            out.append(line + "\n" + NO_NEWLINE)
    return "".join(out)


def render_summary(update: RegisterUpdate, written: bool) -> str:
    """What changed, one line per risk, and whether the file was written."""
    lines = [f"warning: {w}" for w in update.warnings]
    if not update.changed:
        lines.append(f"no changes: {update.shown} is up to date")
        return safe_lines(lines)
    for change in update.changes:
        verb = "added" if change.added else "updated"
        lines.append(f"{verb} {change.ref}: " + "; ".join(change.notes))
    counts = f"{plural(len(update.added), 'risk')} added, {len(update.updated)} updated"
    if written:
        lines.append(f"wrote {update.shown}: {counts}")
    else:
        lines.append(f"dry run, nothing written: {counts}")
    return safe_lines(lines)
