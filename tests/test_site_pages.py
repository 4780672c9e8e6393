"""What the auditor site says, read from its Markdown and HTML as an auditor reads the
pages: the dashboard, every finding traceable to a page, its owner and its source line,
long lists paged instead of cut, the full results beside the pages, the provenance, the
scoring model, and a confidential model kept off the site.  No browser: the layout and the
scripts are tested in test_site_browser.py.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections import deque
from pathlib import Path

import pytest
import yaml
from conftest import SITE_URL, git
from projectkit import run
from sitekit import (
    TODAY,
    build,
    copy_example,
    html_tables,
    markdown_to_html,
    pages,
    table_after,
    visible_text,
)

from airready.audit import load_all, resolve_today, run_check
from airready.inventory.config import load_project
from airready.readiness import scorecard as scoring
from airready.rules.selection import select
from airready.sitegen.exports import _cell
from airready.sitegen.layout import PAGE_ROWS, TABLE_ROWS
from airready.sitegen.pages import PASSING_LINKS
from airready.sitegen.provenance import source_link, web_url
from airready.sitegen.refs import _strings

CONFIDENTIAL_MODEL = "inventory/models/fraud.yaml"


def _audit(project: Path, today: str) -> list:
    loaded = load_all(load_project(project, Path.cwd()))
    done = run_check(loaded, resolve_today(today), select(loaded.catalog, loaded.inventory))
    return done.result.findings


def _docs(project: Path) -> Path:
    return project / "site" / "docs"


def _words(page: str) -> str:
    """A page's text as a reader sees it."""
    return visible_text(markdown_to_html(page))


# --- the dashboard ------------------------------------------------------------------

def test_dashboard_holds_level_charts_top_gaps_changes_and_trend(example_site: Path) -> None:
    page = (_docs(example_site) / "index.md").read_text(encoding="utf-8")
    text = _words(page)
    assert "Organisation No level 90/100" in text
    assert "6 of 13 live models hold the level their reach requires" in text
    charts = re.findall(r'<svg [^>]*aria-label="([^"]+)"', page)
    assert charts == ["Live models that hold the level their reach requires",
                      "Gaps by severity", "Gaps by phase (waived in grey)",
                      "Organisation readiness score at each recorded audit"]
    # Every bar's number is also written out.
    assert "Gold required" in page and "5 of 11 ready" in page and "1 of 2 ready" in page
    findings = _audit(example_site, TODAY)
    gaps = [f for f in findings if f.is_gap]
    for severity in ("critical", "high", "medium", "low"):
        count = sum(f.severity == severity for f in gaps)
        assert f"{severity} {count}" in text, severity
    top = table_after(page, "Top gaps")
    assert top[0] == ["#", "severity", "control", "target", "owner", "why it ranks high"]
    assert len(top) == 16  # fifteen, then a link to the rest
    assert all(visible_text(row[4]) for row in top[1:])  # every gap names its owner
    # The missed notification on the incident that struck the 182,400-user support
    # assistant ranks first; then the overdue action on the incident that struck the
    # embedder that assistant depends on (the same users, five tools that can write, in
    # its reach), above the critical gap on the fraud scorer (310 users).
    assert visible_text(top[1][3]) == "incident:inc-2026-010"
    assert visible_text(top[2][3]) == "incident:inc-2026-008"
    assert visible_text(top[2][5]).startswith("incident on model:text-embedder (182,400 users, "
                                              "5 tools that can write, send or pay")
    assert visible_text(top[3][3]) == "model:fraud-scorer"
    assert visible_text(top[3][5]) == "310 users, sensitive data (health, payment, pii, " \
                                      "proprietary), production"
    assert "And 8 more. Every gap is on its owner's page" in text
    assert "Compared with the audit recorded on 2026-11-02: organisation score 89 → 90" in text
    assert "17 results fixed" in text
    trend = page.split("## Score trend", 1)[1].split("\n## ", 1)[0]
    assert trend.count("<circle") == 6  # five recorded audits and this one
    for day in ("2026-05-04", "2026-11-02", TODAY):
        assert day in trend


def test_dashboard_names_the_audit_it_shows(example_site: Path) -> None:
    page = _words((_docs(example_site) / "index.md").read_text(encoding="utf-8"))
    commit = git(example_site, "rev-parse", "HEAD")
    assert f"audit day: {TODAY}" in page
    assert "gate: airready check fails on high and above" in page
    assert f"commit: {commit[:12]} (clean tree)" in page
    assert "full results: findings.csv (every result, one per row) and scorecard.json" in page


# --- tables -------------------------------------------------------------------------

def test_models_list_puts_the_least_ready_live_model_first_and_the_rest_apart(
        example_site: Path) -> None:
    page = (_docs(example_site) / "models" / "index.md").read_text(encoding="utf-8")
    live, others, _ = html_tables(page)
    assert live[0] == ["model", "owner", "level", "score", "required", "ready"]
    rows = [[visible_text(c) for c in row] for row in live[1:]]
    ready = [row[5] for row in rows]
    assert ready == sorted(ready, key=lambda r: r == "yes")  # not ready first
    assert rows[0][0] == "model:fraud-scorer confidential"
    scores = [int(row[3]) for row in rows if row[5] == "no"]
    assert scores == sorted(scores)
    assert [visible_text(row[2]) for row in others[1:]] == ["out of scope", "retired"]


def test_tables_carry_no_long_fix_column(example_site: Path) -> None:
    for path, text in pages(example_site).items():
        for table in html_tables(text):
            assert "fix" not in table[0], path
            assert len(table[0]) <= 8, (path, table[0])


# --- every finding traceable ----------------------------------------------------------

def test_where_links_to_the_line_at_the_audited_commit(example_site: Path) -> None:
    commit = git(example_site, "rev-parse", "HEAD")
    page = (_docs(example_site) / "models" / "model-claims-triage.md").read_text("utf-8")
    rows = table_after(page, "Gaps")[1:]
    links = [re.search(r'href="([^"]+)">([^<]+)</a>', row[2]) for row in rows]
    assert links and all(links)
    for match in links:
        url, text = match.group(1), match.group(2)
        file, line = text.rsplit(":", 1)
        assert url == (f"https://github.com/harbourline/ai-inventory/blob/{commit}/{file}"
                       f"#L{line}")
        source = (example_site / file).read_text(encoding="utf-8").splitlines()
        assert int(line) <= len(source)


def test_where_is_plain_text_outside_a_repository(tmp_path: Path) -> None:
    project = copy_example(tmp_path / "project")
    build(project)
    rows = table_after(pages(project)["models/model-claims-triage.md"], "Gaps")[1:]
    assert rows and all(re.fullmatch(r"inventory/models/claims\.yaml:\d+", row[2])
                        for row in rows)


def test_repo_url_in_the_project_wins_over_the_remote(tmp_path: Path) -> None:
    from conftest import example_in_git

    project = example_in_git(tmp_path / "project")
    config = project / "airready.yaml"
    config.write_text(config.read_text(encoding="utf-8")
                      + "repo_url: https://gitlab.example.org/hl/inventory\n", "utf-8")
    git(project, "commit", "-qam", "repo_url")
    commit = git(project, "rev-parse", "HEAD")
    build(project)
    row = table_after(pages(project)["models/model-claims-triage.md"], "Gaps")[1]
    assert re.search(rf'href="https://gitlab.example.org/hl/inventory/-/blob/{commit}/'
                     r'inventory/models/claims.yaml#L\d+"', row[2]), row


@pytest.mark.parametrize(("remote", "url"), [
    ("git@github.com:acme/inv.git", "https://github.com/acme/inv"),
    ("https://user:token@gitlab.com/acme/inv.git", "https://gitlab.com/acme/inv"),
    ("ssh://git@git.example.org:2222/acme/inv.git", "https://git.example.org/acme/inv"),
    ("https://git.example.org:8443/acme/inv/", "https://git.example.org:8443/acme/inv"),
    ("/srv/git/inv.git", None), ("file:///srv/git/inv.git", None), ("", None),
])
def test_a_remote_becomes_a_web_address_without_credentials(remote: str,
                                                            url: str | None) -> None:
    assert web_url(remote) == url


def test_source_links_follow_the_forge() -> None:
    sha, path = "0" * 40, "inventory/a b.yaml"
    assert source_link("https://github.com/a/b", sha, path, 3) == (
        f"https://github.com/a/b/blob/{sha}/inventory/a%20b.yaml#L3")
    assert source_link("https://gitlab.com/a/b", sha, path, 3).startswith(
        "https://gitlab.com/a/b/-/blob/")
    assert source_link("https://bitbucket.org/a/b", sha, path, 3).endswith("#lines-3")
    assert source_link("https://codeberg.org/a/b", sha, path, 3).startswith(
        f"https://codeberg.org/a/b/src/commit/{sha}/")
    assert source_link("https://x.example/r?f={path}&c={commit}#{line}", sha, path, 3) == (
        f"https://x.example/r?f=inventory/a%20b.yaml&c={sha}#3")


def _pairs(path: str, page: str) -> set[tuple[str, str]]:
    """(control, target) of every table row that links both (on a control's own pages,
    the rows' control is the page's)."""
    found = set()
    own = re.fullmatch(r"controls/(?:results/)?([A-Z][A-Z0-9]*-[A-Z0-9]+-\d{3})(-\d+)?\.html",
                       path)
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S):
        controls = re.findall(r'href="[^"]*controls/([A-Z0-9-]+)\.html"', row) or (
            [own.group(1)] if own else [])
        targets = re.findall(r">([a-z]+:[a-z0-9][a-z0-9.-]*)</a>", row)
        found.update((c, t) for c in controls for t in targets)
    return found


def _crawl(public: Path) -> dict[str, str]:
    """Every page reachable by links from the dashboard, by its path in public/."""
    seen: dict[str, str] = {}
    queue = deque(["index.html"])
    while queue:
        path = queue.popleft()
        if path in seen or not path.endswith((".html", ".csv", ".json")) \
                or not (public / path).is_file():
            continue
        text = (public / path).read_text(encoding="utf-8")
        seen[path] = text
        if not path.endswith(".html"):
            continue
        for href in re.findall(r'href="([^"#?]+)', text):
            if href.startswith(("http:", "https:", "mailto:", "/")) or href.endswith(".css"):
                continue
            target = (Path(path).parent / html.unescape(href)).as_posix()
            parts: list[str] = []
            for part in target.split("/"):
                if part == "..":
                    parts.pop()
                elif part not in ("", "."):
                    parts.append(part)
            queue.append("/".join(parts))
    return seen


def test_every_failing_finding_of_a_large_estate_is_on_the_site(estate_site: Path) -> None:
    """Every gap and waived result of 1,000 models: in a row that links its control and its
    target on a page reachable from the dashboard, on its owner's pages and its control's,
    and in findings.csv (linked from the dashboard)."""
    findings = _audit(estate_site, "2026-11-01")
    failing = {(f.control, f.target) for f in findings if f.state in ("fail", "error", "waived")}
    assert len(failing) > TABLE_ROWS * 10
    reached = _crawl(estate_site / "site" / "public")
    shown: set[tuple[str, str]] = set()
    by_owner: set[tuple[str, str]] = set()
    for path, text in reached.items():
        if path.endswith(".html"):
            pairs = _pairs(path, text)
            shown |= pairs
            if path.startswith("owners/"):
                by_owner |= pairs
    assert not failing - shown
    assert not failing - by_owner
    assert "findings.csv" in reached
    rows = list(csv.DictReader(io.StringIO(reached["findings.csv"])))
    assert len(rows) == len(findings)
    assert failing <= {(r["control"], r["target"]) for r in rows
                       if r["state"] in ("fail", "error", "waived")}


def test_long_lists_are_paged_not_cut(estate_site: Path) -> None:
    docs = _docs(estate_site)
    findings = _audit(estate_site, "2026-11-01")
    results: dict[str, list] = {}
    for f in findings:
        if f.state != "not_applicable":
            results.setdefault(f.control, []).append(f)
    control, listed = max(results.items(), key=lambda item: len(item[1]))
    assert len(listed) > 2 * PAGE_ROWS
    main = (docs / "controls" / f"{control}.md").read_text(encoding="utf-8")
    assert f"Every result of {control}" in _words(main)
    paths = sorted((docs / "controls" / "results").glob(f"{control}-*.md"))
    failing = [f for f in listed if f.state != "pass"]
    passing = [f for f in listed if f.state == "pass"]
    assert len(paths) == -(-len(failing) // PAGE_ROWS) + -(-len(passing) // PASSING_LINKS)
    rows, passes = [], []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for table in html_tables(text):
            assert len(table) - 1 <= PAGE_ROWS
            rows += [visible_text(row[0]) for row in table[1:]]
        found = re.findall(r"<p>\d+ pass: (.*)</p>", text)
        passes += re.findall(r">([a-z]+:[a-z0-9.-]+)</a>", found[0]) if found else []
    assert sorted(rows) == sorted(f.target for f in failing)
    assert sorted(passes) == sorted(f.target for f in passing)
    assert "airready check --control" not in main  # no list points to the CLI
    # An owner with more gaps than a page holds gets pages of them.
    owners = sorted((docs / "owners").glob("*-2.md"))
    assert owners
    first = owners[0].with_name(owners[0].name.replace("-2.md", ".md"))
    assert "Pages:" in _words(first.read_text(encoding="utf-8"))


def test_site_pages_never_send_the_reader_to_the_cli_for_the_rest(estate_site: Path) -> None:
    for path, text in pages(estate_site).items():
        words = _words(text)
        for phrase in ("lists every one", "lists them all", "lists all"):
            assert phrase not in words, (path, phrase)


# --- the full results beside the pages ------------------------------------------------

def test_findings_csv_holds_every_result(example_site: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(
        (_docs(example_site) / "findings.csv").read_text(encoding="utf-8"))))
    findings = _audit(example_site, TODAY)
    assert {(r["control"], r["target"], r["state"]) for r in rows} == {
        (f.control, f.target, f.state) for f in findings}
    assert len(rows) == len(findings)
    waived = [r for r in rows if r["state"] == "waived"]
    assert waived and all(r["waiver"].startswith("waiver:") and r["waiver_expires"]
                          for r in waived)
    gap = next(r for r in rows if r["state"] == "fail" and r["target"] == "model:claims-triage")
    assert gap["owner"] == "team:applied-ml" and gap["remediation"]
    assert gap["source_url"].startswith("https://github.com/harbourline/ai-inventory/blob/")


def test_scorecard_json_is_the_scorecard(example_site: Path, capsys) -> None:
    site = json.loads((_docs(example_site) / "scorecard.json").read_text(encoding="utf-8"))
    done = run(capsys, "scorecard", "--project", example_site, "--today", TODAY,
               "--format", "json", "--history", example_site / "nothing.jsonl")
    cli = json.loads(done.out)
    assert site["organization"]["score"] == cli["organization"]["score"]
    assert [m["ref"] for m in site["models"]] == [m["ref"] for m in cli["models"]]
    public = [m for m in site["models"] if m["ref"] != "model:fraud-scorer"]
    assert public == [m for m in cli["models"] if m["ref"] != "model:fraud-scorer"]


def test_csv_cells_cannot_become_formulas() -> None:
    assert _cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _cell("+1") == "'+1" and _cell("@x") == "'@x" and _cell("-2") == "'-2"
    assert _cell("model:x") == "model:x" and _cell(None) == "" and _cell(3) == "3"


# --- confidential -------------------------------------------------------------------

def test_a_confidential_model_stays_off_the_site(example_site: Path, capsys) -> None:
    doc = yaml.safe_load((example_site / CONFIDENTIAL_MODEL).read_text(encoding="utf-8"))
    assert doc["metadata"]["confidential"] is True
    # Its title, its description, and every value of its spec that is not a reference or
    # a word of the format (an alert name, a lifecycle): URLs, endpoints, free text.
    secrets = [doc["metadata"]["title"], doc["metadata"]["description"]]
    secrets += [s for s in _strings(doc["spec"])
                if len(s) >= 12 and not re.fullmatch(r"[a-z_]+|[a-z]+:[a-z0-9.-]+", s)]
    assert len(secrets) >= 10
    public = example_site / "site" / "public"
    checked = 0
    for path in public.rglob("*"):
        if not path.is_file() or path.suffix not in (".html", ".json", ".js", ".csv", ".xml"):
            continue
        if path.name in ("mermaid-local.js", "iframe-worker.js") or "assets" in path.parts:
            continue
        checked += 1
        text = html.unescape(path.read_text(encoding="utf-8")).replace("\\/", "/")
        flat = " ".join(text.split())
        for secret in secrets:
            assert " ".join(secret.split())[:40] not in flat, (path, secret)
    assert checked > 150  # the pages, the search index, findings.csv, scorecard.json
    page = (_docs(example_site) / "models" / "model-fraud-scorer.md").read_text("utf-8")
    words = _words(page)
    assert "Confidential." in words and "required level: Gold: confidential" in words
    rows = table_after(page, "Gaps")[1:]
    assert rows and all(not visible_text(row[3]).endswith(")") for row in rows)
    assert "model:fraud-scorer has no known-good version to roll back to" in words
    assert "## Lineage" not in page and "mermaid" not in page
    runbook = (_docs(example_site) / "runbooks" / "model-fraud-scorer.md").read_text("utf-8")
    assert "kept off this site" in runbook
    # The CLI keeps showing everything.
    done = run(capsys, "check", "--project", example_site, "--today", TODAY,
               "--fail-on", "none", "--target", "model:fraud-scorer")
    assert "(rollback.known_good_version" in done.out
    done = run(capsys, "runbook", "model:fraud-scorer", "--project", example_site)
    assert "registry.harbourline.example" in done.out or "5.2.0" in done.out


# --- provenance, scoring, publishing ----------------------------------------------------

def test_the_scoring_page_carries_the_explained_model(example_site: Path) -> None:
    page = _words((_docs(example_site) / "scoring.md").read_text(encoding="utf-8"))
    text = (scoring.__doc__ or "").split("* ", 1)[1]
    for bullet in text.split("\n* "):
        assert " ".join(bullet.split()) in page
    for heading in ("Which models are judged", "Users reached", "History"):
        assert heading in page


def test_sitemap_and_404_page_know_the_sub_path(example_site: Path) -> None:
    public = example_site / "site" / "public"
    sitemap = (public / "sitemap.xml").read_text(encoding="utf-8")
    locations = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert len(locations) > 150 and all(u.startswith(SITE_URL) for u in locations)
    missing = (public / "404.html").read_text(encoding="utf-8")
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', missing)
    assert stylesheets and all(h.startswith("/audit/") for h in stylesheets)


def test_a_site_url_that_is_not_a_web_folder_is_refused(tmp_path: Path, capsys) -> None:
    project = copy_example(tmp_path / "project")
    done = run(capsys, "site", "build", "--project", project, "--today", TODAY,
               "--markdown-only", "--site-url", "ftp://example.org/x")
    assert done.code == 2 and "--site-url" in done.err and "Traceback" not in done.err


def test_expired_waivers_come_first_and_say_so(tmp_path: Path) -> None:
    project = copy_example(tmp_path / "project")
    (project / "inventory" / "waivers" / "old.yaml").write_text(
        "apiVersion: airready/v1\nkind: Waiver\nmetadata: {name: old-exception}\n"
        "spec: {control: AIR-LOG-002, targets: [model:claims-triage], justification: gone,\n"
        "       approved_by: person:tomas-berg, approved_on: 2026-06-01,"
        " expires: 2026-11-20}\n", encoding="utf-8")
    build(project)
    table = html_tables(pages(project)["waivers.md"])[0]
    first = [visible_text(c) for c in table[1]]
    assert first[0] == "waiver:old-exception"
    assert first[6] == "expired 5 days ago" and first[7] == "0 results"


def test_provenance_says_when_the_tree_has_uncommitted_changes(tmp_path: Path) -> None:
    import datetime as dt

    from conftest import example_in_git

    from airready.sitegen.provenance import gather

    project = example_in_git(tmp_path / "project")
    day = dt.date(2026, 11, 25)
    clean = gather(project, day, "high", None)
    assert clean.clean is True and clean.commit == git(project, "rev-parse", "HEAD")
    assert clean.repo_url == "https://github.com/harbourline/ai-inventory"
    model = project / "inventory" / "models" / "claims.yaml"
    model.write_text(model.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    dirty = gather(project, day, "high", None)
    assert dirty.clean is False
    assert dirty.extra()["clean"] is False and dirty.extra()["fail_on"] == "high"
    outside = gather(tmp_path, day, "none", None)
    assert outside.commit is None and outside.source_url("a.yaml", 1) is None


def test_a_confidential_person_and_vendor_keep_their_details_off_the_site(
        tmp_path: Path) -> None:
    """Their references stay (they are judged and linked like any entity); their names,
    contacts and procedures go, from the organisation page, every runbook and every
    tabletop exercise as much as from their own pages."""
    project = copy_example(tmp_path / "project")
    secrets = {"person": ["Ines Moreau", "ines.moreau@harbourline.example",
                          "+44 20 7946 0101", "Head of Security Operations"],
               "vendor": ["Document extraction API used to read claim invoices",
                          "support.parsewell.example", "DPA clause 11", "medical report OCR"]}
    # (Other entities' own words may name them: "gateway holds the Parsewell key".)
    for path, name in (("inventory/people/security.yaml", "ines-moreau"),
                       ("inventory/vendors/model-providers.yaml", "parsewell")):
        file = project / path
        text = file.read_text(encoding="utf-8")
        assert f"  name: {name}\n" in text
        file.write_text(text.replace(f"  name: {name}\n",
                                     f"  name: {name}\n  confidential: true\n"), "utf-8")
    build(project)
    docs = _docs(project)
    checked = 0
    for path in docs.rglob("*"):
        if path.suffix not in (".md", ".csv", ".json"):
            continue
        checked += 1
        text = " ".join(html.unescape(path.read_text(encoding="utf-8")).split())
        for secret in (*secrets["person"], *secrets["vendor"]):
            assert secret not in text, (path.name, secret)
    assert checked > 150
    site = pages(project)
    assert "person:ines-moreau (confidential)" in _words(site["organization.md"])
    assert "vendor:parsewell" in site["inventory/all-vendors.md"]
