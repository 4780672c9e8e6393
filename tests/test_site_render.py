"""The auditor site's Markdown: every page, byte-identical rebuilds, inventory text that
stays text, and pages that do not grow with the estate.  No browser: the HTML checks
convert the Markdown with the extensions site/mkdocs.yml lists, as MkDocs does.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import markdown
import pytest
import yaml
from sitekit import (
    HOSTILE,
    HOSTILE_BLOCK,
    MERMAID_JS,
    PAYLOADS,
    REPO,
    TODAY,
    add_probe,
    build,
    build_some_html,
    copy_example,
    docs,
    html_blocks,
    html_tables,
    make_hostile,
    markdown_to_html,
    pages,
    parse_html,
    split_fences,
    synth,
    table_after,
    visible_text,
    without_html_blocks,
)

from airready.inventory.kinds import SCENARIOS
from airready.sitegen import build as sitebuild
from airready.sitegen import charts, escape
from airready.sitegen.dashboard import _trend_points
from airready.sitegen.escape import Raw, link, md, page_link
from airready.sitegen.pages import RUNBOOK_LINES, fence, lines, tabletop_page

MARKUP_IN_TEXT = escape._SPECIAL  # what md() must neutralise


def _example_models() -> list[str]:
    names = []
    for path in sorted((REPO / "inventory").rglob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc and doc.get("kind") == "Model" and not doc["metadata"].get("external"):
                names.append(doc["metadata"]["name"])
    return names


def _example_controls() -> list[str]:
    """The built-in catalog's controls and the example project's own (controls/)."""
    ids = []
    for path in sorted([*(REPO / "airready" / "catalog").glob("*.yaml"),
                        *(REPO / "controls").rglob("*.yaml")]):
        ids += [doc["id"] for doc in yaml.safe_load_all(path.read_text(encoding="utf-8"))
                if doc]
    return ids


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    project = copy_example(tmp_path_factory.mktemp("example"))
    build(project)
    return pages(project)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    project = make_hostile(tmp_path_factory.mktemp("hostile"))
    build(project)
    return pages(project)


# --- every page ----------------------------------------------------------------------

def _example_refs(kind: str) -> list[str]:
    refs = []
    for folder in ("inventory", "reports"):
        for path in sorted((REPO / folder).rglob("*.yaml")):
            for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
                if doc and doc.get("kind") == kind:
                    refs.append(f"{kind.lower()}:{doc['metadata']['name']}")
    return refs


def test_every_page_is_written(example: dict[str, str]) -> None:
    models = _example_models()
    controls = _example_controls()
    assert models and controls
    owners = [*_example_refs("Person"), *_example_refs("Team")]
    incidents = _example_refs("Incident")
    expected = {"index.md", "history.md", "evidence.md", "models/index.md",
                "controls/index.md", "frameworks.md", "organization.md", "incidents/index.md",
                "risk-register.md", "waivers.md", "scoring.md", "owners/index.md",
                "inventory/index.md", "coverage.md", "tabletop/index.md",
                *(f"inventory/all-{kind}.md" for kind in (
                    "datasets", "components", "tools", "datastores", "credentials",
                    "environments", "vendors", "playbooks")),
                *(tabletop_page(scenario) for scenario in SCENARIOS),
                *(f"models/model-{name}.md" for name in models),
                *(f"runbooks/model-{name}.md" for name in models),
                *(f"owners/{ref.replace(':', '-')}.md" for ref in owners),
                *(f"incidents/{ref.replace(':', '-')}.md" for ref in incidents),
                *(f"controls/{control}.md" for control in controls)}
    assert owners and incidents
    assert set(example) - {"owners/no-owner.md"} == expected


def _front(page: str) -> dict:
    head, _, _ = page.removeprefix("---\n").partition("\n---\n")
    return yaml.safe_load(head)


def test_a_team_with_sub_teams_shows_what_it_answers_for(example: dict[str, str]) -> None:
    """team:data-and-ai owns nothing itself; its page gives the live models of the teams
    below it as the scorecard's owner_rollup counts them, and links the unready ones."""
    page = example["owners/team-data-and-ai.md"]
    section = page.split("\n## With its sub-teams\n", 1)[1].split("\n## ", 1)[0]
    text = html.unescape(re.sub(r"<[^>]+>", "", section))
    assert ("team:data-and-ai and the teams below it (team:applied-ml, team:data-science, "
            "team:ml-platform) answer for 13 live models: 6 ready for their reach") in text
    not_ready = re.findall(r'href="../models/(model-[a-z0-9-]+)\.html"', section)
    assert len(not_ready) == 13 - 6 and "model-fraud-scorer" in not_ready
    # A team without sub-teams has its own rows already, and no such section.
    assert "## With its sub-teams" not in example["owners/team-applied-ml.md"]


def test_an_owner_page_judges_only_live_models(example: dict[str, str]) -> None:
    """The out-of-scope experiment scores 100 on what applied to it, but nobody judged it:
    its owner's table gives no score, required level or readiness, as the models page."""
    page = example["owners/team-data-science.md"]
    rows = {visible_text(row[0]).split()[0]: [visible_text(cell) for cell in row[1:]]
            for row in table_after(page, "Models")[1:]}
    assert rows["model:voice-transcriber"] == ["out of scope", "No level", "-", "-", "-"]
    assert rows["model:fraud-scorer"] == ["live", "No level", "81", "Gold", "no"]


def test_a_model_page_has_every_part(example: dict[str, str]) -> None:
    page = example["models/model-support-assistant.md"]
    assert str(_front(page)["airready_today"]) == TODAY
    assert "\n---\n# model:support-assistant\n" in page
    for heading in ("## Gaps", "## Lineage", "## Blast radius", "## Passing controls"):
        assert f"\n{heading}\n" in page
    facts = page.split("\n<p>level: ", 1)[1].split("</p>", 1)[0].split("<br>\n")
    assert 'owner: <a href="../owners/team-applied-ml.html">team:applied-ml</a>' in facts
    assert ('runbook: <a href="../runbooks/model-support-assistant.html">first-hour runbook'
            '</a>') in facts
    passing = page.split("\n## Passing controls\n", 1)[1]
    # A control that judges a date shows the evidence's date and its last fresh day.
    assert ">AIR-BASE-001</a> (evidence of 2026-08-28, fresh until 2027-02-24)" in passing
    assert re.search(r'<p>\d+ pass: <a href="../controls/AIR-[A-Z]+-\d{3}.html" title="[^"]+">',
                     passing)
    fences = split_fences(page).fences
    assert [f.lang for f in fences] == ["mermaid", "mermaid"]  # lineage, blast radius
    assert fences[1].lines[0].startswith("%%{init:")  # drawn at its natural size
    assert fences[1].lines[1] == "flowchart LR"
    assert any("acts_through" in line for line in fences[1].lines)
    assert "\nNo failing controls.\n" in page


def test_model_gaps_link_their_control_and_waiver(example: dict[str, str]) -> None:
    rows = table_after(example["models/model-claims-triage.md"], "Gaps")
    assert rows[0] == ["severity", "control", "where", "what was found"]
    critical = rows[1]
    assert re.fullmatch(r'<a href="../controls/AIR-[A-Z]+-\d{3}.html" title="[^"]+">'
                        r'AIR-[A-Z]+-\d{3}</a>', critical[1]), critical
    assert critical[2].startswith("inventory/models/claims.yaml:")
    waived = table_after(example["models/model-fraud-scorer.md"], "Gaps")
    links = [re.search(r'href="([^"]+)"', row[0]) for row in waived[1:] if "waived" in row[0]]
    assert links and all(m and m.group(1).startswith("../waivers.html#waiver-") for m in links)


def test_a_control_page_has_every_part(example: dict[str, str]) -> None:
    page = example["controls/AIR-DOC-001.md"]
    for heading in ("## Why it matters", "## What it checks", "## How to fix it",
                    "## References", "## Results", "## Examples"):
        assert f"\n{heading}\n" in page
    assert "<li>ISO/IEC 42001:2023: A.6.2.7</li>" in page
    fences = split_fences(page)
    assert not fences.unclosed
    assert [f.lang for f in fences.fences] == ["yaml"] * 4  # check, fix, pass, fail
    passing, failing = (yaml.safe_load_all("\n".join(f.lines)) for f in fences.fences[2:])
    assert next(passing)["spec"]["architecture"]["data_flow"]
    assert "data_flow" not in next(failing)["spec"]["architecture"]


def test_index_pages_link_every_model_and_control(example: dict[str, str]) -> None:
    models = example["models/index.md"]
    for name in _example_models():
        assert f'<a href="model-{name}.html">model:{name}</a>' in models
    controls = example["controls/index.md"]
    for control in _example_controls():
        assert f'<a href="{control}.html">{control}</a>' in controls
    frameworks = example["frameworks.md"]
    for title in ("NIST AI RMF", "ISO/IEC 42001", "OWASP", "MITRE ATLAS", "EU AI Act"):
        assert f"## {title}" in frameworks


def test_runbook_page_names_people_and_links_back(example: dict[str, str]) -> None:
    page = example["runbooks/model-support-assistant.md"]
    assert "[the model](../models/model-support-assistant.md)" in page
    assert page.count("\n## Minute ") == 6
    assert "incident commander: person:" in page


def test_links_between_pages_resolve(tmp_path: Path) -> None:
    """Markdown links name pages (.md); links in HTML blocks name the built file (.html);
    an anchor names an element that the page it points into has."""
    project = copy_example(tmp_path / "project")
    build(project)
    files = {p: d.decode("utf-8", "replace") for p, d in docs(project).items()}
    count = anchors = 0
    for path, text in files.items():
        if not path.endswith(".md"):
            continue
        markdown_targets = re.findall(r"\]\(([^)\s]+)\)", without_html_blocks(text))
        html_targets = [html.unescape(t).replace(".html", ".md") for block in html_blocks(text)
                        for t in re.findall(r'href="([^"]*)"', block)]
        for target in [*markdown_targets, *html_targets]:
            if target.startswith("https://"):
                continue
            count += 1
            resolved = os.path.normpath(os.path.join(os.path.dirname(path), target))
            page, _, anchor = resolved.partition("#")
            assert page in files, f"{path}: dead link {target}"
            if anchor:
                anchors += 1
                assert f'id="{anchor}"' in files[page], f"{path}: no #{anchor} in {page}"
    assert count > 500 and anchors > 20


# --- deterministic --------------------------------------------------------------------

def _build_elsewhere(project: Path, seed: str) -> subprocess.Popen[bytes]:
    path = os.pathsep.join(x for x in (str(REPO), os.environ.get("PYTHONPATH")) if x)
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": path}  # this checkout
    env.pop("AIRREADY_TODAY", None)
    return subprocess.Popen(
        [sys.executable, "-m", "airready", "site", "build", "--project", str(project),
         "--today", TODAY, "--markdown-only"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_same_inputs_build_byte_identical_markdown(tmp_path: Path,
                                                   example: dict[str, str]) -> None:
    """Two processes with different hash seeds, in two folders: the same bytes."""
    first = copy_example(tmp_path / "one" / "project")
    second = copy_example(tmp_path / "two" / "elsewhere")
    runs = [_build_elsewhere(first, "1"), _build_elsewhere(second, "2")]
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err.decode()
    one, two = docs(first), docs(second)
    assert one.keys() == two.keys()
    different = [path for path in one if one[path] != two[path]]
    assert not different
    # and the same as this process built (another hash seed again)
    assert {p: t.decode() for p, t in one.items() if p.endswith(".md")} == example


def test_rebuild_changes_nothing(tmp_path: Path) -> None:
    project = copy_example(tmp_path / "project")
    build(project, mermaid=MERMAID_JS if MERMAID_JS.is_file() else None)
    before = {p: (project / "site" / "docs" / p).stat().st_mtime_ns for p in docs(project)}
    stale = project / "site" / "docs" / "models" / "model-removed.md"
    stale.write_text("# gone\n", encoding="utf-8")
    build(project, mermaid=MERMAID_JS if MERMAID_JS.is_file() else None)
    after = {p: (project / "site" / "docs" / p).stat().st_mtime_ns for p in docs(project)}
    assert after == before  # nothing rewritten, the stale page removed


# --- hostile inventory text -----------------------------------------------------------

MERMAID_LINE = re.compile(
    r'(flowchart LR|xychart-beta'
    r'|  n\d+\["[a-z]+:[a-z0-9._-]+"\]'
    r'|  n0\(\["[a-z]+:[a-z0-9._-]+"\]\)'
    r'|  n\d+ -->\|[a-z_]+\| n\d+'
    r'|  title "Organisation readiness score"|  x-axis \[[\d", -]*\]'
    r'|  y-axis "score" 0 --> 100|  line \[[\d, ]*\]'
    r'|%%\{init: \{"flowchart": \{"useMaxWidth": false\}\}\}%%)')
LINK_TARGET = re.compile(r"(?<!\\)\]\(([^)]*)\)")
SAFE_TARGET = re.compile(r"(\.\./)*[A-Za-z0-9./_-]+\.md(#[a-z0-9_-]+)?|https?://[^\s<>\"'`()]+")


def _prose_and_fences(pages_: dict[str, str]) -> Iterator[tuple[str, list[str], list]]:
    for path, text in sorted(pages_.items()):
        parsed = split_fences(text)
        assert not parsed.unclosed, f"{path}: a fence never closes"
        yield path, parsed.prose, parsed.fences


BLOCK_TAGS = {"table", "thead", "tbody", "tr", "th", "td", "ul", "li", "a", "strong", "code", "p",
              "br", "span", "details", "summary", "h2", "div", "b"}
# The attributes airready's own markup carries, and the values they may take.
BLOCK_ATTRS = {"class": re.compile(r"ar-[a-z]+( ar-[a-z]+)*"),
               "id": re.compile(r"[a-z]+-[a-z0-9][a-z0-9.-]*"),
               "data-search-exclude": re.compile("")}


def test_hostile_text_opens_no_markup_in_markdown(hostile: dict[str, str]) -> None:
    for path, prose, fences in _prose_and_fences(hostile):
        body = without_html_blocks("\n".join(prose))
        assert "<" not in body and ">" not in body.replace("-->", ""), path
        assert "{:" not in body, path  # attribute lists (Mermaid only runs in fences)
        for target in LINK_TARGET.findall(body):
            assert SAFE_TARGET.fullmatch(target), f"{path}: link to {target!r}"
            assert "javascript" not in target.lower()
        for fence_ in fences:
            assert fence_.lang in ("mermaid", "yaml"), path
            if fence_.lang == "mermaid":
                for line in fence_.lines:
                    assert MERMAID_LINE.fullmatch(line), f"{path}: mermaid line {line!r}"


def test_hostile_text_opens_no_markup_in_html_blocks(hostile: dict[str, str]) -> None:
    """Tables and lists: only airready's own tags, links to pages or http(s), and the
    inventory's text as text (every < escaped, so no tag, comment or attribute opens)."""
    count = 0
    for path, text in sorted(hostile.items()):
        for block in html_blocks(text):
            count += 1
            block = re.sub(r"<svg .*?</svg>", "", block, flags=re.S)  # charts: tested apart
            parsed = parse_html(block)
            for tag, attrs in parsed.tags:
                assert tag in BLOCK_TAGS, f"{path}: <{tag}>"
                if tag == "a":
                    assert set(attrs) <= {"href", "title"}, attrs
                    assert SAFE_HREF.fullmatch(attrs["href"] or ""), f"{path}: {attrs}"
                    continue
                for name, value in attrs.items():
                    assert name in BLOCK_ATTRS, f"{path}: <{tag} {name}>"
                    assert BLOCK_ATTRS[name].fullmatch(value or ""), f"{path}: {attrs}"
            assert "<!--" not in block and "<script" not in block.lower(), path
            # balanced: every tag opened is closed, so a block cannot swallow the page
            opened = [t for t in re.findall(r"<(\w+)[ >]", block) if t != "br"]  # void
            assert sorted(opened) == sorted(re.findall(r"</(\w+)>", block)), path
    assert count > 100


SAFE_HREF = re.compile(r"(\.\./)*[A-Za-z0-9./_-]+\.(html|csv|json)(#[a-z0-9._-]+)?"
                       r"|https?://[^\s<>\"'`]+")


def test_hostile_text_keeps_tables_balanced(hostile: dict[str, str]) -> None:
    count = 0
    for path, text in sorted(hostile.items()):
        for table in html_tables(text):
            count += 1
            width = len(table[0])
            for row in table[1:]:
                assert len(row) == width, f"{path}: unbalanced row {row}"
    assert count > 100


ALLOWED_TAGS = {"h1", "h2", "h3", "p", "br", "a", "strong", "em", "code", "pre", "span", "div",
                "table", "thead", "tbody", "tr", "th", "td", "ul", "ol", "li", "details",
                "summary", "b"}
ALLOWED_ATTRS = {"href", "class", "id", "title", "style", "data-search-exclude"}


def test_hostile_text_renders_as_text_in_html(hostile: dict[str, str]) -> None:
    for path, text in sorted(hostile.items()):
        converted = re.sub(r"<svg .*?</svg>", "", markdown_to_html(text), flags=re.S)
        assert "<script" not in converted and "<img" not in converted, path
        assert "<!--" not in converted, path
        for tag, attrs in parse_html(converted).tags:
            assert tag in ALLOWED_TAGS, f"{path}: <{tag}>"
            assert set(attrs) <= ALLOWED_ATTRS, f"{path}: <{tag} {attrs}>"
            for name in ("href", "src"):
                value = attrs.get(name) or ""
                assert not value.strip().lower().startswith(("javascript", "data", "vbscript"))
            if tag == "td" or tag == "th":
                assert attrs.get("style") in (None, "text-align: right;"), attrs
            if tag == "div":
                assert attrs.get("class") in ("highlight", "language-mermaid") or (
                    BLOCK_ATTRS["class"].fullmatch(attrs.get("class") or "")), attrs


def test_hostile_strings_show_verbatim(hostile: dict[str, str]) -> None:
    folded_block = " ".join(HOSTILE_BLOCK.split())
    model = visible_text(markdown_to_html(hostile["models/model-hostile-probe.md"]))
    assert HOSTILE in model and folded_block in model
    for payload in PAYLOADS:
        assert payload in model
    organization = visible_text(markdown_to_html(hostile["organization.md"]))
    assert HOSTILE in organization and "| cell | split |" in organization
    runbook = visible_text(markdown_to_html(hostile["runbooks/model-hostile-probe.md"]))
    assert f"deployed version: {HOSTILE}" in runbook
    control = markdown_to_html(hostile["controls/EVIL-XSS-001.md"])
    assert HOSTILE in visible_text(control)
    # the remediation example, ``` and all, is one YAML block that shows it verbatim
    assert "````" in visible_text(control) and "A-->B[<b>x</b>]" in visible_text(control)
    risks = visible_text(markdown_to_html(hostile["risk-register.md"]))
    assert HOSTILE in risks


def test_hostile_model_links_only_to_http(hostile: dict[str, str]) -> None:
    page = hostile["models/model-hostile-probe.md"]
    facts = page.split("\n<p>level: ", 1)[1].split("</p>", 1)[0].split("<br>\n")
    links = [line for line in facts if line.startswith("link: ")]
    assert len(links) == 6
    targets = [t for cell in links for t in re.findall(r'href="([^"]*)"', cell)]
    assert targets == ["https://ok.example/a_%28b%29?q=1"]


# --- escape.py ------------------------------------------------------------------------

@pytest.mark.parametrize("text", [*PAYLOADS, HOSTILE, HOSTILE_BLOCK, "a_b*c*", "# heading",
                                  "!!! note", "[TOC]", "&lt;script&gt;", "\\`x`", "~~x~~"])
def test_md_renders_as_the_same_text(text: str) -> None:
    escaped = md(text)
    assert not set(escaped) & (set(MARKUP_IN_TEXT) - {"&", "#"})
    assert html.unescape(escaped) == " ".join(text.split())
    converted = markdown.markdown(escaped, extensions=["tables", "toc"])
    tags = parse_html(converted).tags
    assert [tag for tag, _ in tags] == ["p"]
    assert visible_text(converted) == " ".join(text.split())


def test_md_every_special_character_is_a_reference() -> None:
    for char in "\\`*_{}[]()<>#|!~&\"":
        assert md(char) == f"&#{ord(char)};"
    assert md("a\n\n  b\tc") == "a b c"
    assert md(None) == ""
    assert md(3) == "3"
    assert md(Raw("**kept**")) == "**kept**"
    assert escape.finalize(True) == "True" and escape.finalize(2.5) == "2.5"
    assert escape.finalize("<b>") == "&#60;b&#62;"


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JAVASCRIPT:alert(1)", " https://x.example", "data:text/html,x",
    "vbscript:x", "https://", "https:///path", "https://x.example/\"onload=x",
    "https://x.example/<script>", "https://x.example/a b", "https://x.example/'x'",
    "https://x.example/`x`", "//x.example", "ftp://x.example", "https://x.example/\n",
    "https://x.example/\nhttps://y.example",
])
def test_link_keeps_unsafe_urls_as_text(url: str) -> None:
    out = link("docs", url)
    assert isinstance(out, Raw)
    assert "](" not in out
    converted = markdown.markdown(out)
    assert [tag for tag, _ in parse_html(converted).tags] == ["p"]
    assert visible_text(converted) == f"docs ({' '.join(url.split())})"


def test_link_makes_http_links_with_quoted_targets() -> None:
    assert link("Runbook", "https://wiki.example/a") == "[Runbook](https://wiki.example/a)"
    assert link("[x](y)", "http://x.example/a_(b)?q=1&r=2#f") == (
        "[&#91;x&#93;&#40;y&#41;](http://x.example/a_%28b%29?q=1&r=2#f)")
    converted = markdown.markdown(link("<b>", "https://x.example/p?a=1"))
    (tag, attrs), = parse_html(converted).tags[1:]
    assert tag == "a" and attrs == {"href": "https://x.example/p?a=1"}
    assert visible_text(converted) == "<b>"
    assert link("same", "same") == "same"
    assert link("text", None) == "text"


def test_page_link_quotes_the_path() -> None:
    assert page_link("AIR-X-001", "../controls/AIR-X-001.md") == (
        "[AIR-X-001](../controls/AIR-X-001.md)")
    assert page_link("a_b", "x y).md") == "[a&#95;b](x%20y%29.md)"


@pytest.mark.parametrize("body", ["plain: yes", "a: ```", "a: |\n  ````\n  ```\n",
                                  "```\n<script>alert(1)</script>\n```", "``````"])
def test_fence_is_never_closed_early(body: str) -> None:
    block = fence(body, "yaml")
    parsed = split_fences(block)
    assert not parsed.unclosed and not parsed.prose
    (only,) = parsed.fences
    assert only.lang == "yaml" and "\n".join(only.lines) == body.rstrip()
    converted = markdown_to_html(block)
    tags = [tag for tag, _ in parse_html(converted).tags]
    assert "script" not in tags and tags.count("pre") == 1
    assert visible_text(converted) == " ".join(body.split())


# --- pages do not grow with the estate --------------------------------------------------

def _estate(root: Path, models: int) -> Path:
    project = synth(root, models)
    add_probe(project)
    build(project, mermaid=MERMAID_JS if MERMAID_JS.is_file() else None)
    return project


def _nav(page: str) -> str:
    """Material's tabs and primary navigation (every <nav> but the page's own contents)."""
    found = []
    for match in re.finditer(r'<nav class="md-(tabs|nav md-nav--primary)', page):
        depth, position = 0, match.start()
        for tag in re.finditer(r"<(/?)nav\b", page[position:]):
            depth += -1 if tag.group(1) else 1
            if depth == 0:
                found.append(page[position:position + tag.end()])
                break
    assert len(found) == 2
    return "\n".join(found)


HTML_PAGES = {"index.md", "models/index.md", "models/model-size-probe.md",
              "runbooks/model-size-probe.md"}


@pytest.fixture(scope="module")
def estates(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """20 and 200 models plus the probe, as Markdown; the HTML of 20 by a full build,
    of 200 by MkDocs writing only HTML_PAGES (a full build of 480 pages is too slow)."""
    small = _estate(tmp_path_factory.mktemp("estate20"), 20)
    sitebuild.run_mkdocs(small / "site" / "mkdocs.yml")
    large = _estate(tmp_path_factory.mktemp("estate200"), 200)
    build_some_html(large, HTML_PAGES)
    written = {p.relative_to(large / "site" / "public").as_posix()
               for p in (large / "site" / "public").rglob("*.html")}
    assert written == {p.replace(".md", ".html") for p in HTML_PAGES} | {"404.html"}
    return {20: small, 200: large}


def test_model_pages_do_not_grow_and_runbooks_leave_nothing_out(
        estates: dict[int, Path]) -> None:
    small, large = (pages(estates[count]) for count in (20, 200))
    probe = "models/model-size-probe.md"
    assert small[probe] == large[probe]

    def biggest(pages_: dict[str, str], folder: str) -> int:
        return max(len(t) for p, t in pages_.items()
                   if p.startswith(folder) and not p.endswith("index.md"))

    assert biggest(large, "models/") < 2 * biggest(small, "models/") + 4000
    # A runbook lists every item and gap of every step; past RUNBOOK_LINES the rest folds
    # into a details block on the same page.
    folded = 0
    for path, text in large.items():
        if not path.startswith("runbooks/"):
            continue
        shown = visible_text(markdown_to_html(text))
        for step in text.split("\n## Minute ")[1:]:
            folded += step.count('<details class="ar-more"><summary>and ')
        assert "airready runbook" not in shown, path  # nothing is left to the CLI
    assert folded  # the 200-model estate reaches far enough to need it


def test_runbook_pages_stop_at_a_bound_and_say_how_many_more(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past RUNBOOK_KEEP lines a step says how many more there are and where to find them,
    so that a runbook page does not grow with the estate (and the site with its square)."""
    from airready.sitegen import pages as site_pages

    monkeypatch.setattr(site_pages, "RUNBOOK_KEEP", 2)
    project = synth(tmp_path, 20)
    build(project)
    said = 0
    for page in (project / "site" / "docs" / "runbooks").glob("*.md"):
        text = page.read_text(encoding="utf-8")
        for step in text.split("\n## Minute ")[1:]:
            kept = step.split("<p>", 1)[-1].split("</p>", 1)[0].count("☐")
            more = re.search(r"☐ and (\d+) more not listed here: <code>airready runbook "
                             r"(model:[a-z0-9-]+)</code>", step)
            assert kept <= 2, page.name
            if more:
                said += 1
                assert more.group(2) == "model:" + page.stem.removeprefix("model-")
    assert said  # a 20-model estate reaches more than two things in some step


def test_runbook_lines_fold_without_cutting() -> None:
    items = [f"revoke credential:c{i}: by hand" for i in range(25)]
    block = lines("☐", items, RUNBOOK_LINES)
    text = visible_text(block)
    assert all(item in text for item in items)
    head, details = block.split("\n<details", 1)
    assert head.count("☐") == RUNBOOK_LINES and details.count("☐") == 5
    assert "<summary>and 5 more</summary>" in details
    assert "<details" not in lines("☐", items[:3], RUNBOOK_LINES)


def test_trend_keeps_labels_and_scores_together() -> None:
    history = [{"today": f"2026-0{i}-01", "organization": {"score": 60 + i}}
               for i in range(1, 4)]
    history += [{"today": '2026-05-01"] click', "organization": {"score": 1}},
                {"today": "2026-05-02", "organization": {"score": "70]\n  line [1"}},
                {"today": "2026-05-03", "organization": {"score": True}},
                {"today": "2026-05-04", "organization": {}}]
    points = _trend_points(history)
    assert points == [("2026-01-01", 61), ("2026-02-01", 62), ("2026-03-01", 63)]
    chart = charts.trend("score", points)
    assert chart is not None
    text = visible_text(chart)
    assert all(day in text for day, _ in points) and "61" in text and "63" in text
    assert charts.trend("score", points[:1]) is None


def test_charts_escape_what_they_print() -> None:
    chart = charts.bars("<b>&", [("<script>x</script>", [charts.Segment(3, "#000", "<i>")])])
    tags = {tag for tag, _ in parse_html(chart).tags}
    assert tags <= {"svg", "title", "text", "rect"}
    assert "<script>x</script>" in visible_text(chart)


def test_html_model_page_and_nav_do_not_grow(estates: dict[int, Path]) -> None:
    html_pages = {count: estates[count] / "site" / "public" for count in estates}
    probe = {count: (public / "models" / "model-size-probe.html").read_text(encoding="utf-8")
             for count, public in html_pages.items()}
    assert probe[20] == probe[200]
    for count, public in html_pages.items():
        for page in ("index.html", "models/index.html", "models/model-size-probe.html"):
            nav = _nav((public / page).read_text(encoding="utf-8"))
            assert "model-size-probe" not in nav and "runbooks/" not in nav
            assert nav.count("<a ") < 40, (count, page)
    navs = {count: _nav((public / "index.html").read_text(encoding="utf-8"))
            for count, public in html_pages.items()}
    assert navs[20] == navs[200]


def test_index_pages_grow_linearly(estates: dict[int, Path]) -> None:
    small, large = (pages(estates[count]) for count in (20, 200))
    rows = {count: [row for table in html_tables(pages(estates[count])["models/index.md"])
                    for row in table if row[0].startswith('<a href="model-')]
            for count in estates}
    assert (len(rows[20]), len(rows[200])) == (21, 201)  # the probe too
    per_model = (len(large["models/index.md"]) - len(small["models/index.md"])) / 180
    assert 50 < per_model < 800
    html_index = {count: (estates[count] / "site" / "public" / "models" / "index.html")
                  .stat().st_size for count in estates}
    per_model_html = (html_index[200] - html_index[20]) / 180
    assert 100 < per_model_html < 2500


# --- links inside HTML blocks -----------------------------------------------------------

PAGE_PATHS = ["index.md", "models/index.md", "models/model-a.md", "runbooks/model-a.md",
              "controls/AIR-X-001.md", "controls/index.md", "organization.md",
              "incidents/index.md", "risk-register.md"]


@pytest.mark.parametrize("directory_urls", [False, True])
def test_page_urls_are_the_ones_mkdocs_builds(directory_urls: bool) -> None:
    """MkDocs never rewrites links in raw HTML, so escape.page_url must agree with MkDocs'
    own URLs for either setting of use_directory_urls."""
    from mkdocs.structure.files import File
    from mkdocs.utils import get_relative_url

    def url(path: str) -> str:
        return File(path, "docs", "public", directory_urls).url

    for source in PAGE_PATHS:
        for target in PAGE_PATHS:
            expected = get_relative_url(url(target), url(source))
            assert escape.page_url(source, target, directory_urls) == expected, (source, target)


def test_html_escaping_keeps_text_and_opens_nothing() -> None:
    assert escape.h('<a href="x">&\n  b') == "&lt;a href=&quot;x&quot;&gt;&amp; b"
    assert escape.h(" a ", strip=False) == " a "
    assert escape.h(escape.Raw("<b>")) == "<b>"
    assert escape.h(None) == "" and escape.h(3) == "3"
    assert escape.html_link("x", "javascript:alert(1)") == "x (javascript:alert(1))"
    assert escape.html_link("<R>", "https://a.example/p?q=1&r=2") == (
        '<a href="https://a.example/p?q=1&amp;r=2">&lt;R&gt;</a>')


@pytest.mark.parametrize("directory_urls", [False, True])
def test_every_link_in_the_built_site_resolves(tmp_path: Path, directory_urls: bool) -> None:
    """The example built to HTML with either URL style: every relative href (Markdown links
    MkDocs rewrote, and the HTML blocks' own) names a file MkDocs wrote."""
    project = copy_example(tmp_path / "project")
    config = project / "site" / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "use_directory_urls: false" in text
    config.write_text(text.replace("use_directory_urls: false",
                                   f"use_directory_urls: {str(directory_urls).lower()}"),
                      encoding="utf-8")
    build(project, html_too=True)
    public = project / "site" / "public"
    checked = 0
    for page in public.rglob("*.html"):
        body = page.read_text(encoding="utf-8")
        article = body.split('<article class="md-content__inner md-typeset">', 1)[-1]
        for href in re.findall(r'href="([^"#]+)(?:#[^"]*)?"', article):
            if href.startswith(("http://", "https://", "mailto:")):
                continue
            target = (page.parent / html.unescape(href)).resolve()
            if target.is_dir() or href.endswith("/"):
                target = target / "index.html"
            assert target.is_file(), f"{page.relative_to(public)}: dead link {href}"
            checked += 1
    assert checked > 500
