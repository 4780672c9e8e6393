"""Render every page of the auditor site as Markdown (path -> text), deterministically.

One jinja2 Environment with StrictUndefined; its ``finalize`` escapes every printed
value (escape.py), so inventory text cannot become markup by forgetting a filter.
Index pages carry tables, not navigation, so no page grows with the number of models.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import jinja2
import networkx as nx
import yaml

from ..graph.blast import (
    FORWARD,
    BlastRadius,
    inventory_closures,
    runbook_reach,
    walk,
    walk_edges,
)
from ..graph.graph import build_graph
from ..inventory.model import Inventory
from ..readiness.coverage import PAGES, PHASE_TITLES, build_coverage
from ..readiness.injects import PLANS, clock_text
from ..readiness.runbook import Step, build_runbook
from ..readiness.scorecard import Scorecard, control_level
from ..readiness.tabletop import TabletopError, build_tabletop
from ..report.blast import render_mermaid
from ..rules.catalog import Control
from ..rules.findings import AuditResult, Finding
from .escape import Raw, finalize, h, html_link, html_page_link, md, page_link, strong

MAX_DIAGRAM_NODES = 40
WORST_GAPS = 20
# Rows of a table that lists what an estate holds many of (a control's failing targets,
# organisation-wide gaps, expiring evidence): no page may grow with the number of models.
# The CLI lists them all (`airready check --control ID`, `airready scorecard`).
TABLE_ROWS = 50
# Lines shown per runbook step (items, and gaps, each), and references per listed item:
# a runbook page must not grow with the estate; `airready runbook MODEL` lists everything.
RUNBOOK_LINES = 20
_REF = re.compile(r"[a-z]+:[a-z0-9]([a-z0-9._-]*[a-z0-9])?")
# A list of them, ", " between: one scan instead of a match per reference (references
# hold neither commas nor spaces, so this is every item matching _REF).
_REFS = re.compile(rf"{_REF.pattern}(?:, {_REF.pattern})*")


def slug(ref: str) -> str:
    """A file name for a reference: names are already safe, the colon is not everywhere."""
    return ref.replace(":", "-")


def fence(text: str, lang: str) -> Raw:
    """A fenced block that no backtick run inside ``text`` can close early."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    bar = "`" * max(3, longest + 1)
    return Raw(f"{bar}{lang}\n{text.rstrip()}\n{bar}")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("airready", "templates/site"),
        undefined=jinja2.StrictUndefined,
        finalize=finalize,
        autoescape=False,  # Markdown, not HTML: finalize does the escaping
        auto_reload=False,  # templates ship with the package; no stat() per page
        keep_trailing_newline=True,
        trim_blocks=False,
    )
    env.filters["raw"] = Raw
    env.filters["md"] = md
    env.filters["h"] = h
    env.globals.update(link=html_link, slug=slug, thead=thead, tr=tr, cat=cat, strong=strong,
                       items=items, facts=facts, checklist=checklist)
    return env


# HTML blocks for tables and lists (see escape.py for why not Markdown). Every cell goes
# through h(), so only values airready built itself (Raw) carry markup.

def thead(*cells: Any) -> Raw:
    return Raw("<thead><tr>" + "".join(f"<th>{h(c)}</th>" for c in cells) + "</tr></thead>")


def tr(*cells: Any) -> Raw:
    return Raw("<tr>" + "".join(f"<td>{h(c)}</td>" for c in cells) + "</tr>")


def cat(*parts: Any) -> Raw:
    """Text and markup side by side in one cell (jinja's ``~`` would lose the Raw)."""
    return Raw("".join(h(p, strip=False) for p in parts))


def facts(rows: list[tuple[str, Any]]) -> Raw:
    """``label: value`` lines (for a paragraph)."""
    return Raw("<br>\n".join(f"{h(label)}: {h(value)}" for label, value in rows))


def checklist(mark: str, lines: list[str], more: int, what: str, model: str) -> Raw:
    """A runbook step's lines, each after ``mark``, and how many more the CLI lists."""
    shown = [f"{mark} {h(line)}" for line in lines]
    if more:
        shown.append(f"{mark} and {more} more{what}: <code>airready runbook {h(model)}</code> "
                     "lists them all")
    return Raw("<br>\n".join(shown))


def joined(parts: Any, separator: str = ", ") -> Raw:
    return Raw(separator.join(h(p) for p in parts))


def items(values: Any) -> Raw:
    """A bulleted list."""
    return Raw("<ul>\n" + "".join(f"<li>{h(v)}</li>\n" for v in values) + "</ul>")


@dataclass
class SiteInput:
    result: AuditResult
    card: Scorecard
    history: list[dict[str, Any]]
    # mkdocs.yml's use_directory_urls: where the links in HTML blocks must point.
    directory_urls: bool = False




def _trend(history: list[dict[str, Any]]) -> Raw | None:
    points = [(h.get("today"), (h.get("organization") or {}).get("score")) for h in history]
    # A label and its score go in together or not at all (an edited history file may hold
    # anything): a day that is not YYYY-MM-DD or a score that is not a number is left out.
    kept: list[tuple[str, float]] = []
    for day, score in points[-12:]:
        if (isinstance(day, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", day)
                and isinstance(score, int | float) and not isinstance(score, bool)):
            kept.append((day, score))
    if len(kept) < 2:
        return None
    labels = ", ".join(f'"{day}"' for day, _ in kept)
    scores = ", ".join(str(int(score)) for _, score in kept)
    text = ("xychart-beta\n  title \"Organisation readiness score\"\n"
            f"  x-axis [{labels}]\n  y-axis \"score\" 0 --> 100\n  line [{scores}]")
    return fence(text, "mermaid")


# What a model is built from: walked backwards from the model along these edges only.
LINEAGE_EDGES = {(edge, FORWARD) for edge in ("trains", "derives", "fine_tunes", "supplies",
                                              "serves")}


def _diagram(radius: BlastRadius) -> Raw | None:
    """The nearest MAX_DIAGRAM_NODES entities (the walks below stop there) as Mermaid."""
    if not radius.reached:
        return None
    return fence(render_mermaid(radius), "mermaid")


def _lineage(graph: nx.DiGraph, ref: str) -> Raw | None:
    nearest = walk_edges(graph, ref, LINEAGE_EDGES, reverse=True, limit=MAX_DIAGRAM_NODES)
    return _diagram(BlastRadius(ref, None, True, nearest, {}))


def _person(inventory: Inventory, ref: str | None) -> str:
    if not ref:
        return ""
    entity = inventory.get(ref)
    if entity is None or entity.spec is None:
        return ref
    contact = ", ".join(x for x in (entity.spec.email, entity.spec.phone) if x)
    return f"{ref} ({contact})" if contact else ref


def _yesno(value: bool | None) -> str:
    return {True: "yes", False: "no"}.get(value, "not set") if value is not None else "not set"


def render_pages(site: SiteInput, on_page: Callable[[str], None] | None = None
                 ) -> Iterator[tuple[str, str]]:
    """Yield (path inside docs/, Markdown) for every page, in a stable order."""
    env = _environment()
    result, card = site.result, site.card
    inventory = result.inventory
    graph = build_graph(inventory)
    today = result.today.isoformat()
    counts = result.counts()
    gaps = result.gaps()
    ready = sum(c.ready for c in card.models)
    titles = {c.id: c.spec.title for c in result.catalog.controls.values()}
    base = {"today": today, "card": card, "ready": ready, "titles": titles}

    def render(template: str, path: str, **context: Any) -> tuple[str, str]:
        depth = path.count("/")

        # Targets are given from docs/. Markdown links (in paragraphs) MkDocs checks and
        # rewrites; links in HTML blocks it leaves alone, so they carry the final URL.
        def local_link(text: Any, target: str) -> Raw:
            return page_link(text, "../" * depth + target)

        def a(text: Any, target: str, title: str | None = None) -> Raw:
            return html_page_link(text, path, target, site.directory_urls, title)

        def control_link(control_id: str, titled: bool = False) -> Raw:
            return a(control_id, f"controls/{control_id}.md",
                     titles.get(control_id) if titled else None)

        def control_links(control_ids: Iterable[str], titled: bool = False) -> Raw:
            return joined(control_link(c, titled) for c in control_ids)

        text = env.get_template(template).render(
            **base, depth=depth, control_link=control_link, control_links=control_links,
            page_link=local_link, a=a, **context)
        if on_page:
            on_page(path)
        return path, _tidy(text)

    yield render("index.md.j2", "index.md", counts=counts, worst=gaps[:WORST_GAPS],
                 more_gaps=max(0, len(gaps) - WORST_GAPS), trend=_trend(site.history),
                 incidents=_incident_rows(inventory), expiring=card.expiring[:TABLE_ROWS],
                 more_expiring=max(0, len(card.expiring) - TABLE_ROWS))
    yield render("models.md.j2", "models/index.md")
    by_target: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_target.setdefault(finding.target, []).append(finding)
    for model_card in sorted(card.models, key=lambda c: c.ref):
        model = inventory.entities[model_card.ref]
        spec = model.spec
        # How many a walk reaches comes from the shared reach sets; the diagram needs
        # paths for the nearest few only.
        total = inventory_closures(inventory, "prompt_injection").count(model.ref)
        blast = _diagram(BlastRadius(model.ref, "prompt_injection", False, walk(
            graph, model.ref, "prompt_injection", limit=MAX_DIAGRAM_NODES), {}))
        users = (f"{spec.users.count:,} {spec.users.audience or ''}".strip()
                 if spec.users and spec.users.count is not None else "not recorded")
        yield render(
            "model.md.j2", f"models/{slug(model.ref)}.md", model=model, spec=spec,
            c=model_card, owner=model.metadata.owner or "none", users=users,
            links=[("link", html_link(x.title, x.url)) for x in model.metadata.links],
            lineage=_lineage(graph, model.ref), blast=blast,
            blast_total=total, blast_shown=min(total, MAX_DIAGRAM_NODES),
            blast_more=total > MAX_DIAGRAM_NODES,
            passing=[f for f in by_target.get(model.ref, []) if f.state == "pass"])
        # The first lines of each step only: credentials from a walk that stops early,
        # everything else from the shared reach sets (a full walk per model would make
        # the site grow with the square of the estate).
        book = build_runbook(graph, inventory, model.ref,
                             runbook_reach(graph, inventory, model.ref, RUNBOOK_LINES))
        yield render("runbook.md.j2", f"runbooks/{slug(model.ref)}.md", book=book,
                     steps=[_bounded(step) for step in book.steps])
    yield from _control_pages(render, result)
    yield render("frameworks.md.j2", "frameworks.md")
    yield _organization_page(render, result, card)
    yield render("incidents.md.j2", "incidents/index.md", incidents=_incident_rows(inventory))
    yield render("risk-register.md.j2", "risk-register.md",
                 risks=sorted(inventory.of_kind("Risk"), key=lambda r: r.ref))
    yield _coverage_page(render, result, site.directory_urls)
    yield from _tabletop_pages(render, graph, result)


@dataclass
class _StepView:
    """A runbook step as the site shows it: at most RUNBOOK_LINES items and gaps."""

    minutes: str
    title: str
    items: list[str]
    gaps: list[str]
    more_items: int
    more_gaps: int


def _shorten(item: str) -> str:
    """A long list of references ("systems it can act on: a, b, ...") cut short."""
    head, sep, rest = item.partition(": ")
    refs = rest.split(", ")
    if not sep or len(refs) <= RUNBOOK_LINES or not _REFS.fullmatch(rest):
        return item
    return f"{head}: {', '.join(refs[:RUNBOOK_LINES])} and {len(refs) - RUNBOOK_LINES} more"


def _bounded(step: Step) -> _StepView:
    return _StepView(step.minutes, step.title,
                     [_shorten(item) for item in step.items[:RUNBOOK_LINES]],
                     step.gaps[:RUNBOOK_LINES],
                     max(0, len(step.items) + step.more_items - RUNBOOK_LINES),
                     max(0, len(step.gaps) + step.more_gaps - RUNBOOK_LINES))


def _tidy(text: str) -> str:
    """Collapse the blank lines that template logic leaves behind."""
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _incident_rows(inventory: Inventory) -> list[dict[str, Any]]:
    rows = []
    for incident in sorted(inventory.of_kind("Incident"), key=lambda i: i.ref):
        spec = incident.spec
        status = "closed" if spec.timeline.closed else (
            "remediated" if spec.timeline.remediated else
            "contained" if spec.timeline.contained else "open")
        rows.append({"name": incident.ref, "severity": spec.severity, "category": spec.category,
                     "models": ", ".join(spec.models), "status": status})
    return rows


def _control_pages(render: Any, result: AuditResult) -> Iterator[tuple[str, str]]:
    by_control: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_control.setdefault(finding.control, []).append(finding)
    rows = []
    for control in result.catalog.controls.values():
        findings = by_control.get(control.id, [])
        rows.append({"id": control.id, "severity": control.severity,
                     "phase": control.spec.phase, "kind": control.kind,
                     "title": control.spec.title, "enabled": control.enabled,
                     "pass": sum(f.state == "pass" for f in findings),
                     "gaps": sum(f.is_gap for f in findings),
                     "waived": sum(f.state == "waived" for f in findings)})
    yield render("controls.md.j2", "controls/index.md", rows=rows)
    for control in result.catalog.controls.values():
        findings = sorted(by_control.get(control.id, []), key=Finding.sort_key)
        yield render("control.md.j2", f"controls/{control.id}.md", **_control_context(
            control, findings))


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=88)


def _control_context(control: Control, findings: list[Finding]) -> dict[str, Any]:
    spec = control.spec
    examples = None
    if spec.examples:
        def docs(items: list[dict[str, Any]]) -> Raw:
            full = [{"apiVersion": "airready/v1", **doc} for doc in items]
            return fence(yaml.safe_dump_all(full, sort_keys=False, width=88), "yaml")
        examples = {"passing": docs(spec.examples.passing), "failing": docs(spec.examples.failing)}
    check = {"applies_to": spec.applies_to.model_dump(exclude_none=True), "check": spec.check}
    failing = [f for f in findings if f.state in ("fail", "error", "waived")]
    passing = [f.target for f in findings if f.state == "pass"]
    return {
        "control": control, "spec": spec, "level": control_level(control),
        "overridden": control.overridden.get("severity", (None,))[0],
        "check_yaml": fence(_dump(check), "yaml"),
        "example_yaml": fence(spec.remediation.example or "", "yaml"),
        "references": control.reference_lines(),
        "failing": failing[:TABLE_ROWS],
        "more_failing": max(0, len(failing) - TABLE_ROWS),
        "passing": passing[:TABLE_ROWS],
        "passing_count": len(passing),
        "examples": examples,
    }


def _organization_page(render: Any, result: AuditResult, card: Scorecard) -> tuple[str, str]:
    inventory = result.inventory
    org = inventory.organization
    vendors = []
    for vendor in sorted(inventory.of_kind("Vendor"), key=lambda v: v.ref):
        if vendor.metadata.external or vendor.spec is None:
            continue
        contact = vendor.spec.security_contact
        reach = ", ".join(x for x in ((contact.email, contact.phone, contact.url)
                                      if contact else ()) if x)
        vendors.append({"ref": vendor.ref, "contact": reach,
                        "verified": contact.verified.isoformat() if contact and contact.verified
                        else None,
                        "reporting": vendor.spec.incident_reporting,
                        "sla": vendor.spec.notification_sla})
    exercises = sorted(org.spec.tabletop_exercises, key=lambda x: x.date,
                       reverse=True) if org else []
    return render("organization.md.j2", "organization.md", org=org, vendors=vendors,
                  exercises=exercises,
                  playbooks=sorted(inventory.of_kind("Playbook"), key=lambda p: p.ref),
                  person=lambda ref: _person(inventory, ref), yesno=_yesno,
                  gaps=card.organization_findings[:TABLE_ROWS],
                  more_gaps=max(0, len(card.organization_findings) - TABLE_ROWS))


def _coverage_page(render: Any, result: AuditResult, directory_urls: bool
                   ) -> tuple[str, str]:
    """Each checklist item and what covers it (the same as ``airready coverage``)."""
    coverage = build_coverage(result.catalog)
    path = "coverage.md"

    def covered_by(item: Any) -> Raw:
        parts = []
        for cover in item.covered_by:
            if cover.type == "control":
                parts.append(html_page_link(cover.id, path, f"controls/{cover.id}.md",
                                            directory_urls, cover.title))
            elif cover.type == "page":
                parts.append(html_page_link(cover.title, path, PAGES[cover.id][0],
                                            directory_urls))
            else:
                parts.append(h(f"airready {cover.id.replace('.', ': ').replace('_', ' ')}"))
        return joined(parts) if parts else Raw("nothing")

    phases = []
    for phase, title in PHASE_TITLES.items():
        rows = [{"section": i.section, "text": i.text, "status": i.status,
                 "covers": covered_by(i),
                 "gap": "; ".join(x for x in [i.missing if i.status != "covered" else None,
                                              *i.notes] if x)}
                for i in coverage.items if i.phase == phase]
        phases.append({"title": title, "rows": rows})
    return render("coverage.md.j2", path, phases=phases, counts=coverage.counts(),
                  total=len(coverage.items))


def tabletop_page(scenario: str) -> str:
    """``tabletop/scenario-data-poisoning.md``: prefixed, as a link may not begin with
    ``data``, which sanitisers read as a data: URL."""
    return f"tabletop/scenario-{scenario.replace('_', '-')}.md"


def _tabletop_pages(render: Any, graph: nx.DiGraph, result: AuditResult
                    ) -> Iterator[tuple[str, str]]:
    """One exercise per scenario, and an index of them."""
    inventory = result.inventory
    rows, failed, reason = [], [], ""
    for scenario in PLANS:
        try:
            pack = build_tabletop(graph, inventory, scenario, result.today)
        except TabletopError as exc:
            failed.append(scenario)
            reason = str(exc)
            continue
        rows.append({"page": tabletop_page(scenario), "title": pack.title, "model": pack.model,
                     "origin": pack.origin, "severity": pack.severity,
                     "gaps": len(pack.gaps)})
        yield render("tabletop.md.j2", tabletop_page(scenario), pack=pack,
                     lines=_lines, due=lambda c: clock_text(c.due),
                     record=fence(pack.record, "yaml"))
    yield render("tabletop-index.md.j2", "tabletop/index.md", rows=rows, failed=failed,
                 reason=reason)


def _lines(mark: str, values: list[str]) -> Raw:
    """Lines of a paragraph, each after ``mark`` (a tick box, a cross, or nothing)."""
    prefix = f"{mark} " if mark else ""
    return Raw("<br>\n".join(f"{prefix}{h(v)}" for v in values))
