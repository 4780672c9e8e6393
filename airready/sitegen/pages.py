"""Render every page of the auditor site as Markdown (path -> text), deterministically.

One jinja2 Environment with StrictUndefined; its ``finalize`` escapes every printed
value (escape.py), so inventory text cannot become markup by forgetting a filter.
No list stops without the rest on the site: a summary page shows the first rows and links
to pages that hold every one (a control's results, an owner's gaps), and the full results
ship beside the pages as findings.csv and scorecard.json (exports.py).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
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
from ..readiness.scorecard import ModelCard, Scorecard, control_level
from ..readiness.tabletop import TabletopError, build_tabletop
from ..report.blast import render_mermaid
from ..rules.catalog import Control
from ..rules.findings import AuditResult, Finding
from ..rules.freshness import stale_on
from . import charts, dashboard, entities, exports, records
from .escape import Raw, finalize, h, html_link, html_page_link, md, page_link, strong
from .layout import (
    DATA_PAGE,
    DETAIL_PAGE,
    LIST_PAGE,
    RUNBOOK_PAGE,
    TABLE_ROWS,
    is_day,
    is_score,
    paged,
)
from .provenance import Provenance
from .refs import CONFIDENTIAL, KIND_PAGES, Redactor, kind_page, page_of, slug
from .words import plural

MAX_DIAGRAM_NODES = 40
# Lines of a runbook step shown before the rest folds away (all stay on the page).
RUNBOOK_LINES = 20
# Lines a runbook step carries at most (and references in one listed line): a runbook
# page must not grow with the estate, or the site grows with its square. Real estates
# stay well under it; `airready runbook MODEL` lists everything.
RUNBOOK_KEEP = 100
_REF = re.compile(r"[a-z]+:[a-z0-9]([a-z0-9._-]*[a-z0-9])?")
# A list of them, ", " between: one scan instead of a match per reference (references
# hold neither commas nor spaces, so this is every item matching _REF).
_REFS = re.compile(rf"{_REF.pattern}(?:, {_REF.pattern})*")
LEVEL_WORDS = {"bronze": "Bronze", "silver": "Silver", "gold": "Gold", "unrated": "Unrated",
               None: "No level"}
STATE_WORDS = {"fail": "fails", "error": "error", "waived": "waived", "pass": "passes",
               "not_applicable": "not applicable"}
# Mermaid draws a diagram at its natural size (the page scrolls it sideways) instead of
# shrinking forty boxes until their labels cannot be read.
MERMAID_NATURAL = '%%{init: {"flowchart": {"useMaxWidth": false}}}%%'
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


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
                       items=items, facts=facts, lines=lines, badge=badge, sev=sev, nb=nb,
                       level_word=level_word, plural=plural)
    return env


# HTML blocks for tables and lists (see escape.py for why not Markdown). Every cell goes
# through h(), so only values airready built itself (Raw) carry markup.  Cells are set
# apart by a space so that search indexes "a b", not "ab".

def thead(*cells: Any) -> Raw:
    return Raw("<thead><tr>" + " ".join(f"<th>{h(c)}</th>" for c in cells) + "</tr></thead>")


def tr(*cells: Any, anchor: str | None = None) -> Raw:
    opening = f'<tr id="{h(anchor)}">' if anchor else "<tr>"
    return Raw(opening + " ".join(f"<td>{h(c)}</td>" for c in cells) + "</tr>")


def cat(*parts: Any) -> Raw:
    """Text and markup side by side in one cell (jinja's ``~`` would lose the Raw)."""
    return Raw("".join(h(p, strip=False) for p in parts))


def facts(rows: Sequence[tuple[str, Any]]) -> Raw:
    """``label: value`` lines (for a paragraph)."""
    return Raw("<br>\n".join(f"{h(label)}: {h(value)}" for label, value in rows))


def lines(mark: str, values: Sequence[Any], shown: int | None = None,
          lead: Any = None) -> Raw:
    """A paragraph of lines, each after ``mark`` (and ``lead`` first); past ``shown``
    lines the rest fold into a details block on the same page: nothing is cut."""
    prefix = f"{mark} " if mark else ""
    texts = [f"{prefix}{h(v)}" for v in values]
    head = [h(lead)] if lead is not None else []
    if shown is None or len(texts) <= shown:
        return Raw("<p>" + "<br>\n".join(head + texts) + "</p>")
    rest = texts[shown:]
    return Raw("<p>" + "<br>\n".join(head + texts[:shown]) + "</p>\n"
               f'<details class="ar-more"><summary>and {len(rest)} more</summary>\n<p>'
               + "<br>\n".join(rest) + "</p>\n</details>")


def joined(parts: Any, separator: str = ", ") -> Raw:
    return Raw(separator.join(h(p) for p in parts))


def items(values: Any) -> Raw:
    """A bulleted list."""
    return Raw("<ul>\n" + "".join(f"<li>{h(v)}</li>\n" for v in values) + "</ul>")


def level_word(level: str | None) -> str:
    """One spelling of a level everywhere: Bronze, Silver, Gold, Unrated, No level."""
    return LEVEL_WORDS.get(level, str(level))


def badge(level: str | None) -> Raw:
    css = level if level in ("bronze", "silver", "gold", "unrated") else "none"
    return Raw(f'<span class="ar-badge ar-{css}">{level_word(level)}</span>')


def sev(severity: str) -> Raw:
    css = severity if severity in ("critical", "high", "medium", "low") else "low"
    return Raw(f'<span class="ar-badge ar-{css}">{h(severity)}</span>')


def nb(value: Any) -> Raw:
    """A short value (a date, a count) that must not break across lines."""
    return Raw(f'<span class="ar-nowrap">{h(value)}</span>')


@dataclass
class SiteInput:
    result: AuditResult
    card: Scorecard
    history: list[dict[str, Any]]
    # mkdocs.yml's use_directory_urls: where the links in HTML blocks must point.
    directory_urls: bool = False
    provenance: Provenance | None = None
    # This run as a history entry (readiness.history.record), to compare with the last one.
    current: dict[str, Any] | None = None
    fail_on: str = "high"


@dataclass
class Site:
    """What every page's context shares: the audit, the scorecard and how to link."""

    site: SiteInput
    redactor: Redactor
    graph: nx.DiGraph
    owners: dict[str, str]  # entity ref -> owner ref
    by_target: dict[str, list[Finding]]
    by_control: dict[str, list[Finding]]

    @property
    def result(self) -> AuditResult:
        return self.site.result

    @property
    def inventory(self) -> Inventory:
        return self.site.result.inventory

    def owner_of(self, ref: str) -> str | None:
        return self.owners.get(ref)


def _owner_map(inventory: Inventory) -> dict[str, str]:
    found: dict[str, str] = {}
    for ref, entity in inventory.entities.items():
        if entity.metadata.owner:
            found[ref] = entity.metadata.owner
    return found


Render = Callable[..., tuple[str, str]]


def render_pages(site: SiteInput, on_page: Callable[[str], None] | None = None
                 ) -> Iterator[tuple[str, str]]:
    """Yield (path inside docs/, content) for every page and export, in a stable order."""
    env = _environment()
    result, card = site.result, site.card
    inventory = result.inventory
    redactor = Redactor(inventory, result.catalog)
    by_target: dict[str, list[Finding]] = {}
    by_control: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_target.setdefault(finding.target, []).append(finding)
        by_control.setdefault(finding.control, []).append(finding)
    shared = Site(site, redactor, build_graph(inventory), _owner_map(inventory), by_target,
                  by_control)
    titles = {c.id: c.spec.title for c in result.catalog.controls.values()}
    ready = sum(c.ready for c in card.models)
    live = [c for c in card.models if c.live]
    today = result.today.isoformat()
    base = {"today": today, "card": card, "ready": ready, "live": live,
            "titles": titles, "fail_on": site.fail_on, "CONFIDENTIAL": CONFIDENTIAL}
    provenance = site.provenance

    def render(template: str, path: str, front: dict[str, Any] | None = None,
               **context: Any) -> tuple[str, str]:
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

        def ref(value: str | None, text: Any = None) -> Raw:
            """A reference as a link to the page that shows it (plain text if none does)."""
            if not value:
                return h(text or "")
            entity = inventory.get(value)
            target = page_of(value, entity.kind if entity is not None else None)
            return a(text or value, target) if target else h(text or value)

        def refs(values: Iterable[str]) -> Raw:
            return joined(ref(v) for v in values)

        def titled(value: str) -> Raw:
            """A reference and, on a line of its own, its title (or "confidential")."""
            title = redactor.title(value)
            return cat(ref(value), Raw("<br> "), title) if title else ref(value)

        def owner(value: str | None) -> Raw:
            return ref(value) if value else Raw("no owner")

        def where(finding: Finding) -> Raw:
            text = f"{finding.file}:{finding.line}"
            url = provenance.source_url(finding.file, finding.line) if provenance else None
            return html_link(text, url) if url else h(text)

        def state(finding: Finding) -> Raw:
            """The severity badge, and whether the result is waived (linked to its waiver)
            or could not be evaluated."""
            parts = [sev(finding.severity)]
            if finding.state == "waived" and finding.waiver:
                parts += [Raw(" "), a("waived", f"waivers.md#{slug(finding.waiver['ref'])}",
                                      f"until {finding.waiver['expires']}")]
            elif finding.state == "error":
                parts.append(Raw(" error"))
            elif finding.state == "pass":
                parts.append(Raw(" passes"))
            return cat(*parts)

        def pager(pages_: list[str], current: int) -> Raw:
            """``Pages: 1 2 3`` linking the pages of one list (``current`` is 0-based)."""
            if len(pages_) < 2:
                return Raw("")
            parts = [strong(str(i + 1)) if i == current else a(str(i + 1), p)
                     for i, p in enumerate(pages_)]
            return Raw("<p>Pages: " + " ".join(parts) + "</p>")

        text = env.get_template(template).render(
            **base, depth=depth, control_link=control_link, control_links=control_links,
            page_link=local_link, a=a, ref=ref, refs=refs, titled=titled, owner=owner,
            where=where, state=state, msg=redactor.message, pager=pager,
            hides=redactor.hides, owners_of=shared.owner_of, **context)
        if on_page:
            on_page(path)
        return path, _front(today, front) + _tidy(text)

    yield dashboard.dashboard_page(render, shared)
    yield dashboard.history_page(render, shared)
    yield dashboard.evidence_page(render, shared)
    yield render("models.md.j2", "models/index.md", DATA_PAGE,
                 others=[c for c in card.models if not c.live])
    yield from _model_pages(render, shared)
    yield from _control_pages(render, shared)
    yield render("frameworks.md.j2", "frameworks.md", DATA_PAGE)
    yield _organization_page(render, shared)
    yield from entities.owner_pages(render, shared)
    yield from entities.kind_pages(render, shared)
    yield from records.incident_pages(render, shared)
    yield records.waivers_page(render, shared)
    yield records.risk_page(render, shared)
    yield render("scoring.md.j2", "scoring.md", scoring=_scoring_bullets())
    yield _coverage_page(render, shared)
    yield from _tabletop_pages(render, shared)
    yield from exports.exports(shared)


@functools.lru_cache(maxsize=64)
def _front_text(today: str, front: str) -> str:
    return "---\n" + yaml.safe_dump({"airready_today": today, **json.loads(front)},
                                    sort_keys=False, default_flow_style=False) + "---\n"


def _shorten(item: str) -> str:
    """A long list of references ("systems it can act on: a, b, ...") cut short."""
    head, sep, rest = item.partition(": ")
    refs = rest.split(", ")
    if not sep or len(refs) <= RUNBOOK_KEEP or not _REFS.fullmatch(rest):
        return item
    return f"{head}: {', '.join(refs[:RUNBOOK_KEEP])} and {len(refs) - RUNBOOK_KEEP} more"


def _bounded(step: Step) -> Step:
    """A step as a site page carries it: at most RUNBOOK_KEEP lines of each sort, with
    the count of those left out."""
    return Step(step.minutes, step.title,
                [_shorten(item) for item in step.items[:RUNBOOK_KEEP]],
                step.gaps[:RUNBOOK_KEEP],
                max(0, len(step.items) + step.more_items - RUNBOOK_KEEP),
                max(0, len(step.gaps) + step.more_gaps - RUNBOOK_KEEP))


def _front(today: str, front: dict[str, Any] | None) -> str:
    """The page's front matter (a handful of shapes: dumped once each)."""
    return _front_text(today, json.dumps(front or {}, sort_keys=True))


def _tidy(text: str) -> str:
    """Collapse the blank lines that template logic leaves behind."""
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _scoring_bullets() -> list[str]:
    """The scoring model as ``airready scorecard --explain`` prints it, one bullet each."""
    from ..readiness import scorecard

    text = (scorecard.__doc__ or "").split("* ", 1)[-1]
    return [" ".join(part.split()) for part in text.split("\n* ")]


# --- models and runbooks ------------------------------------------------------------------

# What a model is built from: walked backwards from the model along these edges only.
LINEAGE_EDGES = {(edge, FORWARD) for edge in ("trains", "derives", "fine_tunes", "supplies",
                                              "serves")}


def _diagram(radius: BlastRadius) -> Raw | None:
    """The nearest MAX_DIAGRAM_NODES entities (the walks below stop there) as Mermaid."""
    if not radius.reached:
        return None
    return fence(MERMAID_NATURAL + "\n" + render_mermaid(radius), "mermaid")


def _lineage(graph: nx.DiGraph, ref: str) -> Raw | None:
    nearest = walk_edges(graph, ref, LINEAGE_EDGES, reverse=True, limit=MAX_DIAGRAM_NODES)
    return _diagram(BlastRadius(ref, None, True, nearest, {}))


def _dated_controls(result: AuditResult) -> set[str]:
    """Controls that judge the age of a date (``within``): their passes carry a date."""
    return {c.id for c in result.catalog.controls.values() if "within" in str(c.spec.check)}


def _passing(shared: Site, model_ref: str, dated: set[str]) -> list[dict[str, Any]]:
    """The model's passing controls, with the date of the evidence and the last day it
    stays fresh for the controls that judge a date."""
    result, inventory = shared.result, shared.inventory
    hidden = shared.redactor.hides(model_ref)
    rows = []
    for finding in shared.by_target.get(model_ref, []):
        if finding.state != "pass":
            continue
        row: dict[str, Any] = {"control": finding.control, "dated": None, "until": None}
        if finding.control in dated and not hidden:
            control = result.catalog.get(finding.control)
            entity = inventory.get(model_ref)
            if control is not None and entity is not None:
                day = stale_on(control, entity, inventory, result.today)
                if day is not None:
                    row["until"] = day.fromordinal(day.toordinal() - 1).isoformat()
            found = _DATE.findall(str(finding.message).rpartition("(")[2])
            row["dated"] = found[0] if found else None
        rows.append(row)
    return rows


def _model_trend(history: list[dict[str, Any]], current: dict[str, Any] | None,
                 ref: str) -> Raw | None:
    entries = [*history, *([current] if current else [])]
    points = []
    for entry in entries[-12:]:
        score = ((entry.get("models") or {}).get(ref) or {}).get("score")
        day = entry.get("today")
        if is_day(day) and is_score(score):
            points.append((day, int(score)))
    chart = charts.trend(f"Readiness score of {ref}", points)
    return charts.figure(chart, "Score at each recorded audit", wide=True) if chart else None


def _model_pages(render: Render, shared: Site) -> Iterator[tuple[str, str]]:
    card, inventory, graph = shared.site.card, shared.inventory, shared.graph
    dated = _dated_controls(shared.result)
    for model_card in sorted(card.models, key=lambda c: c.ref):
        model = inventory.entities[model_card.ref]
        hidden = shared.redactor.hides(model.ref)
        yield _model_page(render, shared, model_card, hidden, dated)
        if hidden:
            yield render("runbook-confidential.md.j2", f"runbooks/{slug(model.ref)}.md",
                         RUNBOOK_PAGE, model_ref=model.ref)
            continue
        # The first RUNBOOK_KEEP lines of each step, all from the shared reach sets (a
        # walk per model would make the site grow with the square of the estate).
        book = build_runbook(graph, inventory, model.ref,
                             runbook_reach(graph, inventory, model.ref, RUNBOOK_KEEP))
        line = shared.redactor.line
        steps = [Step(s.minutes, s.title, [line(i) for i in s.items],
                      [line(g) for g in s.gaps], s.more_items, s.more_gaps)
                 for s in map(_bounded, book.steps)]
        yield render("runbook.md.j2", f"runbooks/{slug(model.ref)}.md", RUNBOOK_PAGE,
                     book=book, steps=steps, shown=RUNBOOK_LINES)


def _model_page(render: Render, shared: Site, model_card: ModelCard, hidden: bool,
                dated: set[str]) -> tuple[str, str]:
    inventory, graph = shared.inventory, shared.graph
    model = inventory.entities[model_card.ref]
    spec = model.spec
    # How many a walk reaches comes from the shared reach sets; the diagram needs paths
    # for the nearest few only.
    total = inventory_closures(inventory, "prompt_injection").count(model.ref)
    lineage = blast = None
    if not hidden:  # a diagram of a confidential model would show how it is built
        lineage = _lineage(graph, model.ref)
        blast = _diagram(BlastRadius(model.ref, "prompt_injection", False, walk(
            graph, model.ref, "prompt_injection", limit=MAX_DIAGRAM_NODES), {}))
    users = (f"{spec.users.count:,} {spec.users.audience or ''}".strip()
             if spec.users and spec.users.count is not None else "not recorded")
    return render(
        "model.md.j2", f"models/{slug(model.ref)}.md", DETAIL_PAGE, model=model, spec=spec,
        c=model_card, hidden=hidden, users=users,
        links=[("link", html_link(x.title, x.url)) for x in model.metadata.links],
        lineage=lineage, blast=blast, blast_total=total,
        blast_shown=min(total, MAX_DIAGRAM_NODES), blast_more=total > MAX_DIAGRAM_NODES,
        trend=_model_trend(shared.site.history, shared.site.current, model.ref),
        passing=_passing(shared, model.ref, dated))


# --- controls ---------------------------------------------------------------------------

RESULT_ORDER = {"error": 0, "fail": 1, "waived": 2, "pass": 3}


# A page of a control's full results lists PAGE_ROWS failing rows, or this many passing
# targets as links (a pass has nothing to read but its target).
PASSING_LINKS = 1000


def _result_chunks(failing: list[Finding], passing: list[Finding]
                   ) -> list[tuple[Sequence[Finding], Sequence[Finding]]]:
    """(failing rows, passing targets) of each page of a control's full results."""
    chunks: list[tuple[Sequence[Finding], Sequence[Finding]]] = []
    if failing:
        chunks += [(chunk, []) for chunk in paged(failing)]
    if passing:
        chunks += [([], chunk) for chunk in paged(passing, PASSING_LINKS)]
    return chunks


def _control_pages(render: Render, shared: Site) -> Iterator[tuple[str, str]]:
    result = shared.result
    rows = []
    for control in result.catalog.controls.values():
        findings = shared.by_control.get(control.id, [])
        rows.append({"id": control.id, "severity": control.severity,
                     "phase": control.spec.phase, "kind": control.kind,
                     "title": control.spec.title, "enabled": control.enabled,
                     "pass": sum(f.state == "pass" for f in findings),
                     "gaps": sum(f.is_gap for f in findings),
                     "waived": sum(f.state == "waived" for f in findings)})
    yield render("controls.md.j2", "controls/index.md", DATA_PAGE, rows=rows)
    for control in result.catalog.controls.values():
        findings = [f for f in shared.by_control.get(control.id, [])
                    if f.state != "not_applicable"]
        findings.sort(key=lambda f: (RESULT_ORDER.get(f.state, 9), f.target))
        failing = [f for f in findings if f.state != "pass"]
        passing = [f for f in findings if f.state == "pass"]
        full = len(failing) > TABLE_ROWS or len(passing) > TABLE_ROWS
        chunks = _result_chunks(failing, passing) if full else []
        pages_ = [f"controls/results/{control.id}-{i + 1}.md" for i in range(len(chunks))]
        yield render("control.md.j2", f"controls/{control.id}.md", DETAIL_PAGE,
                     **_control_context(control, failing, passing, pages_))
        first = 1
        for index, (rows_, passes) in enumerate(chunks):
            yield render("control-results.md.j2", pages_[index], LIST_PAGE, control=control,
                         findings=rows_, passes=[f.target for f in passes], pages=pages_,
                         index=index, total=len(findings), failing_total=len(failing),
                         first=first)
            first += len(rows_) + len(passes)


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=88)


def _control_context(control: Control, failing: list[Finding], passing: list[Finding],
                     pages_: list[str]) -> dict[str, Any]:
    spec = control.spec
    examples = None
    if spec.examples:
        def docs(items: list[dict[str, Any]]) -> Raw:
            full = [{"apiVersion": "airready/v1", **doc} for doc in items]
            return fence(yaml.safe_dump_all(full, sort_keys=False, width=88), "yaml")
        examples = {"passing": docs(spec.examples.passing), "failing": docs(spec.examples.failing)}
    check = {"applies_to": spec.applies_to.model_dump(exclude_none=True), "check": spec.check}
    return {
        "control": control, "spec": spec, "level": control_level(control),
        "overridden": control.overridden.get("severity", (None,))[0],
        "check_yaml": fence(_dump(check), "yaml"),
        "example_yaml": fence(spec.remediation.example or "", "yaml"),
        "references": control.reference_lines(),
        "failing": failing[:TABLE_ROWS], "failing_count": len(failing),
        "passing": [f.target for f in passing[:TABLE_ROWS]], "passing_count": len(passing),
        "pages": pages_,
        "examples": examples,
    }


# --- organisation, coverage, tabletop ------------------------------------------------------

def _contact(inventory: Inventory, ref: str | None, redactor: Redactor) -> str:
    """`` (email, phone)`` of a person, or nothing."""
    entity = inventory.get(ref) if ref else None
    if entity is None or entity.spec is None:
        return ""
    if redactor.hides(ref):
        return f" ({CONFIDENTIAL})"
    contact = ", ".join(x for x in (entity.spec.email, entity.spec.phone) if x)
    return f" ({contact})" if contact else ""


def _yesno(value: bool | None) -> str:
    return {True: "yes", False: "no"}.get(value, "not set") if value is not None else "not set"


def _organization_page(render: Render, shared: Site) -> tuple[str, str]:
    from ..readiness.priorities import ranked_gaps

    inventory, card = shared.inventory, shared.site.card
    org = inventory.organization
    vendors = []
    for vendor in sorted(inventory.of_kind("Vendor"), key=lambda v: v.ref):
        if vendor.metadata.external or vendor.spec is None:
            continue
        if shared.redactor.hides(vendor.ref):
            vendors.append({"ref": vendor.ref, "contact": CONFIDENTIAL, "verified": None,
                            "reporting": CONFIDENTIAL, "sla": CONFIDENTIAL})
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
    gaps = ranked_gaps(shared.result, [f for f in card.organization_findings if f.is_gap])
    kinds: dict[str, int] = {}
    for item in gaps:
        entity = inventory.get(item.finding.target)
        kind = entity.kind if entity is not None else "other"
        kinds[kind] = kinds.get(kind, 0) + 1
    return render("organization.md.j2", "organization.md", DATA_PAGE, org=org, vendors=vendors,
                  exercises=exercises,
                  playbooks=sorted(inventory.of_kind("Playbook"), key=lambda p: p.ref),
                  contact=lambda ref: _contact(inventory, ref, shared.redactor), yesno=_yesno,
                  gaps=[r.finding for r in gaps[:TABLE_ROWS]],
                  more_gaps=max(0, len(gaps) - TABLE_ROWS),
                  gap_kinds=[(kind, count, _kind_list(kind))
                             for kind, count in sorted(kinds.items())],
                  org_findings=[f for f in shared.by_target.get(org.ref, [])
                                if f.is_gap or f.state == "waived"] if org else [])


def _kind_list(kind: str) -> str:
    """The page that lists the entities of ``kind``."""
    if kind in KIND_PAGES:
        return kind_page(kind)
    return {"Organization": "organization.md", "Person": "owners/index.md",
            "Team": "owners/index.md", "Incident": "incidents/index.md",
            "Risk": "risk-register.md", "Model": "models/index.md"}.get(kind,
                                                                         "inventory/index.md")


def _coverage_page(render: Render, shared: Site) -> tuple[str, str]:
    """Each checklist item and what covers it (the same as ``airready coverage``)."""
    coverage = build_coverage(shared.result.catalog)
    path = "coverage.md"
    directory_urls = shared.site.directory_urls

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
    return render("coverage.md.j2", path, DATA_PAGE, phases=phases, counts=coverage.counts(),
                  total=len(coverage.items))


def tabletop_page(scenario: str) -> str:
    """``tabletop/scenario-data-poisoning.md``: prefixed, as a link may not begin with
    ``data``, which sanitisers read as a data: URL."""
    return f"tabletop/scenario-{scenario.replace('_', '-')}.md"


def _tabletop_pages(render: Render, shared: Site) -> Iterator[tuple[str, str]]:
    """One exercise per scenario, and an index of them.  An exercise built around a
    confidential model is named, not printed: its injects quote the model's spec."""
    inventory, result = shared.inventory, shared.result
    rows, failed, reason = [], [], ""
    for scenario in PLANS:
        try:
            pack = build_tabletop(shared.graph, inventory, scenario, result.today)
        except TabletopError as exc:
            failed.append(scenario)
            reason = str(exc)
            continue
        # The pack quotes the model's spec and the contacts of whom it calls.
        hidden = shared.redactor.hides(pack.model) or shared.redactor.leaks(repr(pack))
        rows.append({"page": tabletop_page(scenario), "title": pack.title, "model": pack.model,
                     "origin": pack.origin, "severity": pack.severity,
                     "gaps": CONFIDENTIAL if hidden else len(pack.gaps)})
        yield render("tabletop.md.j2", tabletop_page(scenario), None, pack=pack, hidden=hidden,
                     scenario=scenario, due=lambda c: clock_text(c.due),
                     record=fence(pack.record, "yaml"))
    yield render("tabletop-index.md.j2", "tabletop/index.md", DATA_PAGE, rows=rows,
                 failed=failed, reason=reason)

