"""The import report: what came in, what was written, and everything the source got wrong.

The terminal gets the first lines of each section; the Markdown file beside the import
gets all of them, so nothing the import decided is seen only once and lost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..interop.outcome import ImportResult, Section
from ..interop.writer import WritePlan
from ..inventory.words import agree, plural

TERMINAL_ITEMS = 8


def _outcome_sections(plan: WritePlan) -> list[Section]:
    sections = []
    if plan.conflicts:
        sections.append(Section(
            "Kept your edits",
            f"{plural(len(plan.conflicts), 'field')} {_were(plan.conflicts)} edited by hand "
            "and changed in the source too: your value is kept; the source's is shown.",
            [f"{c.file}: {c.ref} {c.path}: yours {_value(c.yours)}, the source's "
             f"{_value(c.source)}" for c in plan.conflicts]))
    if plan.adopted:
        sections.append(Section(
            "Matched entities the import had not written",
            f"{_entities(plan.adopted)} already in the inventory "
            f"{agree(len(plan.adopted), 'stands', 'stand')} for records of the source: "
            "fields they lack were filled in, values they have were kept.",
            sorted(set(plan.adopted))))
    if plan.stale:
        sections.append(Section(
            "No longer in the source",
            f"{_entities(plan.stale)} an earlier import wrote "
            f"{agree(len(plan.stale), 'is', 'are')} not in this source: kept; "
            "retire or delete them yourself.", plan.stale))
    if plan.deleted_kept:
        sections.append(Section(
            "Deleted by hand",
            f"{_entities(plan.deleted_kept)} an earlier import wrote {_were(plan.deleted_kept)} "
            "deleted since: left out, with the references to them.", plan.deleted_kept))
    return sections


def _entities(items: list[Any]) -> str:
    return plural(len(items), "entity", "entities")


def _were(items: list[Any]) -> str:
    return agree(len(items), "was", "were")


def _value(value: Any) -> str:
    return "(none)" if value is None else repr(value)


def _header(result: ImportResult, plan: WritePlan, created_project: bool) -> list[str]:
    counts = ", ".join(f"{n} {kind}" for kind, n in result.counts().items())
    facts = ", ".join(f"{what} {n}" if isinstance(n, str) else f"{n} {what}"
                      for what, n in result.facts.items())
    lines = [f"{result.source}: {facts}" if facts else result.source,
             f"entities: {counts}",
             f"written: {len(plan.created)} new, {len(plan.updated)} updated, "
             f"{len(plan.unchanged)} unchanged"]
    if created_project and result.organization is not None:
        lines.append(f"created a new project with {plan.final(result.organization.ref)} as its "
                     "Organization (fill in its roles, channels and targets)")
    return lines


def render_text(result: ImportResult, plan: WritePlan, created_project: bool,
                report_file: str | None) -> str:
    lines = _header(result, plan, created_project)
    for section in [*result.sections, *_outcome_sections(plan)]:
        lines += ["", f"{section.title}: {section.summary}"]
        lines += [f"  {item}" for item in section.items[:TERMINAL_ITEMS]]
        more = len(section.items) - TERMINAL_ITEMS
        if more > 0:
            lines.append(f"  ... and {more} more" + (f" (all in {report_file})"
                                                     if report_file else ""))
    return "\n".join(lines) + "\n"


def render_markdown(result: ImportResult, plan: WritePlan, created_project: bool,
                    escape: Callable[[str], str] | None = None) -> str:
    esc = escape or _escape
    lines = [f"# Import report: {esc(result.format)}", ""]
    lines += [f"- {esc(line)}" for line in _header(result, plan, created_project)]
    for section in [*result.sections, *_outcome_sections(plan)]:
        lines += ["", f"## {esc(section.title)}", "", esc(section.summary), ""]
        lines += [f"- {esc(item)}" for item in section.items]
    if plan.updated:
        lines += ["", "## Updated", ""]
        lines += [f"- {esc(w.file)}: {esc(w.ref)}: {esc(', '.join(w.fields))}"
                  for w in plan.updated]
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    """Plain text that Markdown shows as typed: no emphasis, links, code or HTML from the
    source (each line starts with "- " or a heading mark, so line-start marks are inert)."""
    out = []
    for char in text.replace("\n", " "):
        out.append("\\" + char if char in "\\`*_[]<|" else char)
    return "".join(out)
