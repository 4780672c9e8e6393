"""The built auditor site in headless Chromium: pages load, Mermaid draws, search finds
pages (over HTTP and from disk), tables fit their pages on a desktop, a phone and A4
paper, the pages auditors check most show what they must, and hostile inventory text
shows as text and runs nothing.

Three builds: the example plus hostile additions (tests/sitekit.make_hostile), the
example committed in git and published under a sub-path (conftest.example_site), and a
1,000-model synthetic estate (conftest.estate_site), each served from 127.0.0.1.  Without
Chromium, Playwright, the local mermaid.min.js or the iframe-worker shim the tests skip,
except on CI (CI=true), where they fail: CI installs all four.
"""

from __future__ import annotations

import functools
import http.server
import io
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import git
from sitekit import (
    HOSTILE,
    HOSTILE_BLOCK,
    MERMAID_JS,
    PAYLOADS,
    WORKER_JS,
    build,
    make_hostile,
)

from airready import __version__

CHROMIUM = Path(os.environ.get("AIRREADY_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
# Material renders Mermaid into a closed shadow root; open it so `.mermaid svg` is visible.
OPEN_SHADOW_ROOTS = ("const o=Element.prototype.attachShadow;"
                     "Element.prototype.attachShadow=function(i){"
                     "return o.call(this,Object.assign({},i,{mode:'open'}))}")
TIMEOUT_MS = 20_000


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[dev]')"
    if not CHROMIUM.is_file():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    for needed in (MERMAID_JS, WORKER_JS):
        if not needed.is_file():
            return f"no {needed} (bash .ci/fetch-mermaid)"
    return None


def _require() -> None:
    reason = _missing()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"site browser tests cannot run on CI: {reason}", pytrace=False)
    pytest.skip(reason)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The hostile example built with HTML, served on 127.0.0.1; yields the base URL."""
    _require()
    project = make_hostile(tmp_path_factory.mktemp("browser"))
    build(project, html_too=True, mermaid=MERMAID_JS)
    public = project / "site" / "public"
    handler = functools.partial(_Quiet, directory=str(public))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser(site: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Watch:
    """What a page did that it must not: dialogs, console errors, requests off the host."""
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert not self.dialogs, f"a dialog opened: {self.dialogs}"
        assert not self.errors, f"console errors: {self.errors}"
        assert not self.outside, f"requests left 127.0.0.1: {self.outside}"


@pytest.fixture(scope="module")
def context(browser: Any) -> Iterator[Any]:
    """One browser context for the module: Mermaid's shadow roots opened, and every
    request that is not for 127.0.0.1 refused and recorded (in the current test's Watch)."""
    shared = browser.new_context()
    shared.add_init_script(OPEN_SHADOW_ROOTS)
    shared.watch = Watch()

    def route(r: Any) -> None:
        url = urlsplit(r.request.url)
        if url.scheme in ("http", "https") and url.hostname != "127.0.0.1":
            shared.watch.outside.append(r.request.url)
            r.abort()
        else:
            r.continue_()

    shared.route("**/*", route)
    try:
        yield shared
    finally:
        shared.close()


@pytest.fixture
def page(context: Any) -> Iterator[tuple[Any, Watch]]:
    watch = context.watch = Watch()
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)

    def dialog(d: Any) -> None:
        watch.dialogs.append(f"{d.type}: {d.message}")
        d.dismiss()

    tab.on("dialog", dialog)
    tab.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: watch.errors.append(str(e)))
    try:
        yield tab, watch
    finally:
        tab.close()


def _open(tab: Any, url: str) -> None:
    response = tab.goto(url, wait_until="load")
    assert response is not None and response.ok, url
    tab.wait_for_load_state("networkidle")


def _h1(tab: Any) -> str:
    """The page's title without the permalink sign the toc extension adds."""
    return tab.locator("article h1").first.inner_text().replace("¶", "").strip()


def test_dashboard_loads(site: str, page: tuple[Any, Watch]) -> None:
    tab, watch = page
    _open(tab, site + "index.html")
    assert _h1(tab) == "AI incident readiness"
    tabs = tab.locator(".md-tabs__link").all_inner_texts()
    assert [t.strip() for t in tabs] == ["Dashboard", "Models", "Controls", "Owners",
                                         "Inventory", "Organisation", "Incidents", "Waivers",
                                         "Risk register", "Frameworks", "Checklist coverage",
                                         "Tabletop exercises", "Scoring"]
    assert tab.locator("article table").count() >= 2
    assert tab.locator("article svg[role=img]").count() == 4  # three bar charts, the trend
    assert "Generated by airready" in tab.locator("article").inner_text()
    watch.assert_clean()


def test_model_page_draws_its_diagrams(site: str, page: tuple[Any, Watch]) -> None:
    tab, watch = page
    _open(tab, site + "models/model-support-assistant.html")
    tab.wait_for_selector(".mermaid svg")
    diagrams = tab.locator(".mermaid svg")
    tab.wait_for_function("document.querySelectorAll('.mermaid').length === 2")
    assert diagrams.count() == 2  # lineage and blast radius
    blast = diagrams.nth(1).inner_html()
    assert "model:support-assistant" in blast and "tool:outbound-email" in blast
    runbook = tab.locator("article a", has_text="first-hour runbook")
    assert runbook.get_attribute("href") == "../runbooks/model-support-assistant.html"
    runbook.click()
    tab.wait_for_load_state("load")
    assert _h1(tab) == "First-hour runbook: model:support-assistant"
    watch.assert_clean()


def test_control_page_renders(site: str, page: tuple[Any, Watch]) -> None:
    tab, watch = page
    _open(tab, site + "controls/AIR-DOC-001.html")
    article = tab.locator("article")
    assert _h1(tab).startswith("AIR-DOC-001: ")
    headings = [h.strip().rstrip("¶").strip() for h in article.locator("h2").all_inner_texts()]
    assert headings[:3] == ["Why it matters", "What it checks", "How to fix it"]
    assert "Examples" in headings
    assert article.locator("pre code").count() == 4  # check, fix, passing, failing
    watch.assert_clean()


def test_search_finds_pages(site: str, page: tuple[Any, Watch]) -> None:
    tab, watch = page
    _open(tab, site + "index.html")
    query = tab.locator("input.md-search__input")
    query.click()
    query.type("kill switch", delay=20)
    results = tab.locator(".md-search-result__item a")
    results.first.wait_for()
    hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
    assert any("controls/AIR-CON-001.html" in (h or "") for h in hrefs), hrefs
    target = next(h for h in hrefs if h and "controls/AIR-CON-001.html" in h)
    _open(tab, target if target.startswith("http") else site + target.lstrip("./"))
    assert _h1(tab).startswith("AIR-CON-001: ")
    watch.assert_clean()


HOSTILE_PAGES = ["models/model-hostile-probe.html", "runbooks/model-hostile-probe.html",
                 "controls/EVIL-XSS-001.html", "organization.html", "risk-register.html",
                 "index.html"]


@pytest.mark.parametrize("path", HOSTILE_PAGES)
def test_hostile_text_shows_as_text(site: str, page: tuple[Any, Watch], path: str) -> None:
    tab, watch = page
    _open(tab, site + path)
    if tab.locator(".mermaid").count():
        tab.wait_for_selector(".mermaid svg")  # let Mermaid run over the page
    injected = tab.evaluate("""() => ({
        scripts: [...document.querySelectorAll('article script')].length,
        images: [...document.querySelectorAll('article img')].length,
        handlers: [...document.querySelectorAll('article *')].filter(
            e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
        js_links: [...document.querySelectorAll('a[href]')].filter(
            a => a.href.trim().toLowerCase().startsWith('javascript')).length,
    })""")
    watch.assert_clean()
    assert injected == {"scripts": 0, "images": 0, "handlers": 0, "js_links": 0}
    text = " ".join(tab.locator("article").inner_text().split())
    # The dashboard shows no inventory text (references, counts and control titles on
    # hover): it only must run nothing, as checked above.
    assert HOSTILE in text or path == "index.html", path
    if path.startswith("models/"):
        for payload in PAYLOADS:
            assert payload in text
        assert " ".join(HOSTILE_BLOCK.split()) in text
        links = tab.locator("article a[href^='http']")
        assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
            "https://ok.example/a_%28b%29?q=1"]


def test_searching_hostile_text_runs_nothing(site: str, page: tuple[Any, Watch]) -> None:
    tab, watch = page
    _open(tab, site + "index.html")
    query = tab.locator("input.md-search__input")
    query.click()
    query.type("onerror", delay=20)
    results = tab.locator(".md-search-result__item")
    results.first.wait_for()
    assert results.count() >= 1
    tab.wait_for_timeout(300)
    assert tab.evaluate("document.querySelectorAll('.md-search-result img, "
                        ".md-search-result script').length") == 0
    watch.assert_clean()


# --- the example in git, published under a sub-path ------------------------------------

SUB_PATH = "/audit/"


class _SubPath(_Quiet):
    """Serves public/ under /audit/ and answers a missing page with 404.html, as a host
    such as GitHub Pages does for a project site."""

    def send_head(self) -> Any:
        path = urlsplit(self.path).path
        if not path.startswith(SUB_PATH):
            self.send_error(404)
            return None
        self.path = "/" + self.path[len(SUB_PATH):]
        local = Path(self.translate_path(self.path))
        if local.is_dir():
            local = local / "index.html"
        if not local.exists():
            body = (Path(self.directory) / "404.html").read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return io.BytesIO(body)
        return super().send_head()


@pytest.fixture(scope="module")
def published(example_site: Path) -> Iterator[str]:
    """The example site served at http://127.0.0.1:PORT/audit/; yields that address."""
    _require()
    public = example_site / "site" / "public"
    handler = functools.partial(_SubPath, directory=str(public))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{SUB_PATH}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# A page of every kind the site has.
EVERY_KIND = ["index.html", "history.html", "evidence.html", "models/index.html",
              "models/model-support-assistant.html", "models/model-fraud-scorer.html",
              "runbooks/model-support-assistant.html", "controls/index.html",
              "controls/AIR-LOG-002.html", "owners/index.html", "owners/team-applied-ml.html",
              "inventory/index.html", "inventory/all-vendors.html", "organization.html",
              "incidents/index.html", "incidents/incident-inc-2026-010.html", "waivers.html",
              "risk-register.html", "frameworks.html", "coverage.html", "tabletop/index.html",
              "tabletop/scenario-prompt-injection.html", "scoring.html"]
VIEWPORTS = {"desktop": (1440, 900), "phone": (390, 844)}
TOO_WIDE = """() => [...document.querySelectorAll('article')].map(art => {
    const edge = art.getBoundingClientRect().right;
    return [...art.querySelectorAll('table')].filter(t => {
        const wrap = t.closest('.md-typeset__scrollwrap');
        return t.getBoundingClientRect().right > edge + 1 || t.scrollWidth > t.clientWidth + 1
            || (wrap !== null && wrap.scrollWidth > wrap.clientWidth + 1);
    }).length;
})"""


def _watched(context: Any) -> tuple[Any, Watch]:
    watch = Watch()
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    tab.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: watch.errors.append(str(e)))
    return tab, watch


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_kind_of_page_over_http(published: str, browser: Any, viewport: str) -> None:
    """Each kind of page, as a reader opens it: no console error, nothing fetched from
    another host, every table inside its page, Mermaid only where a diagram is."""
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height})
    context.add_init_script(OPEN_SHADOW_ROOTS)
    outside: list[str] = []
    context.route("**/*", lambda r: (outside.append(r.request.url), r.abort())
                  if urlsplit(r.request.url).hostname not in ("127.0.0.1", None)
                  else r.continue_())
    try:
        for path in EVERY_KIND:
            tab, watch = _watched(context)
            scripts: list[str] = []
            tab.on("request", lambda r, s=scripts: s.append(r.url))
            _open(tab, published + path)
            if tab.locator(".mermaid").count():
                tab.wait_for_selector(".mermaid svg")
            assert tab.evaluate(TOO_WIDE) == [0], f"{path} at {width}px: a table overflows"
            watch.assert_clean()
            mermaid = any("mermaid-local.js" in url for url in scripts)
            assert mermaid == path.startswith("models/model-support"), path
            tab.close()
        assert not outside, outside
    finally:
        context.close()


def test_every_kind_of_page_from_disk(example_site: Path, browser: Any) -> None:
    """Opened from disk (file://), as the README suggests: no console error anywhere."""
    _require()
    public = example_site / "site" / "public"
    context = browser.new_context()
    context.add_init_script(OPEN_SHADOW_ROOTS)
    try:
        for path in EVERY_KIND:
            tab, watch = _watched(context)
            tab.goto((public / path).as_uri(), wait_until="load")
            if tab.locator(".mermaid").count():
                tab.wait_for_selector(".mermaid svg")
            tab.wait_for_timeout(200)
            watch.assert_clean()
            tab.close()
    finally:
        context.close()


def _search(tab: Any, words: str) -> list[str]:
    query = tab.locator("input.md-search__input")
    query.click()
    query.type(words, delay=20)
    results = tab.locator(".md-search-result__item a")
    results.first.wait_for()
    hrefs = [results.nth(i).get_attribute("href") or "" for i in range(results.count())]
    # Without the ?h= that highlights the words on the page found.
    return [urlsplit(h)._replace(query="").geturl() for h in hrefs]


def test_search_from_disk_finds_a_model_by_name(example_site: Path, browser: Any) -> None:
    _require()
    public = example_site / "site" / "public"
    context = browser.new_context()
    try:
        tab, watch = _watched(context)
        tab.goto((public / "index.html").as_uri(), wait_until="load")
        hrefs = _search(tab, "claims-triage")
        assert hrefs[0].endswith("models/model-claims-triage.html"), hrefs
        assert not any("runbooks/" in h for h in hrefs)  # runbooks stay out of the index
        watch.assert_clean()
    finally:
        context.close()


def test_search_finds_a_reference_by_its_bare_name(published: str, page: Any) -> None:
    tab, watch = page
    _open(tab, published + "index.html")
    hrefs = _search(tab, "parsewell")
    assert any("inventory/all-vendors.html#vendor-parsewell" in h for h in hrefs), hrefs
    watch.assert_clean()


def test_a_missing_page_under_the_sub_path_shows_the_404_page(published: str,
                                                              page: Any) -> None:
    tab, watch = page
    response = tab.goto(published + "no/such/page.html", wait_until="load")
    assert response is not None and response.status == 404
    tab.wait_for_load_state("networkidle")
    assert "404" in tab.locator("article").inner_text()
    styled = tab.evaluate("getComputedStyle(document.querySelector('.md-header'))"
                          ".backgroundColor")
    assert styled not in ("", "rgba(0, 0, 0, 0)")  # Material's stylesheet was found
    # The document's own 404 status is the only error the console may show.
    assert [e for e in watch.errors if "404" not in e] == []
    nav = tab.locator(".md-tabs__link").first.get_attribute("href") or ""
    assert nav.startswith(SUB_PATH), nav


def _text(tab: Any) -> str:
    return " ".join(tab.locator("article").inner_text().split())


def test_waivers_page_shows_each_waiver(published: str, page: Any) -> None:
    tab, watch = page
    _open(tab, published + "waivers.html")
    headers = [h.strip() for h in tab.locator("article th").all_inner_texts()]
    assert headers == ["waiver", "control", "targets", "justification", "approved by",
                       "expires", "days left", "waives"]
    row = tab.locator("tr#waiver-fraud-scorer-token-alert")
    cells = [" ".join(c.split()) for c in row.locator("td").all_inner_texts()]
    assert cells[1] == "AIR-MON-001" and cells[2] == "model:fraud-scorer"
    assert cells[3].startswith("Tabular model with no token usage")
    assert cells[4] == "person:tomas-berg on 2026-10-14" and cells[5] == "2027-04-12"
    assert cells[6] == "138" and cells[7] == "1 result"
    # A waived finding links to its waiver's row.
    _open(tab, published + "models/model-fraud-scorer.html")
    link = tab.locator("article a", has_text="waived").first
    assert link.get_attribute("href") == "../waivers.html#waiver-fraud-scorer-token-alert"
    watch.assert_clean()


def test_incident_page_shows_timeline_metrics_clocks_evidence_actions(published: str,
                                                                      page: Any) -> None:
    tab, watch = page
    _open(tab, published + "incidents/incident-inc-2026-010.html")
    text = _text(tab)
    for heading in ("Timeline", "Response times against the targets", "Regulatory clocks",
                    "Evidence", "Actions", "What happened", "Review and lessons"):
        assert heading in [h.replace("¶", "").strip()
                           for h in tab.locator("article h2").all_inner_texts()], heading
    assert "detected 2026-10-03T19:31:00+01:00" in text
    assert "time to detect 49 min (PT49M) 1 h (PT1H) met" in text
    clocks = tab.locator("article table").nth(2)
    rows = [" ".join(r.split()) for r in clocks.locator("tbody tr").all_inner_texts()]
    gdpr = next(r for r in rows if r.startswith("gdpr"))
    assert "2026-10-06T19:31:00+01:00" in gdpr and "2026-10-07T10:45:00+01:00" in gdpr
    assert "MISSED" in gdpr
    assert any(r.startswith("uk_gdpr") and " met " in f" {r} " for r in rows)
    assert "s3://hl-forensics-evidence/inc-2026-010/logs/" in text
    actions = tab.locator("article table").nth(4)
    first = " ".join(actions.locator("tbody tr").first.inner_text().split())
    assert first.startswith("Credential-stuffing protection") and "team:security-ops" in first
    _open(tab, published + "incidents/incident-inc-2026-008.html")
    actions = tab.locator("article table").nth(4)
    first = " ".join(actions.locator("tbody tr").first.inner_text().split())
    assert "OVERDUE" in first  # an overdue action comes first
    watch.assert_clean()


def test_risk_register_shows_owner_rating_source_treatments(published: str,
                                                            page: Any) -> None:
    tab, watch = page
    _open(tab, published + "risk-register.html")
    headers = [h.strip() for h in tab.locator("article table").first.locator("th")
               .all_inner_texts()]
    assert headers == ["risk", "owner", "category", "likelihood × impact", "status",
                       "review by"]
    text = _text(tab)
    assert "risk:support-assistant-tool-abuse A jailbroken support assistant" in text
    assert "team:applied-ml prompt_injection 3 × 4 = 12 mitigating 2027-01-31" in text
    section = tab.locator("h2#risk-support-assistant-tool-abuse")
    assert section.count() == 1
    assert "source: AIR-CON-003" in text
    assert "Human approval for refunds to a changed bank account person:olivier-laurent " \
           "2027-01-31 in progress" in text
    watch.assert_clean()


def test_dashboard_shows_level_charts_top_gaps_and_trend(published: str, page: Any) -> None:
    tab, watch = page
    _open(tab, published + "index.html")
    text = _text(tab)
    assert "Organisation No level 90/100" in text
    labels = [c.get_attribute("aria-label") for c in tab.locator("article svg").all()]
    assert labels == ["Live models that hold the level their reach requires",
                      "Gaps by severity", "Gaps by phase (waived in grey)",
                      "Organisation readiness score at each recorded audit"]
    top = tab.locator("article table").first
    first = [" ".join(c.split()) for c in top.locator("tbody tr").first.locator("td")
             .all_inner_texts()]
    assert first[:5] == ["1", "critical", "AIR-INC-008", "incident:inc-2026-010",
                         "person:ines-moreau"]
    assert "Compared with the audit recorded on 2026-11-02: organisation score 89 → 90" in text
    for name in ("findings.csv", "scorecard.json"):
        assert tab.locator(f"article a[href='{name}']").count() >= 1
    watch.assert_clean()


def test_provenance_in_every_footer(example_site: Path, published: str, page: Any) -> None:
    tab, watch = page
    commit = git(example_site, "rev-parse", "HEAD")
    for path in ("index.html", "models/model-claims-triage.html", "risk-register.html"):
        _open(tab, published + path)
        line = " ".join(tab.locator(".ar-provenance").inner_text().split())
        assert line.startswith(f"Generated by airready {__version__} "
                               f"from commit {commit[:12]} (clean tree); built 20"), line
        assert line.endswith("inventory as of 2026-11-25; fail_on high."), line
    watch.assert_clean()


# --- tables on every page ---------------------------------------------------------------

ARTICLE = '<article class="md-content__inner md-typeset">'
BATCH = 100


def _articles(public: Path) -> dict[tuple[bool, bool], list[tuple[str, str]]]:
    """Every page's article, grouped by the navigation and contents it hides."""
    groups: dict[tuple[bool, bool], list[tuple[str, str]]] = {}
    for path in sorted(public.rglob("*.html")):
        if path.name == "404.html":  # absolute links: its own test above
            continue
        html = path.read_text(encoding="utf-8")
        if ARTICLE not in html:
            continue
        key = ('data-md-type="navigation" hidden' in html, 'data-md-type="toc" hidden' in html)
        article = html.split(ARTICLE, 1)[1].rsplit("</article>", 1)[0]
        groups.setdefault(key, []).append((path.relative_to(public).as_posix(), article))
    return groups


def _overflowing(browser: Any, public: Path, width: int, height: int,
                 media: str = "screen") -> tuple[int, list[str]]:
    """Pages with a table wider than its page at this size: every page's article laid out
    in a real page of the same frame (same stylesheets, same hidden sidebars), a hundred
    at a time.  Without scripts: Material's only change to a table is a scroll box, and
    airready's stylesheet sizes tables alike with or without it (the pages above are
    checked with scripts)."""
    groups = _articles(public)
    context = browser.new_context(viewport={"width": width, "height": height},
                                  java_script_enabled=False)
    tab = context.new_page()
    tab.emulate_media(media=media)
    checked, wide = 0, []
    try:
        for items in groups.values():
            tab.goto((public / items[0][0]).as_uri(), wait_until="load")
            for start in range(0, len(items), BATCH):
                batch = items[start:start + BATCH]
                tab.evaluate("(h) => { document.querySelector('.md-content').innerHTML = h; }",
                             "".join(f"{ARTICLE}{article}</article>" for _, article in batch))
                counts = tab.evaluate(TOO_WIDE)
                assert len(counts) == len(batch)
                checked += len(batch)
                wide += [path for (path, _), n in zip(batch, counts, strict=True) if n]
    finally:
        context.close()
    return checked, wide


@pytest.mark.parametrize("size", [(1280, 800), (1440, 900), (390, 844)])
def test_no_table_wider_than_its_page_in_the_example(example_site: Path, browser: Any,
                                                    size: tuple[int, int]) -> None:
    checked, wide = _overflowing(browser, example_site / "site" / "public", *size)
    assert checked > 150 and wide == []


def test_no_table_wider_than_a4_when_printed(example_site: Path, browser: Any) -> None:
    # A4 at 96 dpi less the 12 mm margins of the print stylesheet: about 703 px.
    checked, wide = _overflowing(browser, example_site / "site" / "public", 703, 1000,
                                 media="print")
    assert checked > 150 and wide == []


@pytest.mark.parametrize("size", [(1440, 900), (390, 844)])
def test_no_table_wider_than_its_page_in_a_large_estate(estate_site: Path, browser: Any,
                                                       size: tuple[int, int]) -> None:
    checked, wide = _overflowing(browser, estate_site / "site" / "public", *size)
    assert checked > 2000 and wide == []


def test_every_kind_of_page_of_a_large_estate_from_disk(estate_site: Path, browser: Any
                                                        ) -> None:
    """The 1,000-model estate's pages (the first of each folder, every page at the top,
    a second page of paged results), opened from disk: no console error on any."""
    _require()
    public = estate_site / "site" / "public"
    paths = sorted(p for p in public.glob("*.html") if p.name != "404.html")
    folders = sorted(d for d in public.iterdir() if d.is_dir() and any(d.glob("*.html")))
    paths += [sorted(d.glob("*.html"))[0] for d in folders]
    paged = sorted(public.glob("controls/results/*-2.html"))
    assert paged, "no control has a second page of results"
    paths.append(paged[0])
    kinds = {p.parent.name for p in paths}
    assert {"models", "runbooks", "controls", "owners", "results"} <= kinds, kinds
    context = browser.new_context()
    context.add_init_script(OPEN_SHADOW_ROOTS)
    try:
        for path in paths:
            tab, watch = _watched(context)
            tab.goto(path.as_uri(), wait_until="load")
            if tab.locator(".mermaid").count():
                tab.wait_for_selector(".mermaid svg")
            tab.wait_for_timeout(100)
            watch.assert_clean()
            tab.close()
    finally:
        context.close()
