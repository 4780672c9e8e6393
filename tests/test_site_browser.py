"""The built auditor site in headless Chromium: pages load, Mermaid draws, search finds
pages, and hostile inventory text shows as text and runs nothing.

One build of the example project plus hostile additions (tests/sitekit.make_hostile),
served from 127.0.0.1.  Without Chromium, Playwright or the local mermaid.min.js the
tests skip, except on CI (CI=true), where they fail: CI installs all three.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sitekit import HOSTILE, HOSTILE_BLOCK, MERMAID_JS, PAYLOADS, build, make_hostile

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
    if not MERMAID_JS.is_file():
        return f"no {MERMAID_JS} (bash .ci/fetch-mermaid)"
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
    assert [t.strip() for t in tabs] == ["Dashboard", "Models", "Controls", "Frameworks",
                                         "Organisation", "Incidents", "Risk register",
                                         "Checklist coverage", "Tabletop exercises"]
    assert tab.locator("article table").count() >= 2
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
    assert HOSTILE in text, path
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
