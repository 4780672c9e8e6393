"""Owner pages and inventory pages: every gap on the site under the team or person who
must fix it, and every entity that is not a model on a page of its kind.

An owner's page lists its models and every gap on what it owns, most urgent first (the
priorities' rank), in pages of PAGE_ROWS: nothing is cut.  Entities without an owner
are gathered on a page of their own, so that no gap is left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..inventory.ownership import children
from ..readiness.priorities import ranked_gaps
from ..rules.findings import sort_findings
from .layout import DATA_PAGE, LIST_PAGE, PAGE_ROWS, page_count, paged
from .refs import KIND_PAGES, kind_page, slug

if TYPE_CHECKING:
    from .pages import Render, Site

NO_OWNER = "owners/no-owner.md"


def _owner_paths(owner: str | None, count: int) -> list[str]:
    first = f"owners/{slug(owner)}.md" if owner else NO_OWNER
    stem = first.removesuffix(".md")
    return [first] + [f"{stem}-{i + 1}.md" for i in range(1, page_count(count))]


def owner_pages(render: Render, shared: Site) -> Iterator[tuple[str, str]]:
    inventory, result, card = shared.inventory, shared.result, shared.site.card
    owned: dict[str | None, list[str]] = {}
    for ref, entity in sorted(inventory.entities.items()):
        if entity.kind == "Waiver" or entity.metadata.external:
            continue
        owned.setdefault(entity.metadata.owner, []).append(ref)
    people = sorted(e.ref for e in inventory.of_kind("Person"))
    teams = sorted(e.ref for e in inventory.of_kind("Team"))
    owners: list[str | None] = [*teams, *people]
    if owned.get(None):
        owners.append(None)
    below = children(inventory)
    # What a team with sub-teams answers for: the scorecard's rows, with its figures.
    rollups = {row["owner"]: row for row in card.owner_rollup}
    # Each owner's model cards, in the scorecard's order: one pass, not one per owner.
    cards: dict[str | None, list[Any]] = {}
    for model_card in card.models:
        cards.setdefault(model_card.owner, []).append(model_card)
    rows = []
    for owner in owners:
        refs = owned.get(owner, [])
        findings = [f for ref in refs for f in shared.by_target.get(ref, [])
                    if f.is_gap or f.state == "waived"]
        ranked = ranked_gaps(result, findings)
        models = cards.get(owner, [])
        model_refs = {c.ref for c in models}
        live = [c for c in models if c.live]
        paths = _owner_paths(owner, len(ranked))
        rows.append({"owner": owner, "page": paths[0], "models": len(live),
                     "ready": sum(c.ready for c in live), "others": len(models) - len(live),
                     "entities": len(refs) - len(models),
                     "gaps": sum(r.finding.is_gap for r in ranked),
                     "waived": sum(r.finding.state == "waived" for r in ranked),
                     "title": shared.redactor.title(owner) if owner else None})
        holder = inventory.get(owner) if owner else None
        own_findings = [f for f in shared.by_target.get(owner, [])
                        if f.is_gap or f.state == "waived"] if owner else []
        other_refs = [r for r in refs if r not in model_refs]
        for index, chunk in enumerate(paged(ranked)):
            yield render("owner.md.j2", paths[index], DATA_PAGE if index == 0 else LIST_PAGE,
                         who=owner, entity=holder, models=models, index=index,
                         ranked=chunk, total=len(ranked), pages=paths,
                         first=index * PAGE_ROWS + 1,
                         own=own_findings, others=other_refs,
                         teams=sorted(below.get(owner, [])) if owner else [],
                         rollup=rollups.get(owner) if owner else None)
    yield render("owners.md.j2", "owners/index.md", DATA_PAGE, rows=rows)


def kind_pages(render: Render, shared: Site) -> Iterator[tuple[str, str]]:
    """One page per kind, a section per entity: what it is, who owns it, its gaps and the
    controls it passes."""
    inventory = shared.inventory
    summary = []
    for kind, (_, title) in KIND_PAGES.items():
        entities = sorted(inventory.of_kind(kind), key=lambda e: e.ref)
        if not entities:
            continue
        sections: list[dict[str, Any]] = []
        gaps = 0
        for entity in entities:
            findings = shared.by_target.get(entity.ref, [])
            failing = sort_findings(f for f in findings if f.is_gap or f.state == "waived")
            gaps += sum(f.is_gap for f in failing)
            hidden = shared.redactor.hides(entity.ref)
            sections.append({
                "entity": entity, "hidden": hidden,
                "title": shared.redactor.title(entity.ref),
                "description": None if hidden else entity.metadata.description,
                "failing": failing,
                "passing": [f.control for f in findings if f.state == "pass"],
            })
        summary.append({"kind": kind, "title": title, "page": kind_page(kind),
                        "count": len(entities), "gaps": gaps})
        yield render("kind.md.j2", kind_page(kind), DATA_PAGE, title=title, kind=kind,
                     sections=sections)
    yield render("inventory.md.j2", "inventory/index.md", DATA_PAGE, kinds=summary)
